"""Issue 12, encryption at rest at the office: the office thief's test.

A realistic cycle — three stations, the scenario walk-ins, two nights with edits and
deletes, a refused bundle in quarantine, reports written into the office folder by a
careless operator — then every byte under the office folder (database, WAL, quarantine,
processed, audit log, reports) is scanned, as a thief with the disk and no PIN would,
for each resident's name and phone and every 3-character span of every summary.
The thief also has the transport key (keys/office.x25519, in clear because the inbox is
unattended): it must not open the bundles the office keeps either.
"""

from __future__ import annotations

import json
import os
import subprocess
from datetime import date
from pathlib import Path

import pytest

from liaison.cli import exitcodes as ec  # noqa: E402
from liaison.demo_data import scenarios  # noqa: E402
from liaison.security import keys
from liaison.security.audit import AuditLog  # noqa: E402
from liaison.sync import bundle  # noqa: E402
from liaison.sync.bundle import BundleRejected  # noqa: E402
from tests.sync._sync_world import (
    AS_OFFICE,
    LIAISON,
    OFFICE_OFFICER,
    World,
    office_staff,
    officer_setup,
    opened_office,
    run,
    seed,
)

STATIONS = ("fengqiao-yuanfang", "fengqiao-ban", "rider-friendly")


def secrets_of_the_scenarios() -> list[str]:
    """What must not be found: names, phones, and every 3-character span of every summary."""
    found = []
    for _, m in scenarios(date(2026, 11, 20)):
        v = m.get("visitor") or {}
        found += [x for x in (v.get("name"), v.get("phone")) if x]
        s = m["summary"]
        # A span of ASCII alone ("800", "12 ") also turns up in any hash, key or timestamp:
        # every span with a Chinese character in it is searched, which is nearly all of them.
        found += [s[i:i + 3] for i in range(len(s) - 2) if not s[i:i + 3].isascii()]
    return sorted(set(found))


def night(world: World, homes: dict[str, Path]) -> dict:
    for home in homes.values():
        assert run("--home", str(home), "sync", "--to", str(world.drop)).returncode in (ec.OK, ec.SYNC_PENDING)
    return world.ingest()


@pytest.fixture
def office_after_a_cycle(tmp_path):
    world = World(tmp_path)
    homes = {sid: world.station(sid) for sid in STATIONS}
    ids = {sid: seed(home, sid) for sid, home in homes.items()}
    who = {sid: officer_setup(home, sid) for sid, home in homes.items()}
    first = night(world, homes)
    assert first["accepted"] == sum(map(len, ids.values())) == 14
    # Second night: edits and deletes at two stations.
    for sid in ("fengqiao-yuanfang", "rider-friendly"):
        home = str(homes[sid])
        assert run("--home", home, "edit", ids[sid][0], "--set", "status=resolved", *who[sid], pin=True).returncode == 0
        assert run("--home", home, "delete", ids[sid][1], "--yes", *who[sid], pin=True).returncode == 0
    second = night(world, homes)
    assert second["accepted"] == 4 and second["quarantined"] == 0
    # A bundle signed by an enrolled station but refused (its number reused with other
    # content): it decrypts with the transport key, and is kept in quarantine.
    sid = "fengqiao-ban"
    forged = bundle.build([{**world.records()[ids[sid][0]], "version": 9}], station=sid, number=1,
                          prev_digest="", signing_key=keys.station_signing_key(homes[sid]),
                          office=keys.office_public(homes[sid]).x25519)
    (world.drop / "inbox" / "fengqiao-ban-000001.bundle").write_bytes(forged.data)
    assert world.ingest()["quarantined"] == 1
    # Staff read, and a careless operator writes the reports into the office folder.
    for argv in (("report", "--xlsx", str(world.hq / "report.xlsx")), ("report", "--html", str(world.hq / "r.html")),
                 ("report", "--json"), ("clusters", "--json"), ("list", "--json")):
        p = run("hq", argv[0], "--home", str(world.hq), *argv[1:], *AS_OFFICE, pin=True)
        assert p.returncode == ec.OK, p.stderr
    return world, ids, forged


def test_nothing_personal_is_readable_from_the_office_disk(office_after_a_cycle):
    world, ids, forged = office_after_a_cycle
    files = [p for p in world.hq.rglob("*") if p.is_file()]
    names = {p.relative_to(world.hq).parts[0] for p in files}
    assert {"office.db", "processed", "quarantine", "audit", "keys", "r.html", "report.xlsx"} <= names
    assert any(p.name.endswith("-wal") for p in files) or (world.hq / "office.db").stat().st_size > 0
    needles = secrets_of_the_scenarios()
    assert len(needles) > 500
    leaks = {}
    for p in files:
        data = p.read_bytes()
        hits = [n for n in needles if n.encode() in data]
        if hits:
            leaks[str(p.relative_to(world.hq))] = hits[:5]
    assert leaks == {}

    # The unlocked office reads them all back, whole (the scan above is not of an empty office).
    with world.office() as o:
        held = {r["id"]: r for r in office_staff(o).records(include_deleted=True)}
    assert len(held) == 14 and sum(r["deleted"] for r in held.values()) == 2
    assert held[ids["fengqiao-ban"][0]]["visitor"]["name"] == "钱志强"


