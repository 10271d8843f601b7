"""The cold start an officer meets: the installed `liaison` command, launched in a
terminal on a sealed station, until its unlock screen is painted — beside a bare
Textual app launched the same way, alternating, in the same run.

Both run in a pseudo-terminal (TERM=xterm-256color, a fixed window size); the time is
from the launch to the moment the terminal has received a text that only the painted
screen shows (the unlock screen's title, the bare app's label). The process is then
killed. Nothing is subtracted: imports, argument parsing, the check of the data folder
and Textual's start are all in the figure, as they are for the officer. The station's
name (read from its profile right after the first frame) is timed as well, and the
CPU time of each process until it was killed: a figure that other processes sharing
the machine shake less than the wall clock.

`python -X importtime` of the same launch gives the top imports by cumulative time.

    python -m liaison.bench.cold_start [--records N] [--pairs K] [--home SEALED_STATION]
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import re
import resource
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path
from typing import NamedTuple

from .common import print_table, verdict

TARGET = 1.3
SIZE = (40, 120)  # rows, columns
UNLOCK_MARK = "请输入警员姓名".encode()  # the unlock screen's title ("locked · enter the officer's name …")
BARE_MARK = b"bare-textual-painted"

BARE = f"""
from textual.app import App
from textual.widgets import Footer, Header, Static

class Bare(App):
    def compose(self):
        yield Header()
        yield Static("{BARE_MARK.decode()}")
        yield Footer()

Bare().run()
"""


def liaison_command() -> Path:
    """The console script installed beside this interpreter (what the officer runs)."""
    return Path(sys.executable).parent / "liaison"


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LIAISON_", "PYTHON", "TEXTUAL"))}
    env.update(TERM="xterm-256color", LANG="C.UTF-8", COLUMNS=str(SIZE[1]), LINES=str(SIZE[0]))
    return env


class Launch(NamedTuple):
    seconds: float  # from the launch until `mark` was written to the terminal
    cpu_seconds: float  # the process's CPU time (user + system, all threads) until it was killed
    output: bytes  # everything written to the terminal until then
    then_seconds: float  # until `then` was written too (= seconds without `then`)


def launch(argv: list[str], mark: bytes, *, then: bytes = b"", timeout: float = 60.0,
           env: dict[str, str] | None = None) -> Launch:
    """Launch `argv` in a fresh pseudo-terminal, wait until `mark` (and `then`) have been
    written to it, and kill it. Its CPU time is measured too: a figure less shaken than
    the wall clock when other processes share the machine."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[0], SIZE[1], 0, 0))
    received = bytearray()
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env or _env(),
                            start_new_session=True, close_fds=True)
    os.close(slave)
    try:
        deadline = t0 + timeout
        seconds = 0.0
        while True:
            if not seconds and mark in received:
                seconds = time.perf_counter() - t0
            if seconds and then in received:
                break
            left = deadline - time.perf_counter()
            if left <= 0:
                raise RuntimeError(f"{Path(argv[-1]).name}: nothing painted in {timeout:.0f} s; "
                                   f"last output: {_tail(received)!r}")
            ready, _, _ = select.select([master], [], [], left)
            if not ready:
                continue
            try:
                chunk = os.read(master, 1 << 16)
            except OSError:  # EIO: the process ended and closed the terminal
                chunk = b""
            if not chunk:
                raise RuntimeError(f"{' '.join(argv[:2])}: ended before painting (exit {proc.wait()}); "
                                   f"last output: {_tail(received)!r}")
            received += chunk
        then_seconds = time.perf_counter() - t0 if then else seconds
    finally:
        _stop(proc)
        os.close(master)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Launch(seconds, cpu, bytes(received), then_seconds)


