"""The report's referrals, matched a block of merges at a time against their sealed indexes:
a row's entry is used only while the row still has that merge's batch and version, so a
record edited and sent again counts the referrals of its latest version."""

from __future__ import annotations

from datetime import date

import pytest

from liaison.hq import referral_index
from liaison.hq.report import figures, office_figures
from liaison.store import Store
from liaison.sync.export import export
from tests.hq._report_world import FQ, _create
from tests.sync._sync_world import World, office_staff

TODAY = date(2026, 12, 1)


@pytest.fixture()
def edited(tmp_path):
    """One station, three records in bundle 1; in bundle 2 one of them has other
    referrals (and is resolved). Returns the world and the edited record's id."""
    world = World(tmp_path)
    home = world.station(FQ)
    store = Store.open(home)
    rid = _create(store, FQ, "2026-11-02", "labour", "referred", ["legal_aid"], None, None)
    _create(store, FQ, "2026-11-03", "labour", "referred", ["legal_aid", "labour_inspection"], None, None)
    _create(store, FQ, "2026-11-04", "rider", "open", [], None, None)
    store.close()
    first = export(home).path
    store = Store.open(home)
    store.edit(rid, {"referrals": ["admin_resolution"], "status": "resolved"})
    store.close()
    second = export(home).path
    for b in (first, second):
        (world.drop / "inbox" / b.name).write_bytes(b.read_bytes())
    world.ingest()
    return world, rid


def _referrals(o, staff):
    new = office_figures(o.db, staff.opener, start=None, end=None, as_of=TODAY)
    old = figures(staff.records(), start=None, end=None, as_of=TODAY)
    assert new == old
    return {r["referral"]: (r["count"], r["resolved"]) for r in new["referrals"]}


def test_a_row_superseded_in_a_later_merge_counts_its_later_referrals(edited):
    world, rid = edited
    with world.office() as o:
        staff = office_staff(o)
        db = o.db.db
        batch, version = db.execute("SELECT batch, version FROM records WHERE id=?", (rid,)).fetchone()
        # the earlier merge's index still lists the first version, with its referrals
        earlier = [b for (b,) in db.execute("SELECT batch FROM referral_index WHERE batch<>?", (batch,))]
        docs = [staff.opener.open(b, db.execute("SELECT sealed FROM referral_index WHERE batch=?", (b,)).fetchone()[0],
                                  referral_index.aad(b)) for b in earlier]
        assert any(rid in d["ids"] and d["versions"][d["ids"].index(rid)] < version for d in docs)
        assert _referrals(o, staff) == {"legal_aid": (1, 0), "labour_inspection": (1, 0), "admin_resolution": (1, 1)}
        # without the later merge's index the row is opened on its own: still the later referrals
        db.execute("DELETE FROM referral_index WHERE batch=?", (batch,))
        assert _referrals(o, staff) == {"legal_aid": (1, 0), "labour_inspection": (1, 0), "admin_resolution": (1, 1)}


def test_a_row_moved_to_another_batch_is_opened_not_matched(edited, monkeypatch):
    """A row whose batch column names a merge whose index does not list it (moved by
    hand) is opened on its own; the other rows still come from the index."""
    from liaison.hq import report_referrals

    world, rid = edited
    with world.office() as o:
        staff = office_staff(o)
        db = o.db.db
        other = db.execute("SELECT id FROM records WHERE id<>? ORDER BY id LIMIT 1", (rid,)).fetchone()[0]
        batch = db.execute("SELECT batch FROM records WHERE id=?", (rid,)).fetchone()[0]
        own = db.execute("SELECT batch FROM records WHERE id=?", (other,)).fetchone()[0]
        assert own != batch
        # the row is re-sealed under the other batch as the merge would have, but no index lists it there
        clear, sealed = db.execute("SELECT doc, sealed FROM records WHERE id=?", (other,)).fetchone()
        from liaison.security import records_key

        version = db.execute("SELECT version FROM records WHERE id=?", (other,)).fetchone()[0]
        personal = staff.opener.open(own, sealed, records_key.record_aad(other, version))
        nonce = b"\0" * 12
        moved = nonce + staff.opener._aead(batch).encrypt(nonce, __import__("orjson").dumps(personal),
                                                           records_key.record_aad(other, version))
        db.execute("UPDATE records SET batch=?, sealed=? WHERE id=?", (batch, moved, other))
        opened = []
        real = report_referrals._opened
        monkeypatch.setattr(report_referrals, "_opened", lambda db, op, rows: opened.extend(rows) or real(db, op, rows))
        _referrals(o, staff)
        assert [r for _, r, _ in opened] == [other]


def test_a_tallied_row_without_a_status_counts_its_referrals_as_not_resolved(edited):
    """status NULL in the column (a record without one): not resolved, as Tally.add
    judges it, rather than a failure of the whole report."""
    world, rid = edited
    with world.office() as o:
        staff = office_staff(o)
        o.db.db.execute("UPDATE records SET status=NULL WHERE id<>?", (rid,))
        new = office_figures(o.db, staff.opener, start=None, end=None, as_of=TODAY)
        got = {r["referral"]: (r["count"], r["resolved"]) for r in new["referrals"]}
        assert got == {"legal_aid": (1, 0), "labour_inspection": (1, 0), "admin_resolution": (1, 1)}


def test_each_merge_is_read_with_its_own_blob_and_key_wrap(edited):
    """Reads.merge_rows(index=…) joins each merge's blob and its key's wrap to its rows
    (one query, not two look-ups per merge; what `hq clusters` reads); a merge without a
    blob comes with None."""
    from liaison.hq import cluster_index

    world, rid = edited
    with world.office() as o:
        db = o.db.db
        merges = list(o.db.merge_rows(index=cluster_index.INDEX))
        assert len(merges) == 2
        for m in merges:
            assert m.sealed == db.execute("SELECT sealed FROM cluster_index WHERE batch=?", (m.batch,)).fetchone()[0]
            assert m.wrapped == db.execute("SELECT wrapped FROM seal_keys WHERE id=?", (m.batch,)).fetchone()[0]
        db.execute("DELETE FROM cluster_index WHERE batch=?", (merges[0].batch,))
        again = {m.batch: m for m in o.db.merge_rows(index=cluster_index.INDEX)}
        assert again[merges[0].batch].sealed is None and again[merges[1].batch].sealed == merges[1].sealed
        assert [m.ids for m in o.db.merge_rows()] == [m.ids for m in merges]  # the rows themselves as before
