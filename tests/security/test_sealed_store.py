"""Encryption at rest in the store: what is on disk, who can open it, and what the
nightly export (no PIN) can still send to the office."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import orjson
import pytest

from liaison.cli import exitcodes as ec
from liaison.demo_data import scenarios
from liaison.domain.intake import fields_from_input
from liaison.security import keys
from liaison.security.keyring import Keyring
from liaison.security.session import drafts, open_store, unlock
from liaison.store import Store, StoreCorrupt, StoreLocked
from liaison.store.drafts import Drafts
from liaison.sync.export import export
from tests.sync._sync_world import LIAISON, World

STATION = "fengqiao-yuanfang"
PIN = "ks83jd-x"
MAPPINGS = [m for _, m in scenarios(date(2026, 11, 20))]


def _secrets() -> list[str]:
    """Names, phones and a 6-character span of each summary of the scenarios."""
    out = []
    for m in MAPPINGS:
        v = m.get("visitor") or {}
        out += [x for x in (v.get("name"), v.get("phone")) if x]
        out.append(m["summary"][2:8])
    return out


def _disk(home: Path) -> bytes:
    return b"\n".join(p.read_bytes() for p in home.rglob("*") if p.is_file())


def _leaks(home: Path) -> list[str]:
    raw = _disk(home)
    return [s for s in _secrets() if s.encode() in raw]


@pytest.fixture
def world(tmp_path):
    return World(tmp_path)


def _sealed_station(world: World) -> Path:
    home = world.station(STATION)
    Keyring.create(home, STATION, "王检察官", PIN)
    return home


def _seed(store: Store) -> None:
    store.create_many([fields_from_input(m, officer=store.officer) for m in MAPPINGS])


def test_sealed_store_keeps_no_personal_data_in_clear_and_reads_it_back(world):
    home = _sealed_station(world)
    store = open_store(unlock(home, "王检察官", PIN))
    _seed(store)
    c = store.create(fields_from_input(MAPPINGS[0], officer=store.officer))
    store.add_note(c.id, "回访：老板答应下周付款")
    store.close()
    assert _leaks(home) == []
    assert "回访：老板".encode() not in _disk(home)

    again = open_store(unlock(home, "王检察官", PIN))
    got = again.get(c.ref)
    assert got.visitor.name == MAPPINGS[0]["visitor"]["name"] and got.summary == MAPPINGS[0]["summary"]
    assert got.notes[-1].text == "回访：老板答应下周付款" and got.notes[-1].officer == "王检察官"
    phone_tail = MAPPINGS[0]["visitor"]["phone"][-4:]
    assert c.id in {r.id for r in again.index.search(phone_tail)}
    again.close()


def test_a_sealed_store_does_not_open_without_the_key(world):
    home = _sealed_station(world)
    open_store(unlock(home, "王检察官", PIN)).close()
    with pytest.raises(StoreLocked):
        Store.open(home)


def test_personal_parts_cannot_be_swapped_between_shards(world, monkeypatch):
    monkeypatch.setattr("liaison.store.consultations.SHARD_CAPACITY", 5)
    home = _sealed_station(world)
    store = open_store(unlock(home, "王检察官", PIN))
    made = [store.create(fields_from_input(m, officer="王检察官")) for m in MAPPINGS[:10]]
    store.close()
    one, two = sorted((home / "consultations").glob("0*.json"))[:2]
    original = one.read_bytes()
    a, b = orjson.loads(original), orjson.loads(two.read_bytes())
    # The list part (read at unlock) and the full part (read when a record is opened)
    # are each bound to their shard file.
    for part in ("_rows", "_sealed"):
        one.write_bytes(orjson.dumps({**a, part: b[part]}))
        s = open_store(unlock(home, "王检察官", PIN))
        try:  # named at open, its records not listed, and no write goes through
            assert any(one.name in p and "altered" in p for p in s.problems), s.problems
            with pytest.raises(StoreCorrupt):
                s.create(fields_from_input(MAPPINGS[11], officer="王检察官"))
        finally:
            s.close()
    one.write_bytes(original)
    assert open_store(unlock(home, "王检察官", PIN)).get(made[0].ref).summary == MAPPINGS[0]["summary"]


def test_a_plain_store_is_sealed_at_the_first_unlock(world):
    home = world.station(STATION)
    plain = Store.open(home)
    _seed(plain)
    plain.close()
    Drafts(home).save({"name": MAPPINGS[0]["visitor"]["name"]})
    assert _leaks(home)  # before: names in clear (the test would catch them)

    Keyring.create(home, STATION, "王检察官", PIN)
    session = unlock(home, "王检察官", PIN)
    store = open_store(session)
    assert store.sealed and len(store.index.by_id) == len(MAPPINGS)
    store.close()
    assert _leaks(home) == []
    assert drafts(session).load()[0] == {"name": MAPPINGS[0]["visitor"]["name"]}
    assert Drafts(home).load() is None  # without the key the draft reads as none


def test_the_nightly_export_needs_no_pin_and_the_office_reads_everything(world):
    home = _sealed_station(world)
    store = open_store(unlock(home, "王检察官", PIN))
    _seed(store)
    store.close()
    done = export(home)  # no session, no key: what cron runs
    assert done.count == len(MAPPINGS)
    assert all(s.encode() not in done.path.read_bytes() for s in _secrets())
    shutil.copy(done.path, world.drop / "inbox" / done.path.name)
    assert world.ingest()["accepted"] == len(MAPPINGS)
    at_office = {r["ref"]: r for r in world.records().values()}
    names = sorted(r["visitor"]["name"] or "" for r in at_office.values())
    assert names == sorted((m.get("visitor") or {}).get("name") or "" for m in MAPPINGS)
    assert {r["summary"] for r in at_office.values()} == {m["summary"] for m in MAPPINGS}


def test_records_saved_before_the_office_key_are_resealed_at_the_next_unlock(world):
    home = world.root / STATION
    Store.init(home, station=STATION, code="FQYF", officer="王检察官").close()
    keys.ensure_station_keys(home, STATION)
    Keyring.create(home, STATION, "王检察官", PIN)
    store = open_store(unlock(home, "王检察官", PIN))  # no office key yet: no office copies
    _seed(store)
    store.close()
    keys.install_office_key(home, world.pub)
    with world.office() as o:
        o.enroll(home / "keys" / keys.STATION_PUB)
    with pytest.raises(keys.KeyProblem, match="unlock once"):
        export(home)
    open_store(unlock(home, "王检察官", PIN)).close()
    assert export(home).count == len(MAPPINGS)


def test_export_of_a_sealed_store_leaves_out_a_crashed_import_until_the_next_unlock(world):
    """A batch import killed half-way leaves import.pending; a sealed store cannot be
    rolled back without the key, so the export must not ship those records."""
    home = _sealed_station(world)
    store = open_store(unlock(home, "王检察官", PIN))
    kept = store.create(fields_from_input(MAPPINGS[0], officer="王检察官"))
    batch = store.create_many([fields_from_input(m, officer="王检察官") for m in MAPPINGS[1:4]])
    store.close()
    # The state a SIGKILL inside create_many leaves (tests/reliability kills real processes
    # for the plain store): the batch's records on disk, and the marker naming them.
    (home / "import.pending").write_bytes(orjson.dumps([c.id for c in batch]))
    rec = world.root / "peek"
    done = export(home, rec)
    assert done.count == 1
    again = open_store(unlock(home, "王检察官", PIN))  # the unlock rolls the batch back
    assert set(again.index.by_id) == {kept.id} and not (home / "import.pending").exists()
    again.close()


def test_liaison_sync_runs_locked_with_no_pin_and_no_terminal(world):
    """What cron does: the real command, in its own session (no /dev/tty), no LIAISON_PIN."""
    home = _sealed_station(world)
    store = open_store(unlock(home, "王检察官", PIN))
    _seed(store)
    store.close()
    env = {k: v for k, v in os.environ.items() if k not in ("LIAISON_PIN", "LIAISON_HOME")}

    def sync() -> subprocess.CompletedProcess:
        return subprocess.run([*LIAISON, "--home", str(home), "sync", "--to", str(world.drop)], env=env,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
                              start_new_session=True)

    r = sync()
    assert r.returncode == ec.SYNC_PENDING, r.stderr
    outbox = b"\n".join(p.read_bytes() for p in (home / "outbox").rglob("*") if p.is_file())
    assert [s for s in _secrets() if s.encode() in outbox] == []
    assert world.ingest()["accepted"] == len(MAPPINGS)
    r = sync()
    assert r.returncode == ec.OK, r.stderr  # the receipt came back and verified
    names = {r["visitor"]["name"] for r in world.records().values()}
    assert MAPPINGS[0]["visitor"]["name"] in names
