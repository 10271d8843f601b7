"""The office benchmark's steps, each run in a fresh process by liaison.bench.office
(`python -m liaison.bench.office_steps ingest|cli ...`, or the BARE / DASHBOARD scripts),
so that each one's peak RSS (VmHWM) is its own. Each prints its figures as one JSON line."""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import time
from pathlib import Path

from .common import peak_rss_mb

PIN = "bench-2468"
OFFICER = "bench"


def step_ingest(hq: str, inbox: str) -> dict:
    import sqlite3

    from ..hq.ingest import ingest_folder
    from ..hq.office import Office
    from ..hq.schema import SCHEMA

    office = Office(Path(hq))
    t = time.perf_counter()
    summary, _ = ingest_folder(office, Path(inbox))
    ingest_s = time.perf_counter() - t
    rss = peak_rss_mb()
    # The anchor: the same stored rows, read back, inserted with executemany in one
    # transaction (chunks keep this process's memory flat; only inserts are timed).
    anchor = Path(hq).parent / "anchor.db"
    db = sqlite3.connect(anchor, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.executescript(SCHEMA)
    # (the columns SCHEMA makes: the tallied ones OfficeDB adds are left out of the floor)
    cur = office.db.db.execute("SELECT id, station, version, hash, deleted, visited_at, doc, sealed, batch "
                               "FROM records")
    anchor_s = 0.0
    db.execute("BEGIN")
    while rows := cur.fetchmany(50_000):
        t = time.perf_counter()
        db.executemany("INSERT INTO records VALUES (?,?,?,?,?,?,?,?,?)", rows)
        anchor_s += time.perf_counter() - t
    t = time.perf_counter()
    db.execute("COMMIT")
    anchor_s += time.perf_counter() - t
    db.close()
    office.close()
    anchor.unlink()
    return {"s": ingest_s, "anchor_s": anchor_s, "rss": rss, "accepted": summary["accepted"],
            "bundles": summary["bundles"], "quarantined": summary["quarantined"]}


class _Counted(io.TextIOBase):
    """Stands for the terminal or pipe (UTF-8, with a byte buffer beneath, as a real
    stdout has): counts what is printed instead of keeping it (a StringIO of
    `hq clusters --json` at 600 000 records held ~800 MB of this process)."""

    chars = 0

    def __init__(self) -> None:
        super().__init__()
        self.buffer = _CountedBytes(self)

    @property
    def encoding(self) -> str:  # type: ignore[override]  # TextIOBase's is None: no encoding
        return "utf-8"

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.chars += len(text)
        return len(text)


class _CountedBytes(io.RawIOBase):
    def __init__(self, text: _Counted) -> None:
        self.text = text

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.text.chars += len(data)  # bytes, not characters: the figure is only a size
        return len(data)


def step_cli(hq: str, *argv: str) -> dict:
    """A `liaison hq …` command through the CLI's own entry (what the officer runs)."""
    from ..cli import main
    from ..hq import staff

    unlock, spent = staff.unlock, [0.0]

    def timed_unlock(*a, **k):
        t = time.perf_counter()
        try:
            return unlock(*a, **k)
        finally:
            spent[0] += time.perf_counter() - t

    staff.unlock = timed_unlock
    os.environ["LIAISON_PIN"] = PIN
    out = _Counted()
    t = time.perf_counter()
    with contextlib.redirect_stdout(out):
        code = main(["hq", *argv[:1], "--home", hq, *argv[1:], "--officer", OFFICER])
    s = time.perf_counter() - t
    if code != 0:
        raise SystemExit(f"liaison hq {' '.join(argv)}: exit {code}")
    return {"s": s, "unlock_s": spent[0], "rss": peak_rss_mb(), "out": out.chars}


BARE = """
import sys, time
t0 = float(sys.argv[1])
from textual.app import App
from textual.widgets import Footer, Header, Static
class Bare(App):
    def compose(self):
        yield Header(); yield Static("hello"); yield Footer()
    def on_mount(self):
        self.call_after_refresh(self.done)
    def done(self):
        print(time.time() - t0); self.exit()
Bare().run(headless=True, size=(120, 40))
"""

DASHBOARD = """
import sys, time
t0 = float(sys.argv[1])
from pathlib import Path
t = time.time()
from liaison.hq.office import Office
from liaison.hq.staff import unlock
staff = unlock(Office(Path(sys.argv[2])), sys.argv[3], sys.argv[4])
unlock_s = time.time() - t
t0 += unlock_s  # the PIN is asked on the terminal before the app starts: not start-up
unlocked = time.time()
from liaison.tui.hq_app import HqApp, build_hq_app
from liaison.tui.screens.hq_dashboard import HqDashboardScreen
from liaison.bench.common import peak_rss_mb

first = {}
mount = HqApp.on_mount
def on_mount(self):
    mount(self)
    self.call_after_refresh(lambda: first.setdefault("frame", time.time() - t0))
HqApp.on_mount = on_mount
show, filled = HqDashboardScreen.show, HqDashboardScreen.show_clusters
def timed_show(self, *args, **kwargs):
    show(self, *args, **kwargs)
    self.app.call_after_refresh(lambda: first.setdefault("data", time.time() - unlocked))
def timed_clusters(self, *args, **kwargs):
    filled(self, *args, **kwargs)
    self.app.call_after_refresh(lambda: (first.setdefault("clusters", time.time() - unlocked), self.app.exit()))
HqDashboardScreen.show = timed_show
HqDashboardScreen.show_clusters = timed_clusters
build_hq_app(staff).run(headless=True, size=(120, 40))
print(first["frame"], first["data"], first["clusters"], unlock_s, peak_rss_mb())
"""


def main(argv: list[str]) -> int:
    what, *rest = argv
    got = step_ingest(*rest) if what == "ingest" else step_cli(*rest)
    print(json.dumps(got))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
