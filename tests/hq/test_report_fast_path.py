"""The report reads clear parts and opens only the referrals of visits in the period:
its figures must be those of the whole records, section by section, on the scenario
office and on a synthetic city with ties, edits and every period."""

from __future__ import annotations

from datetime import date

import orjson
import pytest

from liaison.hq.report import build_report, figures, office_figures
from tests.hq._report_world import END, START, build
from tests.hq._small_city import END as CITY_END
from tests.hq._small_city import small_city
from tests.sync._sync_world import office_staff


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    world, _ = build(tmp_path_factory.mktemp("fast"))
    return world


@pytest.mark.parametrize("period", [(START, END, END), (None, None, date(2026, 12, 1)),
                                    (date(2026, 11, 3), date(2026, 11, 3), date(2026, 11, 30))])
def test_fast_path_gives_the_same_figures(office, period):
    start, end, today = period
    as_of = end or today  # as build_report judges overdue
    with office.office() as o:
        staff = office_staff(o)
        old = figures(staff.records(), start=start, end=end, as_of=as_of)
        new = office_figures(o.db, staff.opener, start=start, end=end, as_of=as_of)
        assert new == old
        assert list(new["by_category"]) == list(old["by_category"])  # tie order too
        rep = build_report(o.db, staff.opener, start=start, end=end, today=today)
    assert {k: rep[k] for k in old} == old


def test_fast_path_on_a_small_city(tmp_path):
    with small_city(tmp_path, 600) as (o, staff):
        for start, end in ((None, None), (date(2026, 6, 1), date(2026, 8, 31))):
            old = figures(staff.records(), start=start, end=end, as_of=end or CITY_END)
            new = office_figures(o.db, staff.opener, start=start, end=end, as_of=end or CITY_END)
            assert new == old and list(new["by_category"]) == list(old["by_category"])



