"""The overdue list read from its own index (records_overdue): the open follow-ups by
due day with the reference beside them, so a report does not scan every row nor read
their clear parts, and the list is the one the whole records give."""

from __future__ import annotations

from datetime import date

import orjson

from liaison.hq.report import figures, office_figures
from tests.hq._report_world import END, START, build
from tests.sync._sync_world import office_staff

PERIODS = ((START, END, END), (None, None, date(2026, 12, 1)))


def _same_overdue(o, staff) -> None:
    for start, end, as_of in PERIODS:
        old = figures(staff.records(), start=start, end=end, as_of=as_of)
        new = office_figures(o.db, staff.opener, start=start, end=end, as_of=as_of)
        assert new["overdue"] == old["overdue"] and any(new["overdue"].values())
        assert new == old


def test_the_overdue_list_is_read_from_its_index_with_the_reference(tmp_path):
    world, _ = build(tmp_path)
    with world.office() as o:
        db = o.db.db
        rows = db.execute("SELECT ref, doc FROM records WHERE deleted=0 AND tallied=1").fetchall()
        assert rows and all(ref == orjson.loads(doc)["ref"] for ref, doc in rows)
        seen: list[str] = []
        db.set_trace_callback(seen.append)  # the SQL as the report runs it, parameters bound
        o.db.tally_overdue("2026-12-01").fetchall()
        db.set_trace_callback(None)
        plan = db.execute("EXPLAIN QUERY PLAN " + next(q for q in seen if "follow_up_on <" in q)).fetchall()
        assert "USING INDEX records_overdue" in str(plan)
        _same_overdue(o, office_staff(o))


def test_a_row_without_its_reference_column_is_listed_from_its_clear_part(tmp_path):
    world, _ = build(tmp_path)
    with world.office() as o:
        o.db.db.execute("UPDATE records SET ref=NULL WHERE rowid % 2 = 0")
        _same_overdue(o, office_staff(o))


def test_an_office_db_from_before_the_column_gets_it_for_its_open_follow_ups(tmp_path):
    world, _ = build(tmp_path)
    with world.office() as o:
        db = o.db.db
        db.execute("DROP INDEX records_overdue")
        db.execute("ALTER TABLE records DROP COLUMN ref")
    with world.office() as o:
        db = o.db.db
        open_rows = db.execute("SELECT ref, doc FROM records INDEXED BY records_overdue WHERE deleted=0 AND tallied=1 "
                               "AND follow_up_on IS NOT NULL AND (status IS NULL OR status NOT IN "
                               "('closed','resolved'))").fetchall()
        assert open_rows and all(ref == orjson.loads(doc)["ref"] for ref, doc in open_rows)
        _same_overdue(o, office_staff(o))
