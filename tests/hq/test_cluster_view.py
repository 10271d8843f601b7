"""`hq clusters` keeps the features of each block of merges it read in the office's
view (hq/cluster_view.py), so the next run reads the blocks no merge has changed from
it: the features must still be those of the whole records, whatever happened since —
an edit, a row moved by hand, a merge that joins a kept block, a forged or altered
entry, a busy office."""

from __future__ import annotations

import os

import orjson
import pytest

from liaison.hq import cluster_index, cluster_view
from liaison.hq.reads import Reads
from liaison.reports.cluster_features import FIELDS, of_record
from tests.hq._report_world import RIDER, at, build
from tests.hq._small_city import small_city
from tests.hq.test_report_fast_path import _send_next, move_a_row_by_hand, spy_view_lock
from tests.sync._sync_world import office_staff

VISITED, SUMMARY = FIELDS.index("visited_at"), FIELDS.index("summary")


def _whole(staff, since: str | None = None) -> list:
    """The features as the records themselves give them (every personal part opened)."""
    return sorted(f for f in map(of_record, staff.records()) if since is None or f[VISITED][:10] >= since)


def _read(o, staff, since: str | None = None, keep: bool = True) -> list:
    """The features `hq clusters` reads, as sorted rows (of visits on or after `since`,
    as find_clusters_columns keeps them); a whole-history read keeps the view."""
    later: list = []
    cols = cluster_index.columns(o.db, staff.opener, since, later)
    if keep:
        for k in later:
            k()()
    return sorted(f for f in zip(*cols, strict=True) if since is None or f[VISITED][:10] >= since)


def _spy_merges(monkeypatch) -> list:
    """The batches whose tallied rows were read merge by merge (not from the view)."""
    merges: list = []
    rows = Reads.merge_rows

    def spy(self, *a, **k):
        for got in rows(self, *a, **k):
            if not k.get("untallied"):
                merges.append(got.batch)
            yield got

    monkeypatch.setattr(Reads, "merge_rows", spy)
    return merges


def _entries(o) -> list:
    return o.db.db.execute("SELECT block, batch, rows, versions, high, last, form, sealed FROM cluster_view "
                           "ORDER BY block").fetchall()


def test_a_whole_run_keeps_the_view_and_the_next_reads_no_merge(tmp_path, monkeypatch):
    merges = _spy_merges(monkeypatch)
    world, _ = build(tmp_path)
    with world.office() as o:
        staff = office_staff(o)
        whole = _whole(staff)
        assert _read(o, staff) == whole and merges  # the first: merge by merge, and keeps the view
        kept = _entries(o)
        assert [e[0] for e in kept] == [0] and kept[0][2] == len(whole)  # one block: every batch is below 256
        assert "测试咨询".encode() not in kept[0][-1] and b"labour" not in kept[0][-1]  # sealed
        for since in (None, "2026-11-04", "2026-11-12", "2027-01-01"):
            merges.clear()
            assert _read(o, staff, since) == _whole(staff, since) and not merges, since
        assert _entries(o) == kept  # nothing written when nothing changed


def test_an_edit_reads_its_block_again_once(tmp_path, monkeypatch):
    from liaison.store import Store

    merges = _spy_merges(monkeypatch)
    world, ids = build(tmp_path)
    with world.office() as o:
        _read(o, office_staff(o))
        kept = _entries(o)
    store = Store.open(tmp_path / RIDER)  # the rider station edits a visit its first bundle sent
    store.edit(ids[RIDER][1], {"summary": "骑手被平台无故扣除配送费，站点拒绝说明理由"})
    store.close()
    assert _send_next(world, tmp_path / RIDER)["accepted"] == 1
    with world.office() as o:
        staff = office_staff(o)
        merges.clear()
        got = _read(o, staff)
        assert got == _whole(staff) and "骑手被平台无故扣除配送费，站点拒绝说明理由" in {f[SUMMARY] for f in got}
        assert merges and _entries(o) != kept  # its block, merge by merge, kept again
        merges.clear()
        assert _read(o, staff) == got and not merges


