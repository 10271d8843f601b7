"""The report reads clear parts and opens only the referrals of visits in the period:
its figures must be those of the whole records, section by section, on the scenario
office and on a synthetic city with ties, edits and every period."""

from __future__ import annotations

from datetime import date

import pytest

from _report_world import END, START, build
from _sync_world import office_staff
from liaison.hq.report import build_report, figures, office_figures


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
    from liaison.bench.office import OFFICER, PIN, build_city
    from liaison.hq.ingest import ingest_folder
    from liaison.hq.office import Office
    from liaison.hq.staff import unlock

    hq, inbox, _ = build_city(tmp_path, 600, end=date(2026, 11, 30))
    o = Office(hq)
    try:
        assert ingest_folder(o, inbox)[0]["accepted"] == 600
        staff = unlock(o, OFFICER, PIN)
        for start, end in ((None, None), (date(2026, 6, 1), date(2026, 8, 31))):
            old = figures(staff.records(), start=start, end=end, as_of=end or date(2026, 11, 30))
            new = office_figures(o.db, staff.opener, start=start, end=end, as_of=end or date(2026, 11, 30))
            assert new == old and list(new["by_category"]) == list(old["by_category"])
    finally:
        o.close()
