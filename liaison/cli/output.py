"""Printing: JSON for programs (stdout), aligned tables for people, messages on stderr."""

from __future__ import annotations

import sys
from bisect import bisect_right
from itertools import accumulate
from typing import Any, Iterable, Sequence

from rich.cells import cell_len, get_character_cell_size  # display width of CJK text; rich is not textual

from ..domain.masking import mask_name, mask_phone
from ..domain.text import safe_text
from ..domain.vocab import CATEGORIES, STATUSES, label


def print_json(data: Any) -> None:
    import orjson  # here: the app's path (`liaison` alone) prints no JSON

    sys.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n")


def say(message: str) -> None:
    """A diagnostic for the person at the terminal (stderr: stdout stays parseable)."""
    print(safe_text(message), file=sys.stderr)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - cell_len(text))


_JOINERS = ("\u200d", "\ufe0f")  # a zero-width joiner or an emoji presentation: rich measures the run
_ELLIPSIS = cell_len("…")


def _measured_clip(text: str, width: int | None) -> tuple[str, int]:
    """(`text` cut to `width` cells with "…" if it is wider, its width in cells). Each
    character measured once by rich's own table, in C loops: `hq clusters` clips
    600 000 distinct summaries, and measuring them one character at a time in Python
    took most of its text output. A text with a joiner is measured as rich measures it."""
    if any(j in text for j in _JOINERS):
        cells = cell_len(text)
        if width is None or cells <= width:
            return text, cells
        out, w = "", 0
        for ch in text:
            if w + cell_len(ch) > width - 1:
                break
            out, w = out + ch, w + cell_len(ch)
        return out + "…", cell_len(out + "…")
    sizes = list(accumulate(map(get_character_cell_size, text)))
    cells = sizes[-1] if sizes else 0
    if width is None or cells <= width:
        return text, cells
    n = bisect_right(sizes, width - 1)  # the longest start of at most width - 1 cells
    return text[:n] + "…", (sizes[n - 1] if n else 0) + _ELLIPSIS


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], *,
          max_widths: Sequence[int | None] | None = None) -> str:
    """Aligned columns, each cut to its max width (None: never cut, as a reference).
    Column by column, each distinct text made safe, clipped, measured and padded once:
    a report's 70 000 rows hold a few hundred distinct cells."""
    rows = list(rows)
    cols = list(zip(*rows, strict=True)) if rows else [()] * len(headers)
    # strict: one cell (and one width) per header; a short row would silently lose columns
    if len(cols) != len(headers) or (max_widths and len(max_widths) != len(headers)):
        raise ValueError(f"a table of {len(headers)} columns was given rows of {len(cols)}")
    shown_cols, widths = [], []
    for i, (h, col) in enumerate(zip(headers, cols, strict=True)):
        texts = list(map(str, col))
        # A record stored before control characters were refused must not drive the terminal.
        limit = max_widths[i] if max_widths else None
        shown = {t: _measured_clip(safe_text(t), limit) for t in set(texts)}
        width = max([cell_len(h), *(cells for _, cells in shown.values())])
        padded = {t: v + " " * (width - cells) for t, (v, cells) in shown.items()}
        shown_cols.append(list(map(padded.__getitem__, texts)))
        widths.append(width)
    lines = ["  ".join(_pad(h, w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += map(str.rstrip, map("  ".join, zip(*shown_cols, strict=True)))
    return "\n".join(lines)


LIST_HEADERS = ("编号 Ref", "日期 Date", "类别 Category", "来访人 Visitor", "状态 Status", "回访 Follow-up", "摘要 Summary")


def list_row(r: Any, summary: str) -> tuple[str, ...]:
    """One masked line of the consultation list (a row of the store's index)."""
    who = " ".join(x for x in (mask_name(r.name), mask_phone(r.phone)) if x) or (
        "（匿名）" if r.anonymous else "未留姓名")
    if r.party_size > 1:
        who += f" 等{r.party_size}人"
    return (r.ref, r.visited_at[:10], label(CATEGORIES, r.category), who,
            label(STATUSES, r.status), r.follow_up_on or "", summary)


_damaged: list[str] = []


def warn_damaged(problems: list[str]) -> None:
    """A command that reads a damaged station still shows what is there, under this
    warning, and ends with exit 7 (see cli._run): fewer records never look normal."""
    from ..store.errors import RECOVERY

    if problems and not _damaged:
        say("liaison: 警告：数据目录与记录清单不符，以下内容可能不全；已停止写入 "
            "(warning: the data folder does not match its manifest; what follows may be incomplete; "
            "saving is stopped):")
        for p in problems:
            say(f"  - {p}")
        say(RECOVERY)
    _damaged.extend(problems)


def was_damaged() -> bool:
    return bool(_damaged)


def forget_damage() -> None:
    """Each command judges its own station (tests and the app call `main` more than once)."""
    _damaged.clear()
