"""The resolution medians read where they lie in an index sorted by the days
(Reads.tally_medians), not by fetching every resolved visit: the same medians as
statistics.median over every value, for odd and even counts, any period."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import date

import pytest

from liaison.hq.reads import Reads
from liaison.hq.report import figures, office_figures
from tests.hq._small_city import END, small_city


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    with small_city(tmp_path_factory.mktemp("medians"), 600) as got:
        yield got


def _every_value(o, start, end):
    values = defaultdict(list)
    for st, days in o.db.tally_durations(start, end):
        values[st].append(days)
    per = {st: (len(v), statistics.median(v)) for st, v in values.items()}
    return per, (sum(map(len, values.values())), statistics.median([d for v in values.values() for d in v]))


@pytest.mark.parametrize("start,end", [(None, None), ("2026-06-01", "2026-08-31"), ("2026-11-03", "2026-11-09")])
def test_medians_from_the_index_are_those_of_every_value(city, start, end):
    o, _ = city
    per, whole = o.db.tally_medians(start, end)
    assert (per, whole) == _every_value(o, start, end)
    assert per and (start or {n % 2 for n, _ in per.values()} == {0, 1})  # odd and even counts both met


def test_the_report_reads_no_resolved_value_one_by_one(city, monkeypatch):
    o, staff = city
    old = figures(staff.records(), start=None, end=None, as_of=END)
    monkeypatch.setattr(Reads, "tally_durations", lambda *a: pytest.fail("every resolved value fetched"))
    new = office_figures(o.db, staff.opener, start=None, end=None, as_of=END)
    assert new["resolution"] == old["resolution"] and new["resolution"]["all"]["resolved"] > 0
    monkeypatch.undo()
    start, end = date(2026, 6, 1), date(2026, 8, 31)
    assert office_figures(o.db, staff.opener, start=start, end=end, as_of=end)["resolution"] == \
        figures(staff.records(), start=start, end=end, as_of=end)["resolution"]
