"""The report's weekly counts kept beside the records (hq/tally_weeks.py): always the
groups of the records as they are, whatever wrote them, and a report through them gives
the figures of the whole records for periods that cut weeks or leave them whole."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from liaison.hq.report import figures, office_figures
from liaison.hq.visits import iso_week
from tests.hq._report_world import build
from tests.hq._small_city import END as CITY_END
from tests.hq._small_city import small_city
from tests.sync._sync_world import office_staff

FROM_RECORDS = ("SELECT week, station, category, date(min(day), 'weekday 0', '-6 days'), count(*), sum(party), "
                "max(visited_at) FROM records WHERE deleted=0 AND tallied=1 GROUP BY week, station, category "
                "ORDER BY week, station, category")
KEPT = "SELECT * FROM tally_weeks ORDER BY week, station, category"


def _same(db) -> None:
    kept, wanted = db.execute(KEPT).fetchall(), db.execute(FROM_RECORDS).fetchall()
    assert kept == wanted and kept


def test_the_weekly_counts_follow_every_write_to_the_records(tmp_path):
    """Merges (one bundle edits a visit another sent), then edits by hand of the kinds
    a migration or a mistake makes: a visit moved to another week, a category changed,
    a record deleted, a row left untallied, rows removed."""
    world, _ = build(tmp_path)
    with world.office() as o:
        db = o.db.db
        _same(db)
        rid, day = db.execute("SELECT id, day FROM records WHERE deleted=0 AND tallied=1 ORDER BY id").fetchone()
        later = (date.fromisoformat(day) + timedelta(days=9)).isoformat()
        db.execute("UPDATE records SET day=?, week=?, visited_at=? WHERE id=?",
                   (later, iso_week(date.fromisoformat(later)), f"{later}T10:00:00+08:00", rid))
        _same(db)
        db.execute("UPDATE records SET category='fraud' WHERE rowid % 4 = 1")
        _same(db)
        db.execute("UPDATE records SET deleted=1 WHERE rowid % 5 = 2")
        _same(db)
        db.execute("UPDATE records SET tallied=0 WHERE rowid % 7 = 3")
        _same(db)
        db.execute("DELETE FROM records WHERE rowid % 3 = 0")
        _same(db)
        db.execute("UPDATE records SET doc=doc WHERE 1")  # re-sealing rows: nothing counted changes
        _same(db)


def test_merges_that_move_a_visit_to_another_week_and_delete_it_recount_both_weeks(tmp_path):
    """The office's own write path: a newer version moving a visit two weeks on takes it
    out of its old week and into the new one; a deletion after it takes it out again."""
    world, _ = build(tmp_path)
    with world.office() as o:
        db = o.db.db
        staff = office_staff(o)
        record = next(r for r in staff.records() if not r.get("deleted"))
        station, old_week = record["station"], iso_week(date.fromisoformat(record["visited_at"][:10]))

        def visits(week: str) -> int:
            got = db.execute("SELECT visits FROM tally_weeks WHERE week=? AND station=? AND category=?",
                             (week, station, record["category"])).fetchone()
            return got[0] if got else 0

        before = visits(old_week)
        moved = (date.fromisoformat(record["visited_at"][:10]) + timedelta(days=14)).isoformat()
        new_week = iso_week(date.fromisoformat(moved))
        edited = {**record, "version": record["version"] + 1, "visited_at": f"{moved}T09:00:00+08:00",
                  "updated_at": f"{moved}T09:30:00+08:00"}
        assert o.db.merge(station, 900, "d900", "t", [edited], lambda c: b"r")[0]["accepted"] == 1
        _same(db)
        assert visits(old_week) == before - 1 and visits(new_week) >= 1
        in_new = visits(new_week)
        gone = {**edited, "version": edited["version"] + 1, "deleted": True}
        assert o.db.merge(station, 901, "d901", "t", [gone], lambda c: b"r")[0]["accepted"] == 1
        _same(db)
        assert visits(new_week) == in_new - 1


def test_an_office_db_from_before_them_gets_them_filled(tmp_path):
    world, _ = build(tmp_path)
    with world.office() as o:
        db = o.db.db
        for (trigger,) in db.execute("SELECT name FROM sqlite_master WHERE type='trigger'").fetchall():
            db.execute(f"DROP TRIGGER {trigger}")
        db.execute("DROP TABLE tally_weeks")
    with world.office() as o:
        _same(o.db.db)
        o.db.db.execute("UPDATE records SET deleted=1 WHERE rowid % 2 = 0")  # and kept from then on
        _same(o.db.db)


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    with small_city(tmp_path_factory.mktemp("weeks"), 600) as got:
        yield got


# 2026-06-01 and 2026-08-31 are Mondays, 2026-06-07 and 2026-08-30 Sundays
PERIODS = [(date(2026, 6, 1), date(2026, 8, 30)),  # whole weeks only
           (date(2026, 6, 3), date(2026, 8, 27)),  # both ends cut a week
           (date(2026, 6, 1), date(2026, 8, 31)),  # the last day alone in its week
           (date(2026, 6, 3), date(2026, 6, 5)),  # inside one week
           (date(2026, 3, 4), None), (None, date(2026, 9, 9)), (None, None)]


@pytest.mark.parametrize("start,end", PERIODS)
def test_periods_that_cut_weeks_or_not_give_the_figures_of_the_whole_records(city, start, end):
    o, staff = city
    as_of = end or CITY_END
    old = figures(staff.records(), start=start, end=end, as_of=as_of)
    new = office_figures(o.db, staff.opener, start=start, end=end, as_of=as_of)
    assert new["totals"]["consultations"] > 0
    assert new == old and list(new["by_category"]) == list(old["by_category"])