def test_the_transport_key_on_the_disk_opens_no_kept_bundle(office_after_a_cycle):
    world, _, forged = office_after_a_cycle
    transport = keys.load_private(world.hq / "keys" / "office.x25519", bundle.X25519PrivateKey, "transport key")
    kept = [p for d in ("processed", "quarantine") for p in (world.hq / d).iterdir()
            if not p.name.endswith(".txt") and p.name != "dropped.json"]
    assert len(kept) == 3 + 2 + 1  # three stations' first night, two with changes after, the refused one
    for p in kept:
        assert p.read_bytes() != forged.data
        with pytest.raises(BundleRejected):
            bundle.open_payload(bundle.parse(p.read_bytes()), transport)


def test_reads_are_audited_and_a_wrong_pin_reads_nothing(office_after_a_cycle):
    world, _, _ = office_after_a_cycle
    p = run("hq", "list", "--home", str(world.hq), "--officer", OFFICE_OFFICER)  # no PIN, no terminal
    assert p.returncode == ec.PIN_NEEDED and p.stdout == ""
    bad = subprocess.run([*LIAISON, "hq", "list", "--home", str(world.hq), "--json", *AS_OFFICE], capture_output=True,
                         text=True, timeout=60, env={**os.environ, "LIAISON_PIN": "wrong-pin-77"})
    assert bad.returncode == ec.WRONG_PIN and bad.stdout == ""
    entries = [e for e in AuditLog(world.hq).entries_since(0)]
    acts = [(e["officer"], e["action"], e["target"]) for e in entries]
    assert (OFFICE_OFFICER, "unlock", "hq") in acts
    assert (OFFICE_OFFICER, "report", "hq report") in acts and (OFFICE_OFFICER, "report", "hq clusters") in acts
    assert (OFFICE_OFFICER, "view", "hq list") in acts and acts[-1] == (OFFICE_OFFICER, "unlock_failed", "hq")
    assert AuditLog(world.hq).verify().ok


def test_an_office_without_staff_refuses_to_take_anything(tmp_path):
    from liaison.hq.office import init_office

    bare = tmp_path / "bare"
    init_office(bare, "院本部")  # keys only: as an office set up before this version
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "x.bundle").write_bytes(b"anything")
    p = run("hq", "ingest", "--home", str(bare), str(inbox))
    assert p.returncode == ec.NOT_SET_UP and "liaison hq init --officer" in p.stderr
    assert (inbox / "x.bundle").exists() and not list((bare / "quarantine").iterdir())
    p = run("hq", "serve", "--home", str(bare), "--bind", "127.0.0.1:1")
    assert p.returncode == ec.NOT_SET_UP


def test_an_office_from_before_is_sealed_when_its_staff_are_set_up(tmp_path):
    """An office.db written in clear by an older version: `hq init --officer` seals every
    row and compacts the file, so the old bytes are gone too."""
    import sqlite3

    from liaison.hq.office import init_office
    from liaison.hq.schema import SCHEMA

    hq = tmp_path / "old-office"
    init_office(hq, "院本部")
    db = sqlite3.connect(hq / "office.db")
    rec = {"id": "00000000-0000-4000-8000-000000000001", "station": "fengqiao-yuanfang", "version": 1,
           "visited_at": "2026-11-20T09:00:00+08:00", "deleted": False, "summary": "旧版本明文保存的摘要内容",
           "visitor": {"name": "明文人", "phone": "13811112222", "party_size": 1}}
    db.executescript(SCHEMA)
    db.execute("INSERT INTO records (id, station, version, hash, deleted, visited_at, doc) VALUES (?,?,?,?,?,?,?)",
               (rec["id"], rec["station"], 1, "h", 0, rec["visited_at"], json.dumps(rec, ensure_ascii=False)))
    db.commit()
    db.close()
    p = run("hq", "init", "--home", str(hq), *AS_OFFICE, pin=True)
    assert p.returncode == 0, p.stderr
    for f in hq.rglob("*"):
        if f.is_file():
            data = f.read_bytes()
            assert not any(s.encode() in data for s in ("明文人", "13811112222", "明文保存")), f
    with opened_office(hq) as o:
        [back] = list(office_staff(o).records())
    assert back["visitor"]["name"] == "明文人" and back["summary"] == rec["summary"]

