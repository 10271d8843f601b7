"""A report is one state of the office: a bundle merged while the report is being read
(`hq serve` runs beside `hq report` and the dashboard) shows in every section or in
none. The merge is made to land between two of the report's reads on purpose, by a
hook on its first read; the merge itself is the real one, through its own connection."""

from __future__ import annotations

from liaison.domain.intake import fields_from_input
from liaison.hq.office import Office
from liaison.hq.report import build_report
from liaison.store import Store
from liaison.sync.export import export
from tests.hq._report_world import END, RIDER, START, at, build
from tests.sync._sync_world import office_staff


def _pending_rider_bundle(world) -> None:
    """One more rider visit in the period, referred, in a bundle waiting in the inbox."""
    store = Store.open(world.root / RIDER)
    store.create(fields_from_input({"visited_at": at("2026-11-13").isoformat(), "category": "rider",
                                    "status": "referred", "referrals": ["public_interest"],
                                    "follow_up_on": "2026-11-14", "summary": "配送费被扣 测试咨询",
                                    "visitor": {"name": "测试人", "consent": True}}, officer="测试"),
                 at=at("2026-11-13"))
    store.close()
    b = export(world.root / RIDER).path
    (world.drop / "inbox" / b.name).write_bytes(b.read_bytes())


def _figures(rep: dict) -> dict:
    rider = next(s for s in rep["sync"] if s["station"] == RIDER)
    return {"visits": rep["totals"]["per_station"][RIDER],
            "public_interest": next(r["count"] for r in rep["referrals"] if r["referral"] == "public_interest"),
            "overdue": len(rep["overdue"].get(RIDER, [])), "last_bundle": rider["last_bundle"]}


def test_a_merge_during_the_report_shows_in_every_section_or_in_none(tmp_path):
    world, _ = build(tmp_path)
    _pending_rider_bundle(world)
    staff = office_staff(Office(world.hq))
    db = staff.office.db
    before = _figures(build_report(db, staff.opener, start=START, end=END))
    assert before == {"visits": 2, "public_interest": 2, "overdue": 2, "last_bundle": 1}

    reads = db.tally_groups

    def merge_after_first_read(*args):
        got = reads(*args)
        assert world.ingest()["accepted"] == 1  # another process's merge, committed
        return got

    db.tally_groups = merge_after_first_read
    during = _figures(build_report(db, staff.opener, start=START, end=END))
    assert during == before
    del db.tally_groups
    after = _figures(build_report(db, staff.opener, start=START, end=END))
    assert after == {"visits": 3, "public_interest": 3, "overdue": 3, "last_bundle": 2}
