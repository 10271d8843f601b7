"""Removing an officer gives the station a new data key (issue 11, case 11): a copy of
the old keys/officers.json plus the removed officer's old PIN opens nothing written
after. The remaining officers, the recovery code, old audit details and old shards
still open."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import orjson
import pytest

from liaison.cli import exitcodes as ec
from liaison.cli import main
from liaison.demo_data import scenarios
from liaison.domain.intake import fields_from_input
from liaison.security.audit import AuditLog
from liaison.security.errors import SealBroken
from liaison.security.keyring import Keyring
from liaison.security.pins import normalise_recovery_code
from liaison.security.seal import Sealer, is_sealed
from liaison.security.session import drafts, open_store, unlock
from liaison.store import StoreCorrupt
from liaison.store.sealed import shard_cipher
from liaison.sync.export import export
from tests.security._legacy_keyring import write_v1
from tests.security._security_world import PIN_LI, PIN_WANG, STATION, FakeTime
from tests.sync._sync_world import World

WANG, LI, ZHAO = "王检察官", "李检察官", "赵检察官"
PIN_ZHAO = "枫桥夜话-5531"
MAPPINGS = [m for _, m in scenarios(date(2026, 11, 20))]
LATER = {**MAPPINGS[1], "summary": "删除李检察官之后登记：骑手账号被封申诉无门"}


def _station(tmp_path) -> tuple[World, Path, str]:
    world = World(tmp_path)  # with an office key installed: shards are also wrapped for the office
    home = world.station(STATION)
    code = Keyring.create(home, STATION, WANG, PIN_WANG)
    Keyring.open(home).add_officer(WANG, PIN_WANG, LI, PIN_LI)
    return world, home, code


def _shards(home: Path) -> list[Path]:
    return sorted((home / "consultations").glob("0*.json"))


def test_an_old_keyring_copy_and_the_removed_pin_open_nothing_written_after(tmp_path, monkeypatch, capsys):
    world, home, code = _station(tmp_path)
    store = open_store(unlock(home, LI, PIN_LI))
    before = store.create(fields_from_input(MAPPINGS[0], officer=LI))
    store.close()
    drafts(unlock(home, WANG, PIN_WANG)).save({"name": "张建国", "phone": "13900004002"})
    old_ring = (home / "keys" / "officers.json").read_bytes()
    old_envelopes = (home / "keys" / "envelopes.json").read_bytes()

    monkeypatch.setenv("LIAISON_PIN", PIN_WANG)
    assert main(["--home", str(home), "officer", "remove", LI, "--officer", WANG]) == ec.OK, capsys.readouterr().err
    monkeypatch.delenv("LIAISON_PIN")

    session = unlock(home, WANG, PIN_WANG)
    store = open_store(session)
    after = store.create(fields_from_input(LATER, officer=WANG))
    store.close()

    # The removed officer with the old file: the old key, which opens nothing on disk now.
    thief = tmp_path / "copy"
    shutil.copytree(home, thief)
    (thief / "keys" / "officers.json").write_bytes(old_ring)
    (thief / "keys" / "envelopes.json").write_bytes(old_envelopes)
    old_key = Keyring.open(thief).unlock(LI, PIN_LI)
    old = Sealer(old_key)
    for path in _shards(thief):
        with pytest.raises(SealBroken):
            shard_cipher(orjson.loads(path.read_bytes()), path.name, old)
    envelopes = orjson.loads((home / "keys" / "envelopes.json").read_bytes())
    current = envelopes["envelopes"][envelopes["current"]]
    with pytest.raises(SealBroken):
        old.open(current["local"], b"liaison-envelope/1\x00" + envelopes["current"].encode())
    from liaison.store import NotFound, Store

    opened_with_old = Store.open(thief, cipher=old)
    try:  # its shards do not verify under the old key: named, not listed, not readable
        assert opened_with_old.problems
        with pytest.raises((StoreCorrupt, NotFound)):
            opened_with_old.get(after.ref)
    finally:
        opened_with_old.close()
    assert drafts(type(session)(thief, LI, old_key)).load() is None
    assert LATER["summary"].encode() not in b"".join(p.read_bytes() for p in thief.rglob("*") if p.is_file())

    # Wang and the recovery code open everything, old and new; old audit details too.
    for s in (session, None):
        if s is None:
            Keyring.open(home).reset_pin(WANG, code, "新的口令-7391")
            s = unlock(home, WANG, "新的口令-7391")
        store = open_store(s)
        assert store.get(before.ref).summary == MAPPINGS[0]["summary"]
        assert store.get(after.ref).summary == LATER["summary"]
        store.close()
        assert drafts(s).load()[0]["name"] == "张建国"
        sealed = [e for e in AuditLog(home).entries_since(0) if is_sealed(e["details"])]
        assert len(sealed) >= 3
        for e in sealed:
            assert isinstance(AuditLog.open_details(e, s.sealer), dict)
    assert s.data_key != old_key

    # The nightly export (no PIN) still ships what the office can read: the new envelope.
    done = export(home)
    shutil.copy(done.path, world.drop / "inbox" / done.path.name)
    assert world.ingest()["accepted"] == 2
    assert {r["summary"] for r in world.records().values()} == {MAPPINGS[0]["summary"], LATER["summary"]}


def test_removal_waits_until_every_remaining_wrap_can_take_the_new_key(tmp_path):
    """A station set up before rotation existed: wraps in the first format hold the data
    key itself, so a new key cannot reach them without their PIN. Removal is refused,
    naming who must unlock once, until it can; nothing changes meanwhile."""
    home = tmp_path / "station"
    code = "ABCDE-FGHIJ-KLMNO-PQRST-UVWXY-Z2345"
    key = write_v1(home, STATION, {WANG: PIN_WANG, LI: PIN_LI, ZHAO: PIN_ZHAO}, normalise_recovery_code(code))
    t = FakeTime()
    ring = Keyring.open(home, sleep=t.sleep, clock=t.clock)
    with pytest.raises(Exception) as refused:
        ring.remove_officer(ZHAO, WANG, PIN_WANG)
    assert LI in str(refused.value) and WANG not in str(refused.value)  # Wang just unlocked: converted
    assert {o.name for o in ring.officers()} == {WANG, LI, ZHAO}
    assert ring.unlock(LI, PIN_LI) == key  # Li unlocks once
    new = ring.remove_officer(ZHAO, WANG, PIN_WANG, recovery_code=code)
    assert new != key and ring.unlock(LI, PIN_LI) == new and ring.unlock(WANG, PIN_WANG) == new
    assert {o.name for o in ring.officers()} == {WANG, LI}
    ring.reset_pin(LI, code, "新的口令-7391")
    assert ring.unlock(LI, "新的口令-7391") == new
    assert ring.retired(new) == [key]


def test_the_command_names_who_must_unlock_first(tmp_path, monkeypatch, capsys):
    home = tmp_path / "station"
    code = "ABCDE-FGHIJ-KLMNO-PQRST-UVWXY-Z2345"
    write_v1(home, STATION, {WANG: PIN_WANG, LI: PIN_LI, ZHAO: PIN_ZHAO}, normalise_recovery_code(code))
    monkeypatch.setenv("LIAISON_PIN", PIN_WANG)
    monkeypatch.setenv("LIAISON_RECOVERY_CODE", code)
    assert main(["--home", str(home), "officer", "remove", ZHAO, "--officer", WANG]) == ec.INVALID
    err = capsys.readouterr().err
    assert LI in err and "unlock once" in err and "Traceback" not in err
    assert {o.name for o in Keyring.open(home).officers()} == {WANG, LI, ZHAO}