def test_bench_bundles_have_the_shape_of_a_real_export(tmp_path):
    """The office benchmark builds its bundles without a station Store: opened at the
    office, its records have the fields a real sealed station's export gives."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from liaison.bench.office_city import station_bundles, station_docs
    from liaison.domain.intake import fields_from_input
    from liaison.security.keyring import Keyring
    from liaison.security.keys import parse_office_pub
    from liaison.security.session import open_store, unlock
    from liaison.store import Store
    from liaison.sync import bundle
    from liaison.sync.export import export
    from liaison.synth import generate
    from tests.sync._sync_world import PIN, World

    w = World(tmp_path)
    home = w.station("fengqiao-yuanfang")
    store = Store.open(home)
    store.create_many([fields_from_input(m, officer="测试") for m in generate(20, seed=3)])
    store.close()
    Keyring.create(home, "fengqiao-yuanfang", "测试", PIN)
    open_store(unlock(home, "测试", PIN)).close()  # the first unlock seals the shards
    docs = station_docs("fengqiao-yuanfang", "FQYF", "fengqiao-yuanfang", 20, 3, date(2026, 11, 30))
    built = next(station_bundles(docs, "fengqiao-yuanfang", Ed25519PrivateKey.generate(), parse_office_pub(w.pub)))
    with w.office() as office:
        real = bundle.open_payload(bundle.parse(export(home).path.read_bytes()), office.x25519)["records"]
        ours = bundle.open_payload(bundle.parse(built.data), office.x25519)["records"]

    def keys(records):
        return {k for r in records for k in r} | {f"visitor.{k}" for r in records for k in r["visitor"]}

    assert keys(ours) == keys(real)
    assert [r["seq"] for r in ours] == sorted(r["seq"] for r in ours)


def _figures_both_ways(o, staff, start, end, as_of):
    old = figures(staff.records(), start=start, end=end, as_of=as_of)
    new = office_figures(o.db, staff.opener, start=start, end=end, as_of=as_of)
    return old, new


def test_rows_counted_in_python_give_the_same_figures(tmp_path):
    """A row whose tallied columns are not filled (an odd record) is counted from its
    clear part: half the rows that way, the figures are the same."""
    world, _ = build(tmp_path)
    with world.office() as o:
        staff = office_staff(o)
        o.db.db.execute("UPDATE records SET tallied=0 WHERE rowid % 2 = 0")
        for start, end, as_of in ((START, END, END), (None, None, date(2026, 12, 1))):
            old, new = _figures_both_ways(o, staff, start, end, as_of)
            assert new == old and list(new["by_category"]) == list(old["by_category"])


def test_an_office_db_from_before_the_tallied_columns_is_migrated(tmp_path):
    from liaison.hq.visits import COLUMNS

    world, _ = build(tmp_path)
    with world.office() as o:
        db = o.db.db
        for (trigger,) in db.execute("SELECT name FROM sqlite_master WHERE type='trigger'").fetchall():
            db.execute(f"DROP TRIGGER {trigger}")  # an office.db from before had neither them
        db.execute("DROP TABLE tally_weeks")  # nor the weekly counts they keep
        db.execute("DROP INDEX records_tally")
        for index in ("records_overdue", "records_resolved", "records_resolved_all"):  # (added later, on them)
            db.execute(f"DROP INDEX {index}")
        db.execute("DROP INDEX records_untallied")
        db.execute("DROP INDEX records_refs")  # (added later, on the same columns)
        for col, _ in COLUMNS:
            db.execute(f"ALTER TABLE records DROP COLUMN {col}")
    with world.office() as o:  # opened again: columns added, rows filled from their clear parts
        assert o.db.db.execute("SELECT count(*) FROM records WHERE tallied=1").fetchone()[0] == \
            o.db.db.execute("SELECT count(*) FROM records").fetchone()[0] > 0
        staff = office_staff(o)
        old, new = _figures_both_ways(o, staff, START, END, END)
        assert new == old and list(new["by_category"]) == list(old["by_category"])


def test_referrals_come_from_the_sealed_index_one_blob_per_merge(tmp_path, monkeypatch):
    """Every row ingested since the index exists is counted from its merge's sealed
    index, none opened on its own; with the index gone (an office from before it) each
    row is opened and the figures are the same."""
    from liaison.hq import report_referrals

    world, _ = build(tmp_path)
    with world.office() as o:
        staff = office_staff(o)
        n_batches = o.db.db.execute("SELECT count(DISTINCT batch) FROM records").fetchone()[0]
        assert o.db.db.execute("SELECT count(*) FROM referral_index").fetchone()[0] >= n_batches > 0
        blob = o.db.db.execute("SELECT sealed FROM referral_index").fetchone()[0]
        assert "人民调解".encode() not in blob and b"mediation" not in blob  # sealed, not in clear
        opened = []
        monkeypatch.setattr(report_referrals, "_opened", lambda db, opener, rows: opened.extend(rows) or {})
        for start, end, as_of in ((START, END, END), (None, None, date(2026, 12, 1))):
            old, new = _figures_both_ways(o, staff, start, end, as_of)
            assert new == old and not opened
        monkeypatch.undo()
        o.db.db.execute("DELETE FROM referral_index")
        for start, end, as_of in ((START, END, END), (None, None, date(2026, 12, 1))):
            old, new = _figures_both_ways(o, staff, start, end, as_of)
            assert new == old and new["referrals"]


def test_an_index_entry_of_another_version_is_not_used(tmp_path):
    """A row whose index entry names another version (moved or edited by hand) is opened."""
    import os

    import orjson

    from liaison.hq import referral_index

    world, _ = build(tmp_path)
    with world.office() as o:
        staff = office_staff(o)
        db = o.db.db
        for batch, blob in db.execute("SELECT batch, sealed FROM referral_index").fetchall():
            doc = staff.opener.open(batch, blob, referral_index.aad(batch))
            # every entry claims another version and no referral: it must be ignored
            forged = orjson.dumps({**doc, "versions": [v + 1 for v in doc["versions"]], "sets": [[]],
                                   "refs": [0] * len(doc["ids"])})
            nonce = os.urandom(12)
            sealed = nonce + staff.opener._aead(batch).encrypt(nonce, forged, referral_index.aad(batch))
            db.execute("UPDATE referral_index SET sealed=? WHERE batch=?", (sealed, batch))
        for start, end, as_of in ((START, END, END), (None, None, date(2026, 12, 1))):  # by row; merge by merge
            old, new = _figures_both_ways(o, staff, start, end, as_of)
            assert new == old and new["referrals"]


def test_sync_rows_are_station_status(tmp_path):
    """The report's grouped sync figures are station_status's, station by station
    (a gap, an untallied row, a conflict and a deleted record included)."""
    world, _ = build(tmp_path)
    with world.office() as o:
        db = o.db.db
        db.execute("UPDATE records SET tallied=0 WHERE rowid % 3 = 0")
        db.execute("UPDATE records SET deleted=1 WHERE rowid % 5 = 1")
        db.execute("INSERT INTO conflicts SELECT id, station, version, 'x', 1, doc, sealed, batch FROM records LIMIT 1")
        got = o.db.sync_rows()
        assert [r["station"] for r in got] == o.db.stations()
        for row in got:
            want = o.db.station_status(row["station"])
            assert row == {k: want[k] for k in row}
        assert any(r["gaps"] for r in got) and any(r["conflicts"] for r in got)


def _spy_per_row(monkeypatch):
    """The blocks whose rows were listed and matched row by row (Reads.block_rows),
    spied on and passed through."""
    from liaison.hq.reads import Reads

    per_row: list = []
    rows = Reads.block_rows

    def spy(self, *a, **k):
        for got in rows(self, *a, **k):
            per_row.append(got[0])
            yield got

    monkeypatch.setattr(Reads, "block_rows", spy)
    return per_row


def test_a_view_that_does_not_match_the_rows_is_not_used(tmp_path, monkeypatch):
    """A view whose counts are not those of a block's current rows (forged: every day
    claims its rows at another version, with no referral) is not used: the block is
    listed and matched row by row, and the figures stay those of the whole records."""
    import os

    from liaison.hq import referral_view
    from liaison.hq.report import build_report

    per_row = _spy_per_row(monkeypatch)
    world, _ = build(tmp_path)
    with world.office() as o:
        staff = office_staff(o)
        db = o.db.db
        build_report(o.db, staff.opener, today=date(2026, 12, 1))  # keeps the view
        (batch, blob), = db.execute("SELECT batch, sealed FROM referral_view").fetchall()
        doc = staff.opener.open(batch, blob, referral_view.VIEW.aad(batch))
        for entry in [e for _, e in doc["blocks"]]:
            days = orjson.loads(entry[0])
            entry[0] = orjson.dumps([[day, n, vsum + 1, done, [[0, d, c] for _, d, c in counts]]
                                     for day, n, vsum, done, counts in days]).decode()
            entry[1][1] += len(days)
            entry[2] = [[0, d, c] for _, d, c in entry[2]]
        doc["sets"] = [[]]
        nonce = os.urandom(12)
        sealed = nonce + staff.opener._aead(batch).encrypt(nonce, orjson.dumps(doc), referral_view.VIEW.aad(batch))
        db.execute("UPDATE referral_view SET sealed=?", (sealed,))
        for start, end, as_of in ((None, None, date(2026, 12, 1)), (START, END, END)):
            per_row.clear()
            old, new = _figures_both_ways(o, staff, start, end, as_of)
            assert new == old and new["referrals"] and per_row


@pytest.mark.parametrize("alter", ["UPDATE referral_view SET sealed=CAST(substr(sealed, 1, 40) || (CASE substr(sealed, 41, 1) WHEN x'00' THEN x'01' ELSE x'00' END) || substr(sealed, 42) AS BLOB)",
                                   "UPDATE referral_view SET sealed=CAST(x'ff00fe' AS TEXT)",  # not even UTF-8
                                   "UPDATE referral_view SET batch=batch+1000000"])  # no key for it
def test_a_view_altered_on_disk_is_not_used_and_is_named(tmp_path, monkeypatch, alter):
    """A view whose blob does not open (altered or damaged on disk) is neither used nor a
    reason to refuse the report: every block is listed row by row, the report names the
    view, and the next whole-history report keeps it again."""
    per_row = _spy_per_row(monkeypatch)
    world, _ = build(tmp_path)
    with world.office() as o:
        staff = office_staff(o)
        today = date(2026, 12, 1)
        want = build_report(o.db, staff.opener, today=today)  # keeps the view
        o.db.db.execute(alter)
        for start, end, as_of in ((START, END, END), (None, None, today)):  # a period's report first: keeps nothing
            per_row.clear()
            altered: list[str] = []
            got = build_report(o.db, staff.opener, start=start, end=end, today=as_of, altered=altered)
            old, _ = _figures_both_ways(o, staff, start, end, as_of)
            assert got["referrals"] == old["referrals"] and got["referrals"] and per_row
            assert len(altered) == 1 and "转介统计视图" in altered[0] and "the referral view" in altered[0]
        assert got == want
        per_row.clear()
        altered.clear()
        assert build_report(o.db, staff.opener, today=today, altered=altered) == want and not per_row and not altered


@pytest.mark.parametrize("alter", [
    "UPDATE referral_index SET sealed=(SELECT sealed FROM referral_index WHERE batch=:a) WHERE batch=:b",  # moved
    "UPDATE referral_index SET sealed=CAST(x'ff00fe' AS TEXT) WHERE batch=:b"])  # not even UTF-8
def test_a_merge_index_that_does_not_open_is_not_used_and_is_named(tmp_path, alter):
    """A merge's referral index blob that does not open is not used: its rows are opened
    on their own, the figures are those of the whole records, and the report names the merge."""
    world, _ = build(tmp_path)
    with world.office() as o:
        staff = office_staff(o)
        (a,), (b,) = o.db.db.execute("SELECT batch FROM referral_index LIMIT 2").fetchall()
        o.db.db.execute(alter, {"a": a, "b": b})
        for start, end, as_of in ((None, None, date(2026, 12, 1)), (START, END, END)):
            altered: list[str] = []
            old = figures(staff.records(), start=start, end=end, as_of=as_of)
            new = office_figures(o.db, staff.opener, start=start, end=end, as_of=as_of, altered=altered)
            assert new == old and new["referrals"]
            assert len(altered) == 1 and f"转介索引的 1 个批次（{b}）" in altered[0], altered


def move_a_row_by_hand(db, apart: str = "b.id != a.batch") -> tuple[int, int]:
    """Give one current row of merge a the batch number of merge b, by hand, where both
    merges are under one batch key (so the row still opens) and `apart` holds of them:
    (a, b)."""
    a, b = db.execute("SELECT a.batch, b.id FROM (SELECT DISTINCT batch FROM records WHERE deleted=0) a "
                      "JOIN seal_keys ka ON ka.id=a.batch JOIN seal_keys b ON b.wrapped=ka.wrapped "
                      f"AND b.id IN (SELECT batch FROM records) AND {apart} LIMIT 1").fetchone()
    db.execute("UPDATE records SET batch=? WHERE rowid=(SELECT min(rowid) FROM records WHERE batch=? "
               "AND deleted=0)", (b, a))
    return a, b


def test_a_row_moved_by_hand_to_another_merge_is_counted_once(tmp_path):
    """A row given another merge's batch number by hand (both merges under one batch
    key, so it still opens) is counted once, with its own version's referrals."""
    with small_city(tmp_path, 200) as (o, staff):
        move_a_row_by_hand(o.db.db)
        old, new = _figures_both_ways(o, staff, None, None, CITY_END)
        assert new == old and new["referrals"]


