"""The station's audit log travels to the office in the bundles: each entry arrives once,
the office checks that every batch continues the chain it holds, and a log doctored
at the station (even re-hashed so that the station's own `verify` passes) shows up
there as a break, without costing the records of the bundle."""

from __future__ import annotations

import hashlib
import json
import os
import shutil

import orjson

from liaison.hq.report import build_report
from liaison.security.audit import LOG, AuditLog, verify
from liaison.security.audit_verify import canonical
from liaison.sync.export import export
from liaison.sync.outbox import Outbox
from liaison.sync.run import sync
from tests.sync._sync_world import office_staff, run, seed

FQ = "fengqiao-yuanfang"
KEY = os.urandom(32)


def _log(home, n, action="view"):
    for i in range(n):
        AuditLog(home).record("王检察官", action, f"FQYF-{i:03d}", {"field": "phone", "i": i}, data_key=KEY)


def _station_entries(home):
    return [orjson.loads(line) for line in (home / LOG).read_bytes().splitlines()]


def _night(world, home):
    """sync (bundle to the drop folder), office ingest, sync (collect the receipt)."""
    sync(home, [str(world.drop)])
    summary = world.ingest()
    assert sync(home, [str(world.drop)]).pending == 0
    return summary


def _office_audit(world, station=FQ):
    with world.office() as o:
        return o.db.audit_entries(station), o.db.audit_status(station)


def test_entries_arrive_once_and_continue_the_chain(world):
    home = world.station(FQ)
    seed(home, FQ, n=3)
    _log(home, 4)
    s1 = _night(world, home)
    assert (s1["accepted"], s1["audit"], s1["audit_breaks"]) == (3, 4, 0)
    got, status = _office_audit(world)
    # Exactly the station's entries, sealed details and all; then the export's own entry.
    assert got == _station_entries(home)[:4]
    assert _station_entries(home)[4]["action"] == "export" and _station_entries(home)[4]["details"]["bundle"] == 1
    assert status["ok"] and status["head"] == 4 and status["breaks"] == []

    # Next night: no record changed, but an officer looked at records: an audit-only bundle.
    _log(home, 2)
    s2 = _night(world, home)
    assert (s2["accepted"], s2["bundles"], s2["audit"], s2["audit_breaks"]) == (0, 1, 3, 0)
    got, status = _office_audit(world)
    assert got == _station_entries(home)[:7] and status["ok"] and status["head"] == 7
    assert Outbox(home / "outbox").state()["audit_n"] == 7

    # A quiet night: only the last export's own entry is new; no bundle for that alone.
    made = export(home)
    assert made.path is None
    assert verify(home / LOG).ok


def test_replays_do_not_duplicate(world):
    home = world.station(FQ)
    seed(home, FQ, n=2)
    _log(home, 3)
    _night(world, home)
    delivered = sorted((home / "outbox" / "delivered").glob("*.bundle"))
    shutil.copyfile(delivered[0], world.drop / "inbox" / delivered[0].name)
    s = world.ingest()
    assert (s["replays"], s["audit"], s["audit_breaks"]) == (1, 0, 0)
    # The outbox forgot what it shipped (e.g. restored from an old backup): the same
    # entries come again in a new bundle; the office keeps one copy and sees no break.
    box = Outbox(home / "outbox")
    state = box.state()
    box.save_state({**state, "audit_n": 0})
    _log(home, 1)
    s = _night(world, home)
    assert (s["bundles"], s["audit"], s["audit_breaks"]) == (1, 2, 0)  # the export entry of night 1 and the new view
    got, status = _office_audit(world)
    assert [e["n"] for e in got] == list(range(1, 6)) and status["ok"]
    assert got == _station_entries(home)[:5]


def _rewrite(home, entries):
    """Write a doctored log back, re-hashing the chain so the station's verify passes."""
    prev = "0" * 64
    lines = []
    for i, e in enumerate(entries, 1):
        e = {**e, "n": i, "prev": prev}
        e["hash"] = hashlib.sha256(canonical(e)).hexdigest()
        prev = e["hash"]
        lines.append(orjson.dumps(e))
    (home / LOG).write_bytes(b"\n".join(lines) + b"\n")


