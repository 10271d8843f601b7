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


def test_the_pre_read_keeps_no_signed_bytes_nor_clear_parts_until_the_key_is_known(home):
    # Holding them for every shard doubled an unlock's peak memory; they are read again
    # (the bytes) or parsed again (the clear parts of a shard whose check fails) at open.
    session = unlock(home, OFFICER, PIN, read_ahead=True)
    heads = session.preread.take()
    session.preread = None
    assert heads.by_shard
    assert all(h.raw is None and "consultations" not in h.doc for h in heads.by_shard.values())


def test_a_shard_altered_in_place_with_its_stamp_kept_is_refused_and_its_record_named(home):
    # The same size and the old mtime put back: the pre-read's stamp still matches, so
    # its slim head is used; the MAC over the bytes read again at open finds the change.
    import os

    session = unlock(home, OFFICER, PIN, read_ahead=True)
    session.preread._thread.join()
    path = _shard(home, 1)
    st = path.stat()
    raw = path.read_bytes()
    changed = raw.replace(b'"deleted":false', b'"deleted":true ', 1)
    assert changed != raw and len(changed) == len(raw)
    with open(path, "r+b") as f:  # in place: the inode is kept too
        f.write(changed)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    store = open_store(session)
    assert any("000001.json" in p for p in store.problems)
    assert all(r.shard != 1 for r in store.index.by_id.values())
    plain = _plain_open(home)
    assert store.problems == plain.problems  # named exactly as an open without the pre-read names it
    plain.close()
    store.close()


def test_a_read_started_before_the_pin_outlives_a_wrong_pin_and_is_checked_under_the_key(home):
    # The app reads ahead from its unlock screen's first frame (security.session.read_ahead):
    # a wrong PIN leaves that read to the screen, for the next try; what it read is then
    # checked under the key like any other, so a shard altered meanwhile is refused.
    from liaison.security.session import read_ahead

    pre = read_ahead(home)
    assert pre is not None and pre.index() is not None
    with pytest.raises(WrongPin):
        unlock(home, OFFICER, "wrong-pin-1", read_ahead=pre)
    assert not Store.open_here(home)
    path = _shard(home, 1)
    path.write_bytes(path.read_bytes().replace(b'"deleted":false', b'"deleted":true ', 1))

    session = unlock(home, OFFICER, PIN, read_ahead=pre)
    assert session.preread is pre
    store = open_store(session)
    assert any("000001.json" in p for p in store.problems)
    assert all(r.shard != 1 for r in store.index.by_id.values())
    plain = _plain_open(home)
    assert (store.problems, _rows(store)) == (plain.problems, _rows(plain))
    plain.close()
    store.close()
