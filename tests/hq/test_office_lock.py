"""Issue 12, case 6: one writer at the office. A second writer (an `hq ingest` while
`hq serve` merges a big bundle) waits a bounded time, then exits 5 with a clear
message; never "database is locked" and exit 1."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from liaison.hq.ingest import ingest_bytes  # noqa: E402
from liaison.hq.lock import OfficeBusy, office_lock  # noqa: E402
from liaison.sync.export import export  # noqa: E402
from tests.sync._sync_world import LIAISON, World, seed, upload_headers

FQ = "fengqiao-yuanfang"
WAIT = "0.5"  # seconds a second writer waits in these tests (5 by default)


def ingest_cli(world: World) -> subprocess.CompletedProcess:
    env = {**os.environ, "LIAISON_HQ_LOCK_WAIT": WAIT}
    return subprocess.run([*LIAISON, "hq", "ingest", "--home", str(world.hq), str(world.drop / "inbox")],
                          capture_output=True, text=True, timeout=60, env=env)


def one_bundle(world: World) -> Path:
    home = world.station(FQ)
    seed(home, FQ, 5)
    made = export(home).path  # into the station's outbox; the stick carries a copy
    dest = world.drop / "inbox" / made.name
    dest.write_bytes(made.read_bytes())
    return dest


@contextmanager
def another_writer(hq: Path) -> Iterator[None]:
    """Another office process in the middle of a merge, for the length of the block."""
    held, release = threading.Event(), threading.Event()

    def writer() -> None:
        with office_lock(hq):
            held.set()
            release.wait(30)

    t = threading.Thread(target=writer)
    t.start()
    try:
        assert held.wait(10)
        yield
    finally:
        release.set()
        t.join()


def assert_busy(got: subprocess.CompletedProcess) -> None:
    assert got.returncode == 5, got.stderr
    assert "Traceback" not in got.stderr and "database is locked" not in got.stderr
    assert "院本部" in got.stderr and "busy" in got.stderr


def test_ingest_waits_then_exits_5_while_another_writer_holds_the_office(tmp_path: Path) -> None:
    world = World(tmp_path)
    bundle = one_bundle(world)
    with another_writer(world.hq):
        assert_busy(ingest_cli(world))
        assert bundle.exists()  # left in the inbox for the next run
    got = ingest_cli(world)
    assert got.returncode == 0, got.stderr
    assert len(world.records()) == 5


def test_ingest_exits_5_not_1_while_sqlite_is_held_by_a_writer(tmp_path: Path) -> None:
    """A writer that holds SQLite's own lock (an office program without our lock file,
    or a long merge) gives the same answer: busy, exit 5."""
    world = World(tmp_path)
    one_bundle(world)
    db = sqlite3.connect(world.hq / "office.db", isolation_level=None)
    db.execute("BEGIN IMMEDIATE")
    try:
        assert_busy(ingest_cli(world))
    finally:
        db.execute("ROLLBACK")
        db.close()
    got = ingest_cli(world)
    assert got.returncode == 0, got.stderr
    assert len(world.records()) == 5


def test_ingest_bytes_raises_office_busy_for_the_http_inbox(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("LIAISON_HQ_LOCK_WAIT", "0.2")
    world = World(tmp_path)
    bundle = one_bundle(world)
    data = bundle.read_bytes()
    with office_lock(world.hq):
        with world.office() as o:
            try:
                ingest_bytes(o, data, bundle.name)
            except OfficeBusy as e:
                assert "busy" in str(e)
            else:
                raise AssertionError("no OfficeBusy while another writer held the office")
    with world.office() as o:
        assert ingest_bytes(o, data, bundle.name).status == "ingested"


async def test_http_inbox_answers_503_while_busy_then_takes_the_bundle(tmp_path: Path, monkeypatch) -> None:
    """A station meeting a busy office keeps its bundle pending (5xx) and sends it again."""
    from aiohttp.test_utils import TestClient, TestServer

    from liaison.hq.server import make_app

    monkeypatch.setenv("LIAISON_HQ_LOCK_WAIT", "0.2")
    world = World(tmp_path)
    data = one_bundle(world).read_bytes()
    client = TestClient(TestServer(make_app(world.hq)))
    await client.start_server()
    try:
        with another_writer(world.hq):
            r = await client.post("/bundles", data=data, headers=upload_headers(world.root / FQ, data))
            assert r.status == 503 and (await r.json())["kind"] == "busy"
        r = await client.post("/bundles", data=data, headers=upload_headers(world.root / FQ, data))
        assert r.status == 200
    finally:
        await client.close()
    assert len(world.records()) == 5
