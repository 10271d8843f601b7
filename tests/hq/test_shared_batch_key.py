"""One writer's merges share a batch key (hq.dbconn.OfficeConnection.sealer). A station
sends a bundle every night, so a city's year is ~70 000 merges; a reader that unwrapped a
key per merge spent seconds of every whole-year report on it. Each merge is still a batch
of its own; a records key replaced between merges starts a new key; a key serves a
bounded time. Unwraps are counted by wrapping the real records_key.unwrap (a spy that
calls through), which is what a reader pays per key."""

from __future__ import annotations

from datetime import date

import pytest

from liaison.hq import dbconn
from liaison.hq.ingest import ingest_folder
from liaison.hq.report import figures, office_figures
from liaison.hq.staff import remove_officer
from liaison.security import records_key
from liaison.security.keyring import Keyring
from liaison.store import Store
from liaison.sync.export import export
from tests.hq._report_world import FQ, _create
from tests.sync._sync_world import OFFICE_OFFICER, PIN, World, office_staff

TODAY = date(2026, 12, 1)
OTHER = ("李科长", "735102")  # a second office officer, to be removed
NIGHTS = ("2026-11-02", "2026-11-03", "2026-11-04")


def _nights(world: World, home, days=NIGHTS) -> list:
    """A bundle per night, each with that day's two visits, copied to the inbox."""
    bundles = []
    for day in days:
        store = Store.open(home)
        _create(store, FQ, day, "labour", "referred", ["legal_aid"], None, None)
        _create(store, FQ, day, "rider", "open", [], "2026-11-20", None)
        store.close()
        b = export(home).path
        (world.drop / "inbox" / b.name).write_bytes(b.read_bytes())
        bundles.append(b)
    return bundles


@pytest.fixture()
def unwraps(monkeypatch):
    calls = []
    real = records_key.unwrap

    def counted(wrapped, keys):
        calls.append(wrapped)
        return real(wrapped, keys)

    monkeypatch.setattr(records_key, "unwrap", counted)
    return calls


def _merge_wraps(o) -> dict[int, bytes]:
    """The wrap of each merge's batch (the batches its records sit in)."""
    return dict(o.db.db.execute("SELECT DISTINCT r.batch, k.wrapped FROM records r JOIN seal_keys k ON k.id=r.batch"))


def test_a_nights_merges_share_one_key_and_a_reader_unwraps_it_once(tmp_path, unwraps):
    world = World(tmp_path)
    _nights(world, world.station(FQ))
    assert world.ingest()["accepted"] == 6
    with world.office() as o:
        wraps = _merge_wraps(o)
        assert len(wraps) == 3 and len(set(wraps.values())) == 1  # three batches, one key
        staff = office_staff(o)
        unwraps.clear()
        new = office_figures(o.db, staff.opener, start=None, end=None, as_of=TODAY)
        records = list(staff.records())
        assert len(unwraps) == 1
        assert len(records) == 6 and all(r["visitor"]["name"] == "测试人" for r in records)
        assert new == figures(records, start=None, end=None, as_of=TODAY)
        assert {r["referral"]: r["count"] for r in new["referrals"]} == {"legal_aid": 3}


def test_a_key_serves_a_bounded_time(tmp_path, monkeypatch):
    monkeypatch.setattr(dbconn, "KEY_LIFETIME_S", -1.0)  # every batch past its key's time
    world = World(tmp_path)
    _nights(world, world.station(FQ))
    world.ingest()
    with world.office() as o:
        assert len(set(_merge_wraps(o).values())) == 3
        assert len(list(office_staff(o).records())) == 6


def test_a_records_key_replaced_between_merges_starts_a_new_key_and_rewrap_keeps_the_sharing(tmp_path):
    world = World(tmp_path)
    home = world.station(FQ)
    Keyring.open(world.hq).add_officer(OFFICE_OFFICER, PIN, *OTHER)
    first, second, third = _nights(world, home)
    inbox = world.drop / "inbox"
    third_bytes = third.read_bytes()
    (inbox / third.name).unlink()
    with world.office() as o:  # one writer throughout: the key it holds must not outlive the records key
        ingest_folder(o, inbox)
        shared = set(_merge_wraps(o).values())
        assert len(_merge_wraps(o)) == 2 and len(shared) == 1
        keys = o.db.db.execute("SELECT count(DISTINCT wrapped), count(*) FROM seal_keys").fetchone()
        assert keys[0] < keys[1] and remove_officer(o, OTHER[0], OFFICE_OFFICER, PIN) == keys[0]  # keys, not batches
        rewrapped = set(_merge_wraps(o).values())
        assert len(rewrapped) == 1 and rewrapped != shared  # both batches on the one new wrap
        for b in inbox.iterdir():
            b.unlink()
        (inbox / third.name).write_bytes(third_bytes)
        ingest_folder(o, inbox)
        wraps = _merge_wraps(o)
        assert len(wraps) == 3 and len(set(wraps.values())) == 2
        staff = office_staff(o)
        assert len(list(staff.records())) == 6
        # the new key was wrapped to the new public key: the new private key opens it
        assert len(records_key.unwrap(wraps[max(wraps)], records_key.private(world.hq, staff.sealer))) == 32