def _stop(proc: subprocess.Popen) -> None:
    for sig, wait in ((signal.SIGTERM, 2.0), (signal.SIGKILL, 10.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue
    proc.wait()


def _tail(data: bytes | bytearray) -> str:
    text = re.sub(rb"\x1b\[[0-9;?<>=$]*[A-Za-z~]", b" ", data[-4000:]).decode("utf-8", "replace")
    return " ".join(text.split())[-300:]


IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def import_breakdown(home: Path, top: int = 12) -> list[tuple[str, float]]:
    """(module, cumulative ms) of the top-level imports of a launch up to the unlock
    screen, by `python -X importtime` (the importtime lines share the terminal)."""
    out = launch([sys.executable, "-X", "importtime", str(liaison_command()), "--home", str(home)], UNLOCK_MARK).output
    found: dict[str, float] = {}
    for m in IMPORT_LINE.finditer(out.decode("utf-8", "replace")):
        indent = (len(m.group(3)) - 1) // 2
        if indent <= 1:  # top-level imports and what they pull directly
            found[m.group(4)] = max(found.get(m.group(4), 0.0), int(m.group(2)) / 1000)
    return sorted(found.items(), key=lambda kv: -kv[1])[:top]


def station_name(home: Path) -> bytes:
    """The station's name, which the unlock screen shows once it has read the profile."""
    from ..profiles import get_station

    return get_station(json.loads((home / "meta.json").read_bytes())["meta"]["1"]["station"]).name.encode()


def measure(home: Path, pairs: int = 7) -> tuple[list[Launch], list[Launch]]:
    """(liaison, bare) launches, `pairs` of each, alternating."""
    command = liaison_command()
    name = station_name(home)
    if not command.exists():
        raise RuntimeError(f"no `liaison` command beside {sys.executable} (pip install -e .)")
    with tempfile.TemporaryDirectory(prefix="liaison-bench-bare-") as tmp:
        script = Path(tmp) / "bare.py"
        script.write_text(BARE, encoding="utf-8")
        launch([sys.executable, str(script)], BARE_MARK)  # warm the OS's file cache for both
        launch([str(command), "--home", str(home)], UNLOCK_MARK)
        ours: list[Launch] = []
        bare: list[Launch] = []
        for i in range(pairs):
            runs = [(ours, [str(command), "--home", str(home)], UNLOCK_MARK, name),
                    (bare, [sys.executable, str(script)], BARE_MARK, b"")]
            for into, argv, mark, then in runs if i % 2 == 0 else runs[::-1]:  # neither always goes first
                into.append(launch(argv, mark, then=then))
    return ours, bare


def run(home: Path, records: int, pairs: int = 7) -> None:
    """Print the cold-start table for the sealed station at `home` (`records` records)."""
    ours, bare = measure(home, pairs)
    rows = []
    for what, field in (("wall clock", "seconds"), ("CPU time until killed", "cpu_seconds")):
        o = [getattr(x, field) * 1000 for x in ours]
        b = [getattr(x, field) * 1000 for x in bare]
        ratio = statistics.median(o) / statistics.median(b)
        pair = sorted(x / y for x, y in zip(o, b, strict=True))
        rows += [(f"`liaison --home` to unlock screen, {what}", _spread(o), f"bare Textual app {_spread(b)}",
                  f"{ratio:.2f}x (target <= {TARGET}x)", verdict(ratio <= TARGET) if field == "seconds" else ""),
                 (f"  per-pair ratio, {what}", "", "",
                  f"{statistics.median(pair):.2f}x ({pair[0]:.2f}-{pair[-1]:.2f})", "")]
    o = [x.then_seconds * 1000 for x in ours]
    b = [x.seconds * 1000 for x in bare]
    rows.append(("  and its station's name too (next frame)", _spread(o), f"bare Textual app {_spread(b)}",
                 f"{statistics.median(o) / statistics.median(b):.2f}x", ""))
    print_table(f"Cold start in a terminal ({SIZE[1]}x{SIZE[0]}) until the unlock screen is painted, sealed "
                f"station of {records:,} consultations, {pairs} alternating pairs: median (min-max)", rows)
    try:
        top = import_breakdown(home)
    except RuntimeError as e:
        print(f"  (import breakdown not available: {e})")
        return
    print("  top imports before the unlock screen (python -X importtime, cumulative):")
    for name, ms in top:
        print(f"    {ms:7.1f} ms  {name}")


def _spread(ms: list[float]) -> str:
    return f"{statistics.median(ms):.0f} ms ({min(ms):.0f}-{max(ms):.0f})"


def main() -> int:
    p = argparse.ArgumentParser(prog="python -m liaison.bench.cold_start")
    p.add_argument("--records", type=int, default=50_000, help="records of the sealed station seeded")
    p.add_argument("--pairs", type=int, default=7)
    p.add_argument("--home", help="an existing sealed station (not seeded again)")
    args = p.parse_args()
    if args.home:
        run(Path(args.home), args.records, args.pairs)
        return 0
    from .store import sealed_seed

    with tempfile.TemporaryDirectory(prefix="liaison-bench-cold-") as tmp:
        home = Path(tmp) / "station"
        sealed_seed(home, Path(tmp) / "office", args.records)
        run(home, args.records, args.pairs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
