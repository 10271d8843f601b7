"""The HTML report's tables build each column in C where they can: the same markup as
rendering every cell on its own (the earlier code, kept here as the reference)."""

from __future__ import annotations

from html import escape

import pytest

from liaison.hq.report_html import _table


def one_by_one(headers, rows, table_id):
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(
        f'<td class="n">{c}</td>' if isinstance(c, (int, float)) else f"<td>{escape(str(c))}</td>" for c in r)
        + "</tr>" for r in rows)
    return f'<table id="{table_id}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


@pytest.mark.parametrize("rows", [
    [],
    [("a", 1, 1.5)],
    [("<b>&\"'", 1, 2.25), ("站点", True, float("nan")), ("", 0, -0.0)],   # escapes, bool, nan
    [("line\none", 1, "—"), ("two", 2, 3.5)],                              # a newline in a cell; a mixed column
    [(None, 1, 1.0), ("x", 2, 1)],                                           # None shown as text; int and float
])
def test_the_same_markup_as_cell_by_cell(rows):
    headers = ("站点", "件数", "中位 <days>")
    assert _table(headers, rows, "t") == one_by_one(headers, rows, "t")
