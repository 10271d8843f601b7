"""`hq status`'s per-station figures against an office whose truth is known by hand:
the report world's two stations, then a deleted record, an untallied one, a conflict,
records sent by the wrong station, audit breaks, a stranger's bundles with holes and
an enrolled station that never sent anything."""

from __future__ import annotations

import pytest

from liaison.hq.audit_chain import GENESIS
from tests.hq._report_world import FQ, RIDER, build

AT = "2026-11-21T10:00:00+08:00"


@pytest.fixture
def office(tmp_path):
    world, ids = build(tmp_path)
    with world.office() as o:
        _known(o, ids)
        yield o, ids


def _known(o, ids):
    q = o.db.db.execute
    q("UPDATE records SET deleted=1 WHERE id=?", (ids[FQ][0],))
    q("UPDATE records SET tallied=0 WHERE id=?", (ids[FQ][1],))  # kept, outside the report's index
    q("UPDATE records SET tallied=0, deleted=1 WHERE id=?", (ids[RIDER][0],))
    q("INSERT INTO conflicts SELECT id, station, version, 'x', 1, doc, sealed, batch FROM records WHERE id=?",
      (ids[RIDER][1],))
    for rid, bundle in ((ids[RIDER][1], 3), (ids[RIDER][2], 1)):
        q("INSERT INTO foreign_records VALUES (?,?,?,?,?,?)", (rid, RIDER, FQ, bundle, 2, AT))
    q("INSERT INTO audit_breaks VALUES (?,?,?,?,?,?,?)", (RIDER, 2, "edited", "hash mismatch", 1, AT, "k1"))
    q("INSERT INTO audit VALUES (?,?,?,?,?,?,?)", (FQ, 5, "h5", AT, "edit", 3, b"{}"))  # its last entry, after a hole
    q("INSERT INTO stations VALUES ('zz-new', 'AAAA', ?)", (AT,))
    for n in (3, 6):
        q("INSERT INTO bundles SELECT 'aa-stranger', ?, digest, received_at, count, receipt FROM bundles LIMIT 1",
          (n,))


def test_status_figures_are_the_known_truth(office):
    o, ids = office
    rows = o.db.status_rows()
    plain = {r["station"]: {k: r[k] for k in ("enrolled", "last_bundle", "bundles", "gaps", "records",
                                              "deleted", "conflicts", "foreign")} for r in rows}
    assert plain == {
        "aa-stranger": {"enrolled": False, "last_bundle": 6, "bundles": 2, "gaps": [1, 2, 4, 5], "records": 0,
                        "deleted": 0, "conflicts": 0, "foreign": 0},
        # bundle 2 never delivered; 4 records, one deleted, one untallied but kept
        FQ: {"enrolled": True, "last_bundle": 3, "bundles": 2, "gaps": [2], "records": 3, "deleted": 1,
             "conflicts": 0, "foreign": 2},
        RIDER: {"enrolled": True, "last_bundle": 1, "bundles": 1, "gaps": [], "records": 2, "deleted": 1,
                "conflicts": 1, "foreign": 0},
        "zz-new": {"enrolled": True, "last_bundle": 0, "bundles": 0, "gaps": [], "records": 0, "deleted": 0,
                   "conflicts": 0, "foreign": 0},
    }
    by = {r["station"]: r for r in rows}
    last = o.db.db.execute("SELECT received_at FROM bundles WHERE station=? AND number=3", (FQ,)).fetchone()[0]
    assert by[FQ]["last_received_at"] == last and by["zz-new"]["last_received_at"] is None
    assert [(f["id"], f["owner"], f["bundle"]) for f in by[FQ]["foreign_records"]] == [
        (ids[RIDER][1], RIDER, 3), (ids[RIDER][2], RIDER, 1)]
    assert [b["reason"] for b in by[RIDER]["audit"]["breaks"]][-1] == "hash mismatch"
    # entries, the last one (number, hash, time) and the breaks: counted for all stations at once
    audit = {st: (a["entries"], a["head"], a["head_hash"], a["last_at"], [b["kind"] for b in a["breaks"]])
             for st, a in ((r["station"], r["audit"]) for r in rows)}
    assert audit == {"aa-stranger": (0, 0, GENESIS, None, []), FQ: (2, 5, "h5", AT, ["missing"]),
                     RIDER: (0, 0, GENESIS, None, ["edited"]), "zz-new": (0, 0, GENESIS, None, [])}
    assert all(r["audit"] == o.db.audit_status(r["station"]) for r in rows)


def test_one_station_is_its_row_of_all(office):
    """The filtered path (a seek for one station) gives the row the grouped one does."""
    o, _ = office
    rows = o.db.status_rows()
    assert [r["station"] for r in rows] == o.db.stations()
    for row, sync in zip(rows, o.db.sync_rows(), strict=True):  # the report's rows: the same figures
        assert sync == {k: row[k] for k in sync}
        assert o.db.station_status(row["station"]) == row
        assert o.db.sync_rows(row["station"]) == [sync]
        assert o.db.gaps(row["station"]) == row["gaps"]
    nobody = o.db.station_status("nobody")
    assert (nobody["records"], nobody["bundles"], nobody["gaps"], nobody["enrolled"]) == (0, 0, [], False)
    o.db.db.execute("BEGIN IMMEDIATE")  # asked inside a writer's transaction, it reads that state
    try:
        assert o.db.station_status(FQ) == {r["station"]: r for r in rows}[FQ]
    finally:
        o.db.db.execute("ROLLBACK")
