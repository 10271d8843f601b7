"""`hq clusters` reads each merge's sealed features (hq/cluster_index.py) instead of
opening every record: the clusters must be those of the whole records, whatever the
index says — superseded, forged, moved, missing or of other fields."""

from __future__ import annotations

import os

import orjson
import pytest

from liaison.hq import cluster_index
from liaison.hq.reads import Reads
from liaison.reports.cluster_features import of_record
from liaison.reports.clusters import find_clusters, find_clusters_columns
from liaison.security.errors import SealBroken
from tests.hq._report_world import build
from tests.hq._small_city import small_city
from tests.sync._sync_world import office_staff


def _whole(o, staff) -> list:
    """The features as the records themselves give them (every personal part opened)."""
    return sorted(map(of_record, staff.records()))


def _read(o, staff) -> list:
    """The features the index gives, as rows, sorted like `_whole`'s."""
    return sorted(zip(*cluster_index.columns(o.db, staff.opener), strict=True))


def _reseal(o, staff, batch: int, doc: dict, blob_batch: int | None = None) -> None:
    nonce = os.urandom(12)
    aead = staff.opener._aead(batch)
    sealed = nonce + aead.encrypt(nonce, orjson.dumps(doc), cluster_index.aad(blob_batch or batch))
    o.db.db.execute("UPDATE cluster_index SET sealed=? WHERE batch=?", (sealed, batch))


@pytest.fixture
def world(tmp_path):
    return build(tmp_path)[0]


def test_every_merge_is_indexed_sealed_and_read_without_opening_a_record(world, monkeypatch):
    with world.office() as o:
        staff = office_staff(o)
        db = o.db.db
        assert db.execute("SELECT count(*) FROM cluster_index").fetchone()[0] == \
            db.execute("SELECT count(DISTINCT batch) FROM records").fetchone()[0] > 0
        for (blob,) in db.execute("SELECT sealed FROM cluster_index"):
            assert "测试咨询".encode() not in blob and "测试咨询".encode("utf-16-le") not in blob
        whole = _whole(o, staff)
        opened = []
        monkeypatch.setattr(Reads, "open_personal", staticmethod(lambda *a: opened.append(a) or {}))
        assert _read(o, staff) == whole
        assert opened == []


def test_a_superseded_edited_deleted_or_untallied_row_reads_as_the_record(world):
    """The neighbour visit of 枫桥远坊 was edited in bundle 3: its row is bundle 3's,
    while bundle 1's index still describes its first version."""
    with world.office() as o:
        staff = office_staff(o)
        db = o.db.db
        assert db.execute("SELECT max(version) FROM records").fetchone()[0] > 1
        db.execute("UPDATE records SET tallied=0 WHERE rowid % 3 = 0")
        db.execute("UPDATE records SET deleted=1 WHERE rowid % 5 = 1")
        got = _read(o, staff)
        assert got == _whole(o, staff) and len(got) < db.execute("SELECT count(*) FROM records").fetchone()[0]


def test_an_entry_of_another_version_or_other_fields_is_not_used(world):
    with world.office() as o:
        staff = office_staff(o)
        whole = _whole(o, staff)
        rows = o.db.db.execute("SELECT batch, sealed FROM cluster_index").fetchall()
        for n, (batch, blob) in enumerate(rows):
            doc = staff.opener.open(batch, blob, cluster_index.aad(batch))
            doc["columns"][6] = ["伪造的摘要"] * len(doc["versions"])  # the summaries
            if n % 2:
                doc["versions"] = [v + 1 for v in doc["versions"]]
            else:
                doc["fields"] = doc["fields"][:-1] + ["something else"]
            _reseal(o, staff, batch, doc)
        got = _read(o, staff)
        assert got == whole and "伪造的摘要" not in {f[6] for f in got}


def test_a_merge_from_before_the_index_is_read_from_its_rows(world):
    with world.office() as o:
        staff = office_staff(o)
        o.db.db.execute("DELETE FROM cluster_index")
        assert _read(o, staff) == _whole(o, staff)


@pytest.mark.parametrize("alter", [
    "UPDATE cluster_index SET sealed=(SELECT sealed FROM cluster_index WHERE batch=:a) WHERE batch=:b",  # moved
    "UPDATE cluster_index SET sealed=CAST(substr(sealed, 1, 40) || (CASE substr(sealed, 41, 1) WHEN x'00' THEN x'01' ELSE x'00' END) || substr(sealed, 42) AS BLOB) WHERE batch=:b",
    "UPDATE cluster_index SET sealed=CAST(x'ff00fe' AS TEXT) WHERE batch=:b"])  # not even UTF-8
def test_a_blob_moved_to_another_merge_or_altered_is_not_used_and_is_named(world, alter):
    """A merge's index blob that does not open (another merge's, altered, not a blob) is
    not used: that merge's rows are read from the records, and the run names the merge."""
    with world.office() as o:
        staff = office_staff(o)
        (a,), (b,) = o.db.db.execute("SELECT batch FROM cluster_index LIMIT 2").fetchall()
        o.db.db.execute(alter, {"a": a, "b": b})
        altered: list[str] = []
        got = sorted(zip(*cluster_index.columns(o.db, staff.opener, altered=altered), strict=True))
        assert got == _whole(o, staff)
        assert len(altered) == 1 and f"类案索引的 1 个批次（{b}）" in altered[0] and f"1 merge ({b})" in altered[0]
        # The records themselves are the truth: one that does not open is refused.
        o.db.db.execute("UPDATE records SET sealed=CAST(substr(sealed, 1, 40) || (CASE substr(sealed, 41, 1) WHEN x'00' THEN x'01' ELSE x'00' END) || substr(sealed, 42) AS BLOB) "
                        "WHERE batch=?", (b,))
        with pytest.raises(SealBroken):
            cluster_index.columns(o.db, staff.opener)


def test_the_clusters_of_a_small_city_are_those_of_its_whole_records(tmp_path):
    with small_city(tmp_path, 1500) as (o, staff):
        records = list(staff.records())
        for since in (None, "2026-09-01"):
            want = [k.to_dict() for k in find_clusters(records, since=since)]
            got = [k.to_dict() for k in find_clusters_columns(cluster_index.columns(o.db, staff.opener, since), since=since)]
            assert got == want and len(want) > 3
