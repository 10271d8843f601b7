"""Retention: `liaison purge` removes the personal fields of old closed consultations,
and only of those whose latest version the office has acknowledged with a receipt
(a real export, office ingest and receipt through a folder target)."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import date, timedelta
from pathlib import Path

import orjson
import pytest

from liaison.cli import exitcodes as ec
from liaison.cli.purge_cmd import cutoff
from liaison.demo_data import scenarios
from liaison.domain.intake import fields_from_input
from liaison.domain.timeutil import today
from liaison.security.audit import AuditLog
from liaison.security.keyring import Keyring
from liaison.security.session import open_store, unlock
from liaison.store import Store
from liaison.store.errors import VersionConflict
from liaison.store.sealed import SealedStorage
from liaison.sync.run import sync
from tests.sync._sync_world import LIAISON, World

STATION = "fengqiao-yuanfang"
OFFICER, PIN = "王检察官", "ks83jd-x"
BASE = next(m for s, m in scenarios(date(2026, 11, 20)) if s == STATION)


@pytest.fixture
def world(tmp_path):
    return World(tmp_path)


def _mapping(tag: str, visited: date, status: str) -> dict:
    m = {k: v for k, v in BASE.items() if k not in ("follow_up_on", "officer")}
    m.update(visited_at=f"{visited.isoformat()}T10:00:00+08:00", status=status,
             summary=f"{tag}反映小区动迁补偿面积认定有误，要求复核", requests=f"{tag}要求重新测量",
             visitor={"name": f"{tag}", "phone": f"1390000{abs(hash(tag)) % 10000:04d}", "party_size": 1, "consent": True},
             notes=[{"at": f"{visited.isoformat()}T11:00:00+08:00", "officer": OFFICER, "text": f"{tag}回访记录"}],
             clue={"flag": True, "note": f"{tag}线索说明"})
    return m


OLD, YOUNG = today() - timedelta(days=4 * 365), today() - timedelta(days=365)
CASES = {  # name: (visited, status)
    "欧阳清雪": (OLD, "closed"),  # old, closed, acknowledged → purged
    "司马青山": (OLD, "resolved"),  # old, resolved, acknowledged → purged
    "上官明月": (OLD, "open"),  # old but open → untouched
    "诸葛春华": (YOUNG, "closed"),  # closed but young → untouched
    "东方晓白": (OLD, "closed"),  # acknowledged, then edited: latest version has no receipt → kept
}
LATE = "公孙夜雨"  # old and closed, but created after the last sync → kept


def _station(world: World) -> tuple[Path, dict[str, str]]:
    home = world.station(STATION)
    Keyring.create(home, STATION, OFFICER, PIN)
    store = open_store(unlock(home, OFFICER, PIN))
    made = store.create_many([fields_from_input(_mapping(n, *v), officer=OFFICER) for n, v in CASES.items()])
    refs = {n: c.ref for n, c in zip(CASES, made, strict=True)}
    store.close()
    # One night: export to the drop folder, the office ingests, the receipt comes back.
    sync(home, [str(world.drop)])
    world.ingest()
    assert sync(home, [str(world.drop)]).pending == 0
    store = open_store(unlock(home, OFFICER, PIN))
    store.edit(refs["东方晓白"], {"advice": "补充说明：已转法律援助"})
    refs[LATE] = store.create(fields_from_input(_mapping(LATE, OLD, "closed"), officer=OFFICER)).ref
    store.close()
    return home, refs


def _purge(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "LIAISON_PIN": PIN}
    return subprocess.run([*LIAISON, "--home", str(home), "purge", "--officer", OFFICER, *args],
                          capture_output=True, text=True, timeout=60, env=env)


def _unsealed(home: Path) -> bytes:
    """Every shard as an unlocked officer reads it."""
    session = unlock(home, OFFICER, PIN)
    return b"".join(orjson.dumps(SealedStorage(p, session.sealer).read())
                    for p in sorted((home / "consultations").glob("*.json")))


def test_purge_removes_acknowledged_closed_records_only(world):
    home, refs = _station(world)
    dry = _purge(home, "--older-than", "3y", "--dry-run", "--json")
    assert dry.returncode == ec.OK, dry.stderr
    assert json.loads(dry.stdout)["purged_refs"] == sorted([refs["欧阳清雪"], refs["司马青山"]])
    assert "欧阳清雪".encode() in _unsealed(home)  # a dry run changes nothing

    r = _purge(home, "--older-than", "3y", "--json")
    assert r.returncode == ec.OK, r.stderr
    out = json.loads(r.stdout)
    assert out["purged_refs"] == sorted([refs["欧阳清雪"], refs["司马青山"]])
    assert out["kept_refs"] == sorted([refs["东方晓白"], refs[LATE]])  # no receipt for their latest version
    assert out["dry_run"] is False and "Traceback" not in r.stderr

    # Gone from the disk, and from what an unlocked officer reads (sealed copy for the office included).
    raw, unsealed = b"".join(p.read_bytes() for p in home.rglob("*.json")), _unsealed(home)
    for name in ("欧阳清雪", "司马青山"):
        assert name.encode() not in raw and name.encode() not in unsealed
        for text in (f"{name}回访记录", f"{name}线索说明", f"{name}要求重新测量"):
            assert text.encode() not in unsealed
    for name in ("上官明月", "诸葛春华", "东方晓白", LATE):
        assert name.encode() in unsealed and name.encode() not in raw

    store = open_store(unlock(home, OFFICER, PIN))
    c = store.get(refs["欧阳清雪"])
    assert (c.visitor.name, c.visitor.phone, c.summary, c.requests, c.advice, c.clue.note, c.details) == \
        (None, None, "", "", "", "", {})
    assert [n.text for n in c.notes] == [""] and c.notes[0].officer == OFFICER and c.clue.flag
    assert c.status == "closed" and c.version == 1 and c.category == BASE["category"]
    assert store.index.search("欧阳清雪") == [] and store.index.search("上官明月")
    with pytest.raises(VersionConflict):  # a new version would blank the office's copy
        store.edit(refs["欧阳清雪"], {"status": "open"})
    store.close()

    # The office keeps its full copy; the purged records are not exported again.
    clear = {r["ref"]: r for r in Store.read_changes(home, 0)[1]}
    assert clear[refs["欧阳清雪"]]["purged_at"]
    office = {r["ref"]: r for r in world.records().values()}
    assert office[refs["欧阳清雪"]]["visitor"]["name"] == "欧阳清雪"
    rep = sync(home, [str(world.drop)])
    assert rep.exported == 2  # 东方晓白's edit and 公孙夜雨, nothing purged
    world.ingest()
    assert {r["ref"]: r for r in world.records().values()}[refs["欧阳清雪"]]["visitor"]["name"] == "欧阳清雪"

    # Audited under the officer's name.
    purge_entries = [e for e in AuditLog(home).entries_since(0) if e.get("action") == "purge"]
    assert len(purge_entries) == 1 and purge_entries[0]["officer"] == OFFICER

    # Once their receipt is back, the kept ones go too; purging again is harmless.
    assert sync(home, [str(world.drop)]).pending == 0
    out = json.loads(_purge(home, "--older-than", "3y", "--json").stdout)
    assert out["purged_refs"] == sorted([refs["东方晓白"], refs[LATE]]) and out["kept_refs"] == []
    assert out["already_purged"] == 2


def test_without_any_receipt_nothing_is_purged(world, tmp_path):
    home = world.station(STATION)
    Keyring.create(home, STATION, OFFICER, PIN)
    store = open_store(unlock(home, OFFICER, PIN))
    made = store.create_many([fields_from_input(_mapping(n, *v), officer=OFFICER) for n, v in CASES.items()])
    store.close()
    sync(home, [str(world.drop)])  # sent, but the office has not answered
    r = _purge(home, "--json")  # the profile's retention_years (3)
    assert r.returncode == ec.OK, r.stderr
    out = json.loads(r.stdout)
    assert out["purged"] == 0 and len(out["kept_refs"]) == 3 and "receipt" in r.stderr
    assert out["cutoff"].startswith(cutoff(today(), 3, "y").isoformat())
    assert all(n.encode() in _unsealed(home) for n in CASES)
    assert {c.ref for c in made} >= set(out["kept_refs"])


@pytest.mark.parametrize("age", ["3 weeks", "3000y", "0d"])
def test_bad_age_is_refused_before_the_pin(world, age):
    home = world.station(STATION)
    Keyring.create(home, STATION, OFFICER, PIN)
    r = subprocess.run([*LIAISON, "--home", str(home), "purge", "--older-than", age],
                       capture_output=True, text=True, timeout=60, env={k: v for k, v in os.environ.items()
                                                                        if k != "LIAISON_PIN"})
    assert r.returncode == ec.USAGE and "3y" in r.stderr and "Traceback" not in r.stderr


def test_cutoff_arithmetic():
    from liaison.cli.purge_cmd import parse_age

    assert cutoff(date(2028, 2, 29), *parse_age("3y")) == date(2025, 2, 28)
    assert cutoff(date(2026, 8, 31), *parse_age("18m")) == date(2025, 2, 28)
    assert cutoff(date(2026, 3, 1), *parse_age("90d")) == date(2025, 12, 1)
    assert cutoff(date(2026, 3, 1), *parse_age("2年")) == date(2024, 3, 1)
