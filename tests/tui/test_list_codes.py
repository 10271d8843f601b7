"""The narrow list's column widths come from the categories and statuses of the rows
shown; the walk that collects them stops early only when nothing can be missed."""

from __future__ import annotations

from types import SimpleNamespace

from liaison.domain.vocab import CATEGORIES, STATUSES
from liaison.tui.widgets.record_list import distinct_codes


def rows(pairs):
    return [SimpleNamespace(category=c, status=s) for c, s in pairs]


def test_codes_of_a_large_result_are_all_found():
    cats, sts = list(CATEGORIES), list(STATUSES)
    many = rows((cats[i % len(cats)], sts[i % len(sts)]) for i in range(5000))
    assert distinct_codes(many) == (set(cats), set(sts))


def test_a_rare_code_at_the_end_is_not_missed():
    cats, sts = list(CATEGORIES), list(STATUSES)
    few = rows([(cats[0], sts[0])] * 3000 + [(cats[1], sts[-1])])
    assert distinct_codes(few) == ({cats[0], cats[1]}, {sts[0], sts[-1]})
    assert distinct_codes([]) == (set(), set())