def _send_next(world, home):
    """The station's next bundle, exported and ingested by the office: its summary."""
    from liaison.sync.export import export

    inbox = home.parent / "again"
    inbox.mkdir(exist_ok=True)
    for old in inbox.glob("*.bundle"):
        old.unlink()
    b = export(home).path
    (inbox / b.name).write_bytes(b.read_bytes())
    return world.ingest(inbox)


def test_a_report_keeps_the_counts_of_what_it_matched_row_by_row(tmp_path, monkeypatch):
    """A whole-history report keeps the counts of each block of merges, sealed, in the
    office's view, so the next reports, of any period, list no row, not even of a merge
    one of whose rows was edited later; a visit edited after that has its block listed
    again, once. Every report gives the figures of the whole records."""
    from liaison.hq.report import build_report
    from liaison.store import Store
    from tests.hq._report_world import RIDER

    per_row = _spy_per_row(monkeypatch)
    world, ids = build(tmp_path)

    def report(start, end, today):
        per_row.clear()
        with world.office() as o:
            staff = office_staff(o)
            rep = build_report(o.db, staff.opener, start=start, end=end, today=today)
            whole = figures(staff.records(), start=start, end=end, as_of=end or today)
            assert {k: rep[k] for k in whole} == whole and rep["referrals"]
            return o.db.db.execute("SELECT sealed FROM referral_view").fetchall()

    everything, period = (None, None, date(2026, 12, 1)), (START, END, END)
    kept = report(*everything)
    assert per_row == [0] and len(kept) == 1  # one block: every batch number is below 256
    assert "劳动".encode() not in kept[0][0] and b"labour_inspection" not in kept[0][0]  # sealed
    for when in (everything, period, everything):
        assert report(*when) == kept and not per_row, when  # nothing matched, nothing written

    store = Store.open(tmp_path / RIDER)  # the rider station edits a visit its first bundle sent
    store.edit(ids[RIDER][1], {"referrals": ["legal_aid"]})
    store.close()
    assert _send_next(world, tmp_path / RIDER)["accepted"] == 1
    again = report(*everything)
    assert per_row == [0] and again != kept  # its block, again
    assert report(*period) == again and not per_row


