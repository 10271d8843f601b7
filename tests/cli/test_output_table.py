"""`table` renders each distinct cell once per column: the same text as rendering
every cell on its own (the way it was written before, kept here as the reference)."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from liaison.cli.output import _clip, _pad, table
from liaison.domain.text import safe_text


def one_by_one(headers, rows, *, max_widths=None):
    rows = [[safe_text(str(c)) for c in r] for r in rows]
    if max_widths:
        rows = [[_clip(c, m) for c, m in zip(r, max_widths, strict=True)] for r in rows]
    widths = [max([cell_len(h)] + [cell_len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    lines = ["  ".join(_pad(h, w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines)


HEADERS = ("站点 Station", "值 Value", "备注 Note")
ROWS = [
    ("枫桥远坊", 1, "普通"),
    ("枫桥远坊", 1.0, "trailing space   "),
    ("rider", True, "bell\x07 and \x1b[31mred"),
    ("rider", None, "tab\there"),
    ("很长很长的站点名字", 12345678, ""),
    ("rider", 1, "普通"),
]


@pytest.mark.parametrize("max_widths", [None, (6, 4, 8)])
def test_the_same_text_as_cell_by_cell(max_widths):
    assert table(HEADERS, ROWS, max_widths=max_widths) == one_by_one(HEADERS, ROWS, max_widths=max_widths)
    assert table(HEADERS, iter(ROWS)) == one_by_one(HEADERS, ROWS)  # any iterable of rows


def test_no_rows_and_wrong_rows():
    assert table(HEADERS, []) == one_by_one(HEADERS, [])
    with pytest.raises(ValueError):
        table(HEADERS, [("a", "b")])
    with pytest.raises(ValueError):
        table(HEADERS, [("a", "b", "c"), ("a", "b")])
