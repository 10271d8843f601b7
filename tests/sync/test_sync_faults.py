"""The fault matrix: every case ends with exact counts at the office (nothing lost,
nothing duplicated) and nothing deleted at the station before its receipt."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import threading
import urllib.error
import urllib.request
from pathlib import Path

import orjson
import pytest
from aiohttp import web

from liaison.cli import exitcodes as ec
from liaison.hq.office import init_office
from liaison.security import keys
from liaison.store import Store
from liaison.sync import bundle
from liaison.sync.export import export
from liaison.sync.outbox import Outbox
from tests.sync._sync_world import (
    LIAISON,
    World,
    free_port,
    run,
    seed,
    start_server,
    station_records,
    stop_server,
    upload_headers,
)

FQ = "fengqiao-yuanfang"


def drop(world: World, path: Path, data: bytes | None = None) -> None:
    (world.drop / "inbox" / path.name).write_bytes(path.read_bytes() if data is None else data)


def edit(home: Path, key: str, **edits) -> None:
    s = Store.open(home)
    s.edit(key, edits)
    s.close()


@pytest.fixture
def fq(world):
    home = world.station(FQ)
    ids = seed(home, FQ)
    return home, ids


def test_bundle_delivered_twice(world, fq):
    home, ids = fq
    b = export(home).path
    drop(world, b)
    assert world.ingest()["accepted"] == len(ids)
    drop(world, b)
    s = world.ingest()
    assert (s["accepted"], s["replays"], s["quarantined"]) == (0, 1, 0)
    assert len(world.records()) == len(ids)


def test_out_of_order_and_missing_bundles(world, fq):
    home, ids = fq
    b1 = export(home).path
    edit(home, ids[0], status="resolved")
    b2 = export(home).path
    edit(home, ids[0], advice="再次回访")
    b3 = export(home).path
    drop(world, b3)
    s = world.ingest()
    assert (s["accepted"], s["gaps"], s["missing"]) == (1, 2, {FQ: [1, 2]})  # later bundle still merged
    assert world.records()[ids[0]]["version"] == 3
    drop(world, b2)
    s = world.ingest()
    assert (s["accepted"], s["stale"], s["gaps"]) == (0, 1, 1)
    drop(world, b1)
    s = world.ingest()
    assert (s["accepted"], s["stale"], s["gaps"]) == (len(ids) - 1, 1, 0)
    office = world.records()
    assert len(office) == len(ids) and office[ids[0]]["version"] == 3 and office[ids[0]]["advice"] == "再次回访"


def _quarantined(world: World, data: bytes, kind: str) -> None:
    (world.drop / "inbox" / "x.bundle").write_bytes(data)
    s = world.ingest()
    assert (s["quarantined"], s["accepted"]) == (1, 0)
    reasons = list((world.hq / "quarantine").glob("*.reason.txt"))
    assert reasons and reasons[-1].read_text().splitlines()[0] == kind
    assert world.records() == {}
    assert not list((world.drop / "inbox").glob("*.bundle"))


@pytest.mark.parametrize("damage,kind", [
    ("truncate", "malformed"), ("payload", "bad-signature"), ("manifest", "bad-signature"),
    ("signature", "bad-signature"), ("garbage", "malformed")])
def test_damaged_bundles_are_quarantined_and_the_rest_go_on(world, fq, damage, kind):
    home, ids = fq
    data = export(home).path.read_bytes()
    if damage == "truncate":
        bad = data[: len(data) // 2]
    elif damage == "garbage":
        bad = b"\x00\xff" * 100
    else:
        doc = orjson.loads(data)
        if damage == "payload":
            p = doc["manifest"]["payload"]
            i = len(p) // 2
            doc["manifest"]["payload"] = p[:i] + ("A" if p[i] != "A" else "B") + p[i + 1:]
        elif damage == "manifest":
            doc["manifest"]["created_at"] = doc["manifest"]["created_at"].replace("2", "3", 1)
        else:
            s = doc["signature"]
            doc["signature"] = ("A" if s[0] != "A" else "B") + s[1:]
        bad = orjson.dumps(doc)
    _quarantined(world, bad, kind)
    drop(world, home / "outbox" / "pending" / bundle.file_name(FQ, 1))
    assert world.ingest()["accepted"] == len(ids)  # the intact copy still goes in


def test_one_flipped_byte_anywhere_is_caught(world, fq):
    home, _ = fq
    data = bytearray(export(home).path.read_bytes())
    for pos in (len(data) // 3, len(data) - 20, 30):
        bad = bytearray(data)
        bad[pos] ^= 0x01
        (world.drop / "inbox" / f"flip{pos}.bundle").write_bytes(bytes(bad))
    s = world.ingest()
    assert (s["quarantined"], s["accepted"], len(world.records())) == (3, 0, 0)


def test_unenrolled_station_is_refused(world):
    home = world.station("rider-friendly", enroll=False)
    seed(home, "rider-friendly")
    _quarantined(world, export(home).path.read_bytes(), "unknown-station")


def test_bundle_for_another_office(world, fq, tmp_path):
    home, _ = fq
    other = init_office(tmp_path / "other-hq", "别的院")
    keys.install_office_key(home, other)
    _quarantined(world, export(home).path.read_bytes(), "wrong-office")


def test_replayed_old_bundle_changes_nothing(world, fq):
    home, ids = fq
    b1 = export(home).path.read_bytes()
    edit(home, ids[0], status="resolved")
    b2 = export(home).path
    drop(world, home / "outbox" / "pending" / bundle.file_name(FQ, 1))
    drop(world, b2)
    world.ingest()
    (world.drop / "inbox" / "old.bundle").write_bytes(b1)
    s = world.ingest()
    assert (s["replays"], s["accepted"], s["stale"]) == (1, 0, 0)
    assert world.records()[ids[0]]["version"] == 2 and len(world.records()) == len(ids)


def test_edit_after_export_new_version_wins_and_delete_arrives(world, fq):
    home, ids = fq
    export(home)
    edit(home, ids[0], status="resolved")
    s = Store.open(home)
    s.delete(ids[1])
    s.close()
    export(home)
    pending = sorted((home / "outbox" / "pending").glob("*.bundle"))
    for p in reversed(pending):  # newest first: the older bundle must not win
        drop(world, p)
    world.ingest()
    office = world.records()
    assert office[ids[0]]["version"] == 2 and office[ids[0]]["status"] == "resolved"
    assert office[ids[1]]["deleted"] is True and len(office) == len(ids)


def test_conflict_same_version_different_content_is_kept_for_review(world, fq):
    home, ids = fq
    drop(world, export(home).path)
    world.ingest()
    rec = dict(station_records(home)[ids[0]], summary="另一台电脑上的不同内容")
    forged = bundle.build([rec], station=FQ, number=2, prev_digest="", signing_key=keys.station_signing_key(home),
                          office=keys.office_public(home).x25519)
    (world.drop / "inbox" / "c.bundle").write_bytes(forged.data)
    s = world.ingest()
    assert (s["conflicts"], s["accepted"]) == (1, 0)
    assert world.records()[ids[0]]["summary"] != rec["summary"]  # the first version stays
    status = json.loads(run("hq", "status", "--home", str(world.hq), "--json").stdout)
    assert status["conflicts"] == 1


def test_crash_between_bundle_and_state_is_recovered(world, fq):
    home, ids = fq
    box = Outbox(home / "outbox")
    before = (box.root / "state.json").read_bytes() if (box.root / "state.json").exists() else None
    b1 = export(home)
    # Simulate the crash: the bundle is durable, the state never moved.
    if before is None:
        (box.root / "state.json").unlink()
    edit(home, ids[0], status="resolved")
    b2 = export(home)
    assert (b1.number, b2.number) == (1, 2) and b2.count == 1  # adopted, not re-numbered, nothing skipped
    for p in sorted(box.pending.glob("*.bundle")):
        drop(world, p)
    s = world.ingest()
    assert (s["accepted"], s["gaps"], s["quarantined"]) == (len(ids) + 1, 0, 0)


def test_office_unreachable_then_reachable(world, fq):
    home, ids = fq
    url = f"http://127.0.0.1:{free_port()}"
    r = run("--home", str(home), "sync", "--to", url)
    assert r.returncode == ec.UNREACHABLE and "1 pending" in r.stdout and "Traceback" not in r.stderr
    r = run("--home", str(home), "sync", "--to", str(world.root / "not-mounted"))
    assert r.returncode == ec.UNREACHABLE and "not mounted" in r.stderr
    assert len(list((home / "outbox" / "pending").glob("*.bundle"))) == 1
    proc = start_server(world.hq, int(url.rsplit(":", 1)[1]))
    try:
        r = run("--home", str(home), "sync", "--to", url)
        assert r.returncode == ec.OK, r.stderr
    finally:
        stop_server(proc)
    assert len(world.records()) == len(ids)


def test_http_status_codes(world, fq, tmp_path):
    home, _ = fq
    port = free_port()
    proc = start_server(world.hq, port, "--max-bytes", "200000")
    base = f"http://127.0.0.1:{port}"

    def post(data: bytes, sender: Path = home) -> int:
        req = urllib.request.Request(base + "/bundles", data=data, method="POST", headers=upload_headers(sender, data))
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status
        except urllib.error.HTTPError as e:
            assert "error" in json.loads(e.read())
            return e.code

    try:
        good = export(home).path.read_bytes()
        doc = orjson.loads(good)
        doc["manifest"]["count"] += 1
        assert post(b"not json") == 400
        assert post(orjson.dumps(doc)) == 403
        stranger = World(tmp_path / "w2").station("rider-friendly", enroll=False)
        seed(stranger, "rider-friendly")
        assert post(export(stranger).path.read_bytes(), stranger) == 403
        other = init_office(tmp_path / "other-hq", "别的院")
        keys.install_office_key(home, other)
        edit(home, station_records(home).popitem()[0], status="resolved")
        assert post(export(home).path.read_bytes()) == 422
        assert post(b"x" * 300_000) == 413
        assert post(good) == 200 and post(good) == 200  # a replay gets its receipt again
        with urllib.request.urlopen(base + "/health", timeout=5) as r:
            assert json.loads(r.read())["ok"] is True
    finally:
        stop_server(proc)


def test_sync_killed_mid_delivery_then_run_again(world, fq):
    """SIGKILL while the office has ingested a bundle but its reply has not arrived."""
    home, ids = fq
    for i in range(3):
        edit(home, ids[i], advice=f"第{i}次补充")
        export(home)
    port = free_port()
    office = start_server(world.hq, port)
    seen, hold = threading.Event(), threading.Event()

    async def forward_then_hang(request: web.Request) -> web.Response:
        body = await request.read()
        signed = {k: v for k, v in request.headers.items() if k.lower().startswith("x-liaison-")}
        got = urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/bundles", data=body,
                                                            method="POST", headers=signed), timeout=30).read()
        seen.set()
        while not hold.is_set():
            await asyncio.sleep(0.05)
        return web.Response(body=got)

    app = web.Application()
    app.router.add_post("/bundles", forward_then_hang)
    runner = web.AppRunner(app)
    proxy_port = free_port()
    loop = asyncio.new_event_loop()
    loop.run_until_complete(runner.setup())
    loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", proxy_port).start())
    t = threading.Thread(target=loop.run_forever, daemon=True)
    t.start()
    try:
        proc = subprocess.Popen([*LIAISON, "--home", str(home), "sync", "--to", f"http://127.0.0.1:{proxy_port}"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert seen.wait(30)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        assert len(list((home / "outbox" / "pending").glob("*.bundle"))) == 3  # nothing lost at the station
        r = run("--home", str(home), "sync", "--to", f"http://127.0.0.1:{port}")
        assert r.returncode == ec.OK and "3 delivered, 0 pending" in r.stdout, r.stderr
    finally:
        hold.set()
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        t.join(5)
        stop_server(office)
    office_recs = world.records()
    assert len(office_recs) == len(ids)
    assert all(office_recs[i]["version"] == v["version"] for i, v in station_records(home).items())
    with world.office() as o:
        assert o.db.gaps(FQ) == [] and o.db.station_status(FQ)["bundles"] == 3