def spy_view_lock(monkeypatch) -> list:
    """How long each view's write asks the office's lock for (hq/views.py), while the
    office's writers would wait 30 s."""
    from liaison.hq import views

    monkeypatch.setenv("LIAISON_HQ_LOCK_WAIT", "30")
    waits: list = []
    locking = views.office_lock
    monkeypatch.setattr(views, "office_lock", lambda home, wait=None: waits.append(wait) or locking(home, wait))
    return waits


def test_a_report_does_not_wait_for_a_busy_office_to_keep_its_view(tmp_path, monkeypatch):
    """While another process writes (the office lock held), a report still gives its
    figures at once and leaves its view for the next one: it asks the lock for half a
    second, not the 30 s the office's writers would wait here."""
    from liaison.hq import views
    from liaison.hq.lock import office_lock
    from liaison.hq.report import build_report

    waits = spy_view_lock(monkeypatch)
    world, _ = build(tmp_path)
    with world.office() as o:
        staff = office_staff(o)
        with office_lock(world.hq, 0):
            rep = build_report(o.db, staff.opener, today=date(2026, 12, 1))
        assert rep["referrals"] and waits == [views.WAIT_S] and views.WAIT_S <= 1
        assert o.db.db.execute("SELECT count(*) FROM referral_view").fetchone()[0] == 0
        build_report(o.db, staff.opener, today=date(2026, 12, 1))
        assert o.db.db.execute("SELECT count(*) FROM referral_view").fetchone()[0] == 1


