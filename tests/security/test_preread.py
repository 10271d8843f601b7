"""The shards read while the PIN is checked (store.heads.PreRead): used only when the
file is still the one read, checked under the key like any other read, and dropped
for a wrong PIN."""

from __future__ import annotations

import threading
from dataclasses import asdict
from datetime import date

import pytest

from liaison.demo_data import scenarios
from liaison.domain.intake import fields_from_input
from liaison.security.errors import WrongPin
from liaison.security.keyring import Keyring
from liaison.security.session import open_store, unlock
from liaison.store import Store

STATION = "fengqiao-yuanfang"
OFFICER, PIN = "王检察官", "ks83jd-x"
MAPPINGS = [m for _, m in scenarios(date(2026, 11, 20))]


@pytest.fixture
def home(tmp_path):
    home = tmp_path / "station"
    Store.init(home, station=STATION, code="FQYF", officer=OFFICER).close()
    Keyring.create(home, STATION, OFFICER, PIN)
    store = open_store(unlock(home, OFFICER, PIN, read_ahead=True))
    # enough records for several shards
    store.create_many([fields_from_input(MAPPINGS[i % len(MAPPINGS)], officer=OFFICER) for i in range(250)])
    store.close()
    return home


def _rows(store: Store) -> list[dict]:
    return sorted((asdict(r) for r in store.index.by_id.values()), key=lambda r: r["id"])


def _plain_open(home):
    """The same records opened without any pre-read."""
    session = unlock(home, OFFICER, PIN, read_ahead=True)
    session.take_heads()
    return open_store(session)


def _preread_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "liaison-preread"]


def _shard(home, n: int):
    return home / "consultations" / f"{n:06d}.json"


def test_the_pre_read_lists_what_an_open_without_it_lists(home):
    session = unlock(home, OFFICER, PIN, read_ahead=True)
    assert session.preread is not None
    heads = session.preread.take()
    session.preread = None
    store = Store.open(home, cipher=session.sealer, officer=OFFICER, heads=heads)
    assert store.index is heads.index  # every head was the file on disk: its index stands
    got = _rows(store)
    store.close()
    plain = _plain_open(home)
    assert got == _rows(plain) and len(got) == 250
    assert [r.id for r in store.index.newest_first()] == [r.id for r in plain.index.newest_first()]
    plain.close()


def test_a_shard_written_after_the_pre_read_is_read_again(home):
    session = unlock(home, OFFICER, PIN, read_ahead=True)
    session.preread._thread.join()  # the pre-read is done: what follows it must be seen
    other = _plain_open(home)
    row = next(r for r in other.index.by_id.values() if r.shard == 2)
    other.edit(row.id, {"summary": "改过的摘要：在预读之后保存"})
    other.close()

    store = open_store(session)
    again = store.index.by_id[row.id]
    assert again.brief.startswith("改过的摘要") and again.version == row.version + 1
    assert store.problems == []
    plain = _plain_open(home)
    assert _rows(store) == _rows(plain)
    store.close()
    plain.close()


def test_a_shard_altered_before_the_pre_read_is_still_refused(home):
    path = _shard(home, 2)
    raw = path.read_bytes()
    assert b'"deleted":false' in raw
    path.write_bytes(raw.replace(b'"deleted":false', b'"deleted":true ', 1))  # same length, valid JSON

    plain = _plain_open(home)
    expected = (plain.problems, _rows(plain))
    plain.close()
    assert expected[0] and all(r["shard"] != 2 for r in expected[1])

    session = unlock(home, OFFICER, PIN, read_ahead=True)
    store = open_store(session)
    assert (store.problems, _rows(store)) == expected
    store.close()


def test_a_shard_altered_after_the_pre_read_is_refused(home):
    session = unlock(home, OFFICER, PIN, read_ahead=True)
    session.preread._thread.join()
    path = _shard(home, 1)
    raw = path.read_bytes()
    path.write_bytes(raw.replace(b'"deleted":false', b'"deleted":true ', 1))
    store = open_store(session)
    assert any("000001.json" in p for p in store.problems)
    assert all(r.shard != 1 for r in store.index.by_id.values())
    store.close()


def test_a_wrong_pin_leaves_no_thread_no_store_and_nothing_written(home):
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in (home / "consultations").iterdir()}
    with pytest.raises(WrongPin):
        unlock(home, OFFICER, "wrong-pin-1", read_ahead=True)
    assert _preread_threads() == []
    assert not Store.open_here(home)
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in (home / "consultations").iterdir()}
    assert after == before


def test_no_pre_read_when_the_records_are_open_already(home):
    store = open_store(unlock(home, OFFICER, PIN, read_ahead=True))
    session = unlock(home, OFFICER, PIN, read_ahead=True)  # the app locked and unlocked again
    assert session.preread is None
    store.close()
    assert unlock(home, OFFICER, PIN, read_ahead=True).preread is not None


def test_a_command_that_only_needs_the_key_reads_nothing_ahead(home):
    # `liaison verify` and the station commands unlock without opening the records:
    # no thread is started for them.
    session = unlock(home, OFFICER, PIN)
    assert session.preread is None
    assert _preread_threads() == []
