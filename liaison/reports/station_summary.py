"""What the dashboard shows: visits today and this week, follow-ups due and overdue.

Works on index rows (anything with visited_at, category, status, follow_up_on,
party_size, deleted), so it costs one pass over the in-memory index.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Iterable

from ..domain.vocab import DONE_STATUSES


@dataclass(frozen=True)
class Summary:
    today: date
    visits_today: int = 0
    people_today: int = 0
    visits_week: int = 0
    week_by_category: dict[str, int] = field(default_factory=dict)
    due_today: list[Any] = field(default_factory=list)
    overdue: list[Any] = field(default_factory=list)
    total: int = 0
    unexported: int = 0  # records changed after the last export's checkpoint


def summarise(rows: Iterable[Any], today: date, checkpoint: int = 0) -> Summary:
    day = today.isoformat()
    week_start = (today - timedelta(days=today.weekday())).isoformat()
    visits_today = people_today = visits_week = total = unexported = 0
    by_cat: Counter[str] = Counter()
    due_today, overdue = [], []
    for r in rows:
        if r.seq > checkpoint:
            unexported += 1  # tombstones too: the office must learn of deletions
        if r.deleted:
            continue
        total += 1
        visited = r.visited_at[:10]
        if visited == day:
            visits_today += 1
            people_today += r.party_size
        if week_start <= visited <= day:
            visits_week += 1
            by_cat[r.category] += 1
        fu = r.follow_up_on
        if fu and r.status not in DONE_STATUSES:
            if fu == day:
                due_today.append(r)
            elif fu < day:
                overdue.append(r)
    overdue.sort(key=lambda r: r.follow_up_on)
    return Summary(today, visits_today, people_today, visits_week, dict(by_cat.most_common()),
                   due_today, overdue, total, unexported)