def test_a_merge_that_adds_and_deletes_as_many_rows_in_a_kept_block_is_seen(tmp_path, monkeypatch):
    """One bundle adds a visit and deletes another of the same block (both version 1):
    the block's rows and versions' sum are as the view kept them, but a merge newer
    than the view joined it, so it is read again."""
    from liaison.domain.intake import fields_from_input
    from liaison.store import Store

    merges = _spy_merges(monkeypatch)
    world, ids = build(tmp_path)
    with world.office() as o:
        _read(o, office_staff(o))
    store = Store.open(tmp_path / RIDER)
    store.create(fields_from_input({"visited_at": at("2026-11-18").isoformat(), "category": "rider",
                                    "status": "open", "summary": "新的咨询：站点拖欠骑手两个月的配送费",
                                    "visitor": {"name": "测试人", "consent": True}}, officer="测试"))
    store.delete(ids[RIDER][0])
    store.close()
    assert _send_next(world, tmp_path / RIDER)["accepted"] == 2
    with world.office() as o:
        staff = office_staff(o)
        (rows, versions), = o.db.db.execute("SELECT rows, versions FROM cluster_view").fetchall()
        assert o.db.block_counts(None, None, 8)[0][1:3] == (rows, versions)  # the sums alone would not tell
        merges.clear()
        got = _read(o, staff)
        assert got == _whole(staff) and merges
        assert "新的咨询：站点拖欠骑手两个月的配送费" in {f[SUMMARY] for f in got}


def test_a_row_moved_by_hand_reads_its_two_blocks_again_and_as_the_record(tmp_path, monkeypatch):
    """A row given another block's batch number by hand (both merges under one batch
    key, so it still opens): the two blocks are read merge by merge, every other block
    from the view, and the row reads as its record."""
    merges = _spy_merges(monkeypatch)
    with small_city(tmp_path, 400) as (o, staff):
        whole = _whole(staff)
        assert _read(o, staff) == whole
        blocks = [e[0] for e in _entries(o)]
        assert len(blocks) >= 3
        a, b = move_a_row_by_hand(o.db.db, "b.id >> 8 != a.batch >> 8")  # into another block
        merges.clear()
        assert _read(o, staff, keep=False) == whole
        assert {m >> 8 for m in merges} == {a >> 8, b >> 8} < set(blocks)


def test_an_entry_that_does_not_match_its_block_is_not_used(tmp_path, monkeypatch):
    """An entry sealed with the office's own key (as only an office officer could) but
    claiming another count of rows, or of another form, is not used."""
    merges = _spy_merges(monkeypatch)
    world, _ = build(tmp_path)
    with world.office() as o:
        staff = office_staff(o)
        whole = _whole(staff)
        _read(o, staff)
        (*clear, sealed), = _entries(o)
        kept = cluster_view.Entry(*clear)
        doc = staff.opener.open(kept.batch, sealed, cluster_view._aad(kept))
        for change in ({"rows": kept.rows - 1}, {"form": "0 " + kept.form}):
            entry = kept._replace(**change)
            forged = {"columns": [c[:-1] for c in doc["columns"]]}  # a row left out
            nonce = os.urandom(12)
            blob = nonce + staff.opener._aead(kept.batch).encrypt(nonce, orjson.dumps(forged),
                                                                  cluster_view._aad(entry))
            o.db.db.execute("UPDATE cluster_view SET rows=?, form=?, sealed=?", (entry.rows, entry.form, blob))
            merges.clear()
            assert _read(o, staff, keep=False) == whole and merges, change


@pytest.mark.parametrize("alter", ["UPDATE cluster_view SET high=high+1",  # a clear count, bound to the blob
                                   "UPDATE cluster_view SET sealed=CAST(substr(sealed, 1, 40) || (CASE substr(sealed, 41, 1) WHEN x'00' THEN x'01' ELSE x'00' END) || substr(sealed, 42) AS BLOB)",
                                   "UPDATE cluster_view SET sealed=CAST(x'ff00fe' AS TEXT)"])  # not even UTF-8
def test_an_entry_altered_on_disk_is_not_used_and_is_named(tmp_path, monkeypatch, alter):
    """The counts an entry is checked against are bound to its sealed blob: changed on
    disk (so that a block that lost a row would still match), the blob no longer opens.
    Such an entry is not used: its block is read merge by merge, the run names it, and
    the next whole-history run keeps the view again."""
    merges = _spy_merges(monkeypatch)
    world, _ = build(tmp_path)
    with world.office() as o:
        staff = office_staff(o)
        whole = _read(o, staff)
        o.db.db.execute(alter)
        merges.clear()
        altered: list[str] = []
        later: list = []
        cols = cluster_index.columns(o.db, staff.opener, None, later, altered)
        assert sorted(zip(*cols, strict=True)) == whole and merges
        assert len(altered) == 1 and "类案视图的 1 个块（0）" in altered[0] and "cluster view, 1 block (0)" in altered[0]
        for k in later:
            k()()
        merges.clear()
        altered.clear()
        cols = cluster_index.columns(o.db, staff.opener, None, None, altered)
        assert sorted(zip(*cols, strict=True)) == whole and not merges and not altered


