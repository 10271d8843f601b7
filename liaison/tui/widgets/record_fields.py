"""What the detail screen adds for issue 13: category fields shown as people read them
(a flag as 是/否, an amount with separators, a time without seconds), the advice they
call for (urgent steps, deadlines) and the related visits, both ways."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ...domain.advice import deadline_text, urgent_steps
from ...domain.consultation import Consultation
from ...domain.vocab import DETAIL_KINDS, DETAIL_LABELS, label


def detail_rows(c: Consultation, lang: str) -> list[tuple[str, str]]:
    out = []
    for key, value in c.details.items():
        kind = DETAIL_KINDS.get(key)
        if kind == "flag":
            value = ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            value = f"{value:,}"
        elif kind == "datetime":
            value = str(value)[:16].replace("T", " ")
        out.append((label(DETAIL_LABELS, key, lang), str(value)))
    return out


def advice_lines(c: Consultation, now: datetime, today: date, lang: str) -> list[str]:
    return [x for x in (urgent_steps(c, now, lang), deadline_text(c.category, c.details, today, lang)) if x]


def related_both_ways(store: Any, c: Consultation) -> tuple[list[str], list[str]]:
    """(lines for the visits `c` names, lines for the later visits that name `c`), each
    "REF  date  start of summary". Runs in the detail screen's loading worker."""
    def line(row) -> str:
        return f"{row.ref}  {row.visited_at[:10]}  {row.brief}"
    earlier = []
    for ref in c.related_to:
        row = store.find(ref)
        earlier.append(line(row) if row is not None and not row.deleted else ref)
    # A record's related references are among its search keys (domain.search.haystack).
    rows = [r for r in store.index.search(c.ref) if r.id != c.id and not r.deleted]
    later = [line(r) for r, full in zip(rows, store.load(rows), strict=True) if c.ref in full.related_to]
    return earlier, later
