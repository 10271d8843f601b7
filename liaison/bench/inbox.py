"""Inbox benchmark: a real `liaison hq serve` on 127.0.0.1, 20 stations uploading at
once, first alone (the anchor), then through the attack of inbox_attack.py (200
garbage requests, 25 slow heads, 25 slow bodies of which 2 signed, 5 gzip bombs),
then the garbage alone to see what it costs the disk. Same run, same machine.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from ..domain.intake import fields_from_input
from ..hq.office import Office, init_office
from ..security import keys
from ..store import Store
from ..sync.export import export
from ..synth import generate
from .common import print_table, stats, verdict
from .inbox_attack import (
    Outcome,
    files_bytes,
    garbage,
    gzip_bomb,
    gzip_bombs,
    peak_rss_mb,
    poll_health,
    slow_bodies,
    slow_heads,
    upload_all,
)

STATIONS = 20
SERVE = [sys.executable, "-c", "import sys; from liaison.cli import entry; entry()", "hq", "serve"]


def _stations(tmp: Path, hq: Path, n: int) -> list[Path]:
    pub = hq / "office.pub.json"
    office = Office(hq)
    homes = []
    try:
        for i in range(n):
            sid = f"bench-{i:02d}"
            home = tmp / sid
            Store.init(home, station=sid, code="TEST", officer="bench").close()
            office.enroll(keys.ensure_station_keys(home, sid))
            keys.install_office_key(home, pub)
            homes.append(home)
    finally:
        office.close()
    return homes


def _bundles(homes: list[Path], records: int, seed: int) -> list[tuple[Path, str, bytes]]:
    out = []
    for i, home in enumerate(homes):
        store = Store.open(home)
        store.create_many([fields_from_input(m, officer="bench")
                           for m in generate(records, seed=seed * 1000 + i, station=home.name)])
        store.close()
        made = export(home)
        if made.path is None:
            raise RuntimeError(f"{home}: the export made no bundle, though every record is new")
        out.append((home, made.path.name, made.path.read_bytes()))
    return out


def _start(hq: Path, port: int) -> subprocess.Popen:
    log = hq.parent / f"serve-{port}.log"  # a file, not a pipe: a full pipe would stall the server
    with open(log, "wb") as err:
        proc = subprocess.Popen([*SERVE, "--home", str(hq), "--bind", f"127.0.0.1:{port}"],
                                stdout=subprocess.DEVNULL, stderr=err)
    for _ in range(200):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1):
                return proc
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.1)
    proc.kill()
    proc.wait()
    why = log.read_text(encoding="utf-8", errors="replace").strip()
    raise RuntimeError(f"院本部收件服务未能启动 (the inbox did not start): {why}")


def _write_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/io") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("write_bytes:"))
    except (OSError, StopIteration):
        return 0


async def _phase(port: int, uploads, attack: bool, signers, bomb: bytes) -> tuple[float, list[float], Outcome]:
    """Seconds for all uploads to be accepted, /health latencies meanwhile, attack outcomes."""
    out, stop = Outcome(), asyncio.Event()
    poller = asyncio.ensure_future(poll_health(port, stop))
    t = time.perf_counter()

    async def timed_uploads() -> float:
        got = await asyncio.to_thread(upload_all, f"http://127.0.0.1:{port}", uploads)
        if any(r is None for r in got):
            raise RuntimeError("有站点的数据包未被接收 (a station's bundle was not accepted)")
        return time.perf_counter() - t

    attacks = [garbage(port, out), slow_heads(port, out), slow_bodies(port, out, signers),
               gzip_bombs(port, out, signers, bomb)] if attack else []
    took, _ = await asyncio.gather(timed_uploads(), asyncio.gather(*attacks))
    stop.set()
    return took, await poller, out


async def _garbage_only(port: int, bomb: bytes) -> None:
    out = Outcome()
    await asyncio.gather(garbage(port, out), slow_bodies(port, out, [], every=0.2, within=10),
                         gzip_bombs(port, out, [], bomb))


def run(records: int = 200) -> None:
    from socket import socket

    tmp = Path(tempfile.mkdtemp(prefix="liaison-bench-inbox-"))
    proc = None
    try:
        hq = tmp / "hq"
        init_office(hq, "bench office", "bench", "bench-2468")  # staff set up: the inbox keeps records sealed
        t = time.perf_counter()
        homes = _stations(tmp, hq, STATIONS)
        first, second = _bundles(homes, records, 1), _bundles(homes, records, 2)
        bomb = gzip_bomb()
        print(f"{STATIONS} stations, 2 bundles of {records} consultations each, ready in {time.perf_counter() - t:.1f} s")
        signers = [(keys.station_signing_key(h), h.name) for h in homes[:2]]
        with socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        proc = _start(hq, port)

        calm_s, calm_health, _ = asyncio.run(_phase(port, first, False, signers, bomb))
        t = time.perf_counter()
        storm_s, storm_health, out = asyncio.run(_phase(port, second, True, signers, bomb))
        storm_all = time.perf_counter() - t

        kept = [hq / "quarantine", hq / "incoming", hq / "processed"]
        before_files, before_io, before_db = sum(map(files_bytes, kept)), _write_bytes(proc.pid), files_bytes(hq)
        asyncio.run(_garbage_only(port, bomb))
        garbage_files = sum(map(files_bytes, kept)) - before_files
        garbage_io = _write_bytes(proc.pid) - before_io
        garbage_all = files_bytes(hq) - before_db
        rss = peak_rss_mb(proc.pid)

        calm_rate, storm_rate = STATIONS / calm_s, STATIONS / storm_s
        _, calm_p95 = stats([x * 1000 for x in calm_health])
        _, storm_p95 = stats([x * 1000 for x in storm_health])
        worst = max(storm_health) * 1000
        refused = {k: len(v) for k, v in out.statuses.items()}
        print_table(f"inbox benchmark: {STATIONS} concurrent stations, real `liaison hq serve` on 127.0.0.1", [
            ("accepted bundles/s (attack | anchor: no attack)", f"{storm_rate:.1f}/s", f"{calm_rate:.1f}/s",
             f"{calm_rate / storm_rate:.1f}x slower under attack", ""),
            ("/health p95 (attack | anchor: no attack)", f"{storm_p95:.0f} ms", f"{calm_p95:.0f} ms",
             f"worst {worst:.0f} ms; target < 1000 ms", verdict(worst < 1000)),
            ("server peak RSS (VmHWM)", f"{rss:.0f} MB", "", "target < 300 MB", verdict(rss < 300)),
            ("disk written by garbage (quarantine, incoming, processed)", f"{garbage_files} B", "",
             f"whole office folder {garbage_all:+d} B; write_bytes {garbage_io} B; target 0",
             verdict(garbage_files == 0 and garbage_all == 0)),
        ])
        print(f"attack answered: {refused}; the attack phase lasted {storm_all:.1f} s "
              f"(signed slow bodies are cut at the 30 s body floor)")
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)