def test_a_busy_office_gets_its_clusters_and_the_next_run_keeps_the_view(tmp_path, monkeypatch):
    from liaison.hq import views
    from liaison.hq.lock import office_lock

    waits = spy_view_lock(monkeypatch)
    world, _ = build(tmp_path)
    with world.office() as o:
        staff = office_staff(o)
        with office_lock(world.hq, 0):
            assert _read(o, staff) == _whole(staff)
        assert waits == [views.WAIT_S] and views.WAIT_S <= 1 and _entries(o) == []
        _read(o, staff)
        assert len(_entries(o)) == 1


def test_hq_clusters_keeps_the_view_and_prints_the_same_clusters(tmp_path, monkeypatch, capsys):
    from liaison.bench.office import OFFICER, PIN
    from liaison.cli import main

    merges = _spy_merges(monkeypatch)
    monkeypatch.setenv("LIAISON_PIN", PIN)
    with small_city(tmp_path, 600) as (o, _):
        hq = o.home
    printed = []
    for _ in range(2):
        merges.clear()
        assert main(["hq", "clusters", "--home", str(hq), "--json", "--officer", OFFICER]) == 0
        printed.append((orjson.loads(capsys.readouterr().out), bool(merges)))
    (first, read_merges), (second, read_again) = printed
    assert first == second and first["clusters"] and read_merges and not read_again


@pytest.mark.parametrize("texts", [["骑手被扣配送费", "拖欠工资两个月", "动迁补偿"], ["含\x1e分隔符的摘要", "第二条"],
                                   ["摘要", None, ""], []])
def test_the_summaries_written_are_copies(texts):
    """What the view's write hands orjson are new str objects with the same text: orjson
    keeps a UTF-8 copy inside each str it writes, and the clusters go on holding theirs."""
    got = cluster_view._copies(texts)
    assert got == texts
    assert not any(a is b for a, b in zip(got, texts, strict=True) if isinstance(a, str) and len(a) > 1)


def test_a_view_write_that_fails_keeps_nothing_and_stops_the_rows_being_made(tmp_path):
    """Faults injected on purpose: SQL the thread cannot run, and a failure while the
    rows are made (views.keep_meanwhile). The view is as before either way."""
    import time

    from liaison.hq.views import keep_meanwhile

    world, _ = build(tmp_path)
    with world.office() as o:
        staff = office_staff(o)
        _read(o, staff)
        kept = _entries(o)
        made: list[int] = []

        def bad_sql(batch, sealer):
            yield "DELETE FROM cluster_view", ()
            for n in range(100):
                made.append(n)
                yield "INSERT INTO no_such_table VALUES (?)", (n,)

        assert keep_meanwhile(o.db, bad_sql)() is False
        assert _entries(o) == kept and len(made) < 100

        def fails(batch, sealer):
            yield "DELETE FROM cluster_view", ()
            time.sleep(0.3)  # the thread has run it, and waits for the next
            raise RuntimeError("injected")

        with pytest.raises(RuntimeError, match="injected"):
            keep_meanwhile(o.db, fails)
        assert _entries(o) == kept  # rolled back, and the connection is free again


def test_the_body_waits_for_the_views_write_however_it_ends():
    from liaison.hq.views import written_meanwhile

    waited: list[str] = []

    def start(name: str, result: bool | Exception):
        def wait() -> bool:
            waited.append(name)
            if isinstance(result, Exception):
                raise result
            return result
        return lambda: wait

    with pytest.raises(KeyError):
        with written_meanwhile([start("a", True), start("b", OSError("write failed"))]):
            raise KeyError("the clusters failed")  # raised, not the write's error
    assert waited == ["a", "b"]
    with pytest.raises(OSError, match="write failed"):
        with written_meanwhile([start("c", OSError("write failed"))]):
            pass


def test_hq_clusters_failing_while_the_view_is_written_keeps_the_view(tmp_path, monkeypatch, capsys):
    """Fault injected on purpose: finding the clusters raises while the view is written."""
    from liaison.bench.office import OFFICER, PIN
    from liaison.cli import main
    from liaison.reports import clusters

    monkeypatch.setenv("LIAISON_PIN", PIN)
    with small_city(tmp_path, 300) as (o, _):
        hq = o.home

    def broken(cols, **_):
        cols.clear()
        raise RuntimeError("injected")

    real = clusters.find_clusters_columns
    monkeypatch.setattr(clusters, "find_clusters_columns", broken)
    assert main(["hq", "clusters", "--home", str(hq), "--json", "--officer", OFFICER]) != 0
    assert "Traceback" not in capsys.readouterr().err
    monkeypatch.setattr(clusters, "find_clusters_columns", real)
    merges = _spy_merges(monkeypatch)
    assert main(["hq", "clusters", "--home", str(hq), "--json", "--officer", OFFICER]) == 0
    assert orjson.loads(capsys.readouterr().out)["clusters"] and not merges  # all from the kept view