def test_shipped_entry_rewritten_at_the_station_shows_as_a_break(world):
    home = world.station(FQ)
    seed(home, FQ, n=2)
    _log(home, 4)
    _night(world, home)
    # Someone removes entry 2 (already at the office) and re-hashes everything after it.
    entries = _station_entries(home)
    _rewrite(home, entries[:1] + entries[2:])
    assert verify(home / LOG).ok  # the station alone cannot tell
    _log(home, 1)
    ids = seed(home, FQ, n=1)
    s = _night(world, home)
    # The station no longer holds the entry it last shipped as it was, so the whole log
    # goes again and the office names every entry that differs from its copy, from 2 on.
    assert s["accepted"] == 1 and s["audit_breaks"] >= 1  # the record still arrives
    assert ids[0] in world.records()
    _, status = _office_audit(world)
    assert not status["ok"]
    breaks = status["breaks"]
    assert breaks[0]["kind"] == "replaced" and breaks[0]["n"] == 2 and breaks[0]["bundle"] == 2, breaks
    # Shown by `liaison hq status` and in the office report.
    r = run("hq", "status", "--home", str(world.hq), "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["audit_breaks"] == len(breaks) and out["stations"][0]["audit"]["breaks"][0]["kind"] == "replaced"
    r = run("hq", "status", "--home", str(world.hq))
    assert "断链" in r.stdout and "audit chain break" in r.stderr and "Traceback" not in r.stderr
    with world.office() as o:
        rep = build_report(o.db, office_staff(o).opener)
    assert rep["audit_breaks"] == len(breaks) and rep["sync"][0]["audit_ok"] is False
    # Reported once: later nights continue from what the station now holds.
    _log(home, 2)
    _night(world, home)
    _, status = _office_audit(world)
    assert len(status["breaks"]) == len(breaks)


def test_a_log_rolled_back_below_what_was_shipped_still_reaches_the_office(world):
    """Restored from an old backup: new entries reuse numbers the office already has."""
    home = world.station(FQ)
    seed(home, FQ, n=1)
    _log(home, 4)
    _night(world, home)
    lines = (home / LOG).read_bytes().splitlines(keepends=True)
    (home / LOG).write_bytes(b"".join(lines[:3]))  # back to three entries
    _log(home, 3)  # numbered 4, 5, 6 again, but other entries
    _night(world, home)
    _, status = _office_audit(world)
    kinds = {b["kind"] for b in status["breaks"]}
    assert not status["ok"] and "replaced" in kinds and kinds <= {"replaced", "relinked"}, status["breaks"]
    assert min(b["n"] for b in status["breaks"]) == 4


def test_a_torn_line_is_one_break_however_many_nights_carry_it(world):
    home = world.station(FQ)
    seed(home, FQ, n=1)
    _log(home, 2)
    with open(home / LOG, "ab") as f:
        f.write(b'{"n": 99, "at": "2026-11-2')  # a power cut mid-append
    for _ in range(3):
        _log(home, 1)  # the next append starts on a line of its own
        _night(world, home)
    _, status = _office_audit(world)
    assert [b["kind"] for b in status["breaks"]] == ["unreadable"]


def test_unshipped_entry_removed_or_edited_shows_as_a_break(world):
    home = world.station(FQ)
    seed(home, FQ, n=1)
    _night(world, home)
    _log(home, 5)
    lines = (home / LOG).read_bytes().splitlines()
    n_removed = orjson.loads(lines[2])["n"]
    edited = orjson.loads(lines[4])
    edited["target"] = "FQYF-999"  # edited without re-hashing
    lines = lines[:2] + lines[3:4] + [orjson.dumps(edited)] + lines[5:]
    (home / LOG).write_bytes(b"\n".join(lines) + b"\n")
    s = _night(world, home)
    assert s["audit_breaks"] == 2
    _, status = _office_audit(world)
    kinds = {(b["kind"], b["n"]) for b in status["breaks"]}
    assert kinds == {("missing", n_removed), ("altered", edited["n"])}, status["breaks"]


def test_recovered_bundle_moves_the_audit_mark(world):
    """A crash after the bundle was written but before the state: the adopted bundle
    brings its audit mark, so its entries are not shipped twice."""
    home = world.station(FQ)
    seed(home, FQ, n=1)
    _log(home, 3)
    box = Outbox(home / "outbox")
    before = box.state()
    made = export(home)
    assert made.audit == 3
    box.save_state(before)  # as if the state write had never happened
    _log(home, 1)
    again = export(home)  # adopts bundle 1 first
    assert again.number == 2 and again.audit == 2  # the export entry and the new one
    assert box.state()["audit_n"] == 5


def test_a_late_bundle_fills_in_the_chain_without_a_lasting_break(world):
    """Issue 12, case 5: bundle #2 arrives after #3 (truncated on the stick, resent):
    while #2 is missing the office may say so, but once it arrives the chain is whole."""
    home = world.station(FQ)
    seed(home, FQ, n=2)
    _log(home, 2)
    _night(world, home)
    _log(home, 3)
    two = export(home).path
    seed(home, FQ, n=1)
    _log(home, 2)
    three = export(home).path
    inbox = world.drop / "inbox"
    shutil.copy2(three, inbox / three.name)
    world.ingest()
    _, status = _office_audit(world)
    assert [b["kind"] for b in status["breaks"]] == ["missing"]  # told while #2 is away
    shutil.copy2(two, inbox / two.name)
    summary = world.ingest()
    got, status = _office_audit(world)
    assert status["ok"] and status["breaks"] == [], status["breaks"]
    assert [e["n"] for e in got] == list(range(1, len(got) + 1))
    assert summary["audit_breaks"] == 0
    # A real break is still found: an entry already received, changed and sent again.
    entries = _station_entries(home)
    doctored = dict(entries[0], target="FQYF-999")
    doctored["hash"] = hashlib.sha256(canonical(doctored)).hexdigest()
    with world.office() as o:
        o.db._take_audit(FQ, 99, "2026-12-01T00:00:00+08:00", [doctored], __import__("collections").Counter())
        assert [b["kind"] for b in o.db.audit_status(FQ)["breaks"]] == ["replaced"]
