"""The night cycle from the command line: two stations, one office, over a folder and
over HTTP (a real `liaison hq serve`), then a second night with an edit and a delete."""

from __future__ import annotations

import json
import subprocess
import sys

from liaison.cli import exitcodes as ec
from liaison.security.session import open_store, unlock
from tests.sync._sync_world import AS_OFFICE, PIN, STATIONS, officer_setup, run, seed, station_records


def _night_setup(world):
    homes = {sid: world.station(sid) for sid in STATIONS}
    for sid, home in homes.items():
        seed(home, sid)
    return homes


def _full_records(home, officer):
    """Every record in full, as an unlocked officer reads them (a sealed store's own
    files hold the personal fields encrypted)."""
    store = open_store(unlock(home, officer, PIN))
    try:
        return {c.id: c.to_dict() for c in store.load(store.index.by_id.values())}
    finally:
        store.close()


def _office_matches(world, homes, officers=None):
    office = world.records()
    expected = {}
    for sid, home in homes.items():
        expected.update(_full_records(home, officers[sid]) if officers and sid in officers else station_records(home))
    assert {i: (r["version"], r["deleted"]) for i, r in office.items()} == \
           {i: (r["version"], r["deleted"]) for i, r in expected.items()}
    for i, r in expected.items():
        assert office[i] == r  # the whole snapshot, byte for byte the station's
    return office


def test_night_cycle_over_a_folder(world):
    homes = _night_setup(world)
    total = sum(len(station_records(h)) for h in homes.values())
    for home in homes.values():
        r = run("--home", str(home), "sync", "--to", str(world.drop))
        assert r.returncode == ec.SYNC_PENDING, r.stderr
        assert "0 delivered, 1 pending" in r.stdout
    r = run("hq", "ingest", "--home", str(world.hq), str(world.drop / "inbox"), "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) | {"missing": {}} == {"accepted": total, "duplicates": 0, "conflicts": 0, "stale": 0,
                                                      "refused": 0, "foreign": 0, "quarantined": 0, "gaps": 0, "missing": {}, "bundles": 2,
                                                      "replays": 0, "audit": 0, "audit_breaks": 0}
    for home in homes.values():
        r = run("--home", str(home), "sync", "--to", str(world.drop))
        assert r.returncode == ec.OK and "1 delivered, 0 pending" in r.stdout, r.stderr
        assert len(list((home / "outbox" / "delivered").glob("*.bundle"))) == 1
        assert not list((home / "outbox" / "pending").iterdir())
    _office_matches(world, homes)
    r = run("hq", "list", "--home", str(world.hq), "--json", *AS_OFFICE, pin=True)
    listed = json.loads(r.stdout)
    who = officer_setup(homes["rider-friendly"], "rider-friendly")
    own = run("--home", str(homes["rider-friendly"]), "list", "--json", *who, pin=True)
    assert set(listed[0]) == set(json.loads(own.stdout)[0]) | {"station"}
    assert len(listed) == total
    # Re-ingesting the (now empty) inbox is harmless; nothing new to export (at the
    # station no officer unlocked since: the other one has audit entries to send).
    assert json.loads(run("hq", "ingest", "--home", str(world.hq), str(world.drop / "inbox"), "--json").stdout)["accepted"] == 0
    r = run("--home", str(homes["fengqiao-yuanfang"]), "export")
    assert r.returncode == 0 and r.stdout == "" and "nothing changed" in r.stderr


def test_night_cycle_over_http_two_nights(world, server):
    homes = _night_setup(world)
    for home in homes.values():
        r = run("--home", str(home), "sync", "--to", server)
        assert r.returncode == ec.OK, r.stderr
    _office_matches(world, homes)
    # Second night: an edit and a delete at 枫桥远坊, configured target instead of --to.
    home = homes["fengqiao-yuanfang"]
    ids = list(station_records(home))
    who = officer_setup(home, "fengqiao-yuanfang")
    assert run("--home", str(home), "keys", "--sync-to", server).returncode == 0
    assert run("--home", str(home), "edit", ids[0], "--set", "status=resolved", *who, pin=True).returncode == 0
    assert run("--home", str(home), "delete", ids[1], "--yes", *who, pin=True).returncode == 0
    r = run("--home", str(home), "sync", "--json")
    assert r.returncode == ec.OK, r.stderr
    rep = json.loads(r.stdout)
    assert rep["exported"] == 2 and rep["delivered"] == 1 and rep["pending"] == 0
    office = _office_matches(world, homes, {"fengqiao-yuanfang": who[1]})
    assert office[ids[0]]["status"] == "resolved" and office[ids[0]]["version"] == 2
    assert office[ids[1]]["deleted"] is True
    listed = {r["id"] for r in json.loads(run("hq", "list", "--home", str(world.hq), "--json", *AS_OFFICE, pin=True).stdout)}
    assert ids[1] not in listed and ids[0] in listed
    status = json.loads(run("hq", "status", "--home", str(world.hq), "--json").stdout)
    by = {s["station"]: s for s in status["stations"]}
    assert by["fengqiao-yuanfang"]["last_bundle"] == 2 and by["fengqiao-yuanfang"]["gaps"] == []
    assert status["quarantined"] == 0 and status["conflicts"] == 0


def test_sync_never_loads_textual(world):
    home = world.station("fengqiao-yuanfang")
    seed(home, "fengqiao-yuanfang")
    code = ("import sys\nfrom liaison.cli import main\n"
            f"rc = main(['--home', {str(home)!r}, 'sync', '--to', {str(world.drop)!r}])\n"
            "print(rc, sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.split("\n")[-2] == f"{ec.SYNC_PENDING} []", out.stderr


def test_clear_errors_without_keys_or_targets(world, tmp_path):
    home = tmp_path / "bare"
    assert run("--home", str(home), "init", "--station", "fengqiao-yuanfang", "--officer", "测试",
               pin=True).returncode == 0
    r = run("--home", str(home), "sync", "--to", str(world.drop))
    assert r.returncode == ec.KEYS and "liaison keys --hq-key" in r.stderr and "Traceback" not in r.stderr
    r = run("--home", str(home), "sync")
    assert r.returncode == ec.USAGE and "--to" in r.stderr
    r = run("hq", "status", "--home", str(tmp_path / "nohq"))
    assert r.returncode == ec.NOT_SET_UP and "hq init" in r.stderr
    r = run("hq", "ingest", "--home", str(world.hq), str(tmp_path / "missing"))
    assert r.returncode == ec.NOT_FOUND and "Traceback" not in r.stderr