def test_a_merge_after_the_view_that_adds_and_deletes_as_many_rows_is_seen(tmp_path, monkeypatch):
    """After a whole-history report kept the view, one bundle adds a visit and deletes
    another of the same block, same version and state: the block's three sums are as
    they were, but a merge made after the view joined it, so it is counted again."""
    from liaison.domain.intake import fields_from_input
    from liaison.hq.report import build_report
    from liaison.store import Store
    from tests.hq._report_world import RIDER, at

    world, ids = build(tmp_path)
    today = date(2026, 12, 1)

    def referrals():
        with world.office() as o:
            staff = office_staff(o)
            rep = build_report(o.db, staff.opener, today=today)
            assert rep["referrals"] == figures(staff.records(), start=None, end=None, as_of=today)["referrals"]
            return rep["referrals"]

    before = referrals()
    store = Store.open(tmp_path / RIDER)
    store.create(fields_from_input({"visited_at": at("2026-11-18").isoformat(), "category": "rider",
                                    "status": "open", "referrals": ["legal_aid"], "summary": "新的咨询",
                                    "visitor": {"name": "测试人", "consent": True}}, officer="测试"))
    store.delete(ids[RIDER][0])  # following up, version 1, referred to public-interest
    store.close()
    assert _send_next(world, tmp_path / RIDER)["accepted"] == 2
    assert referrals() != before
