"""`table` renders each distinct cell once per column: the same text as rendering
every cell on its own (the way it was written before, kept here as the reference)."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from liaison.cli.output import _measured_clip, _pad, table
from liaison.domain.text import safe_text


def clip_one_by_one(text, width):
    """The clip as it was first written: the text measured, then cut a character at a time."""
    if cell_len(text) <= width:
        return text
    out, w = "", 0
    for ch in text:
        if w + cell_len(ch) > width - 1:
            break
        out, w = out + ch, w + cell_len(ch)
    return out + "…"


def one_by_one(headers, rows, *, max_widths=None):
    rows = [[safe_text(str(c)) for c in r] for r in rows]
    if max_widths:
        rows = [[clip_one_by_one(c, m) for c, m in zip(r, max_widths, strict=True)] for r in rows]
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


# Every kind of character a summary may hold: ASCII, CJK (two cells), rich's single-cell
# ranges, combining marks (zero cells), emoji with joiners and presentation selectors
# (measured as a run by rich), wide punctuation and the ellipsis itself.
ALPHABET = ("abc XYZ 019", "枫桥远坊欠薪咨询，。！", "é ñ ü ¢ ½ ΩЖ ─│▒ ⠿", "e\u0301 a\u0308 \u200b",
            "👨\u200d👩\u200d👧 ❤\ufe0f ☺\ufe0f 🇨🇳", "～（）【】… ｱ")


def test_clipping_gives_the_cell_by_cell_text_for_any_characters():
    import random

    rnd = random.Random(7)
    chars = "".join(ALPHABET)
    texts = ["", "…", "枫", "a" * 50, "枫" * 30] + [
        "".join(rnd.choice(chars) for _ in range(rnd.randint(0, 70))) for _ in range(3000)]
    for width in (1, 2, 3, 10, 24, 50):
        got = [_measured_clip(t, width) for t in texts]
        assert [text for text, _ in got] == [clip_one_by_one(t, width) for t in texts], width
        assert [cells for _, cells in got] == [cell_len(text) for text, _ in got], width  # the width it says
    rows = [(t, t[:5], str(i)) for i, t in enumerate(texts)]
    for max_widths in (None, (24, 3, 50), (1, 2, 3)):
        assert table(HEADERS, rows, max_widths=max_widths) == one_by_one(HEADERS, rows, max_widths=max_widths)
