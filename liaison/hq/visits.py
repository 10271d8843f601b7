"""A visit's dates as the report counts them, and the few clear fields it tallies,
derived once per stored row (at merge time) so the report can count in SQLite.

The derived columns are only a copy of what `report.Tally.add` would compute from the
row's clear part; a row whose fields are not of the usual shapes gets `tallied = 0`
and the report counts it from its clear part in Python, as before, so every figure
stays that of the whole records (tests/hq/test_report_fast_path.py).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from ..domain.timeutil import parse_datetime
from ..domain.vocab import DONE_STATUSES

# records' derived columns, in the order `derived` gives them
COLUMNS = (("day", "TEXT"), ("week", "TEXT"), ("category", "TEXT"), ("status", "TEXT"),
           ("follow_up_on", "TEXT"), ("party", "INTEGER"), ("resolve_days", "REAL"), ("ref", "TEXT"),
           ("tallied", "INTEGER"))
# The statuses the report counts as done, as SQL: fixed codes, no quotes in them. A
# follow-up still open is one of the others; the overdue list's index is on that
# condition, so the query must say it the same way (hq/schema.py, Reads.tally_overdue).
DONE_SQL = "(" + ",".join(f"'{x}'" for x in sorted(DONE_STATUSES)) + ")"
OPEN_SQL = f"(status IS NULL OR status NOT IN {DONE_SQL})"
_NONE = (None,) * (len(COLUMNS) - 1) + (0,)
_BIG = 2 ** 62  # SQLite's INTEGER is 64-bit; Python's int is not


def iso_week(d: date) -> str:
    y, w, _ = d.isocalendar()
    return f"{y}-W{w:02d}"


def week_start(d: date) -> date:
    return d - timedelta(days=d.weekday())


def instant(text: str) -> datetime:
    """parse_datetime's instant, by the C parser when the text is ISO with an offset
    (every stored record): a report reads 600 000 of them."""
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        return parse_datetime(text)
    return dt if dt.tzinfo is not None else parse_datetime(text)


def visit_day(text: str) -> date:
    """parse_datetime(text).date(): the day in Shanghai. A stored visit is written in
    Shanghai time (+08:00, the offset since 1992), so its first ten characters are
    that day; anything else goes through the full conversion."""
    if len(text) == 25 and text.endswith("+08:00") and text[:4] >= "1992":
        return date.fromisoformat(text[:10])
    return parse_datetime(text).date()


def days_between(a: str, b: str) -> float:
    return (instant(b) - instant(a)).total_seconds() / 86400


_days: dict[str, tuple[str, str]] = {}  # a Shanghai visit's first ten characters -> (day, ISO week)
_fromiso = datetime.fromisoformat


def _day_week(va: str) -> tuple[str, str]:
    """(visit day, its ISO week) as visit_day and iso_week give them, looked up by the
    day's text for the usual shape: a night's bundle has a few hundred distinct days."""
    if len(va) == 25 and va.endswith("+08:00") and va[:4] >= "1992":
        got = _days.get(va[:10])
        if got is None:
            day = date.fromisoformat(va[:10])  # a bad day raises before it is remembered
            got = _days[va[:10]] = (day.isoformat(), iso_week(day))
        return got
    day = parse_datetime(va).date()
    return day.isoformat(), iso_week(day)


def derived(r: dict[str, Any], station: str) -> tuple[Any, ...]:
    """The derived columns of a record kept for `station` (see COLUMNS)."""
    try:
        g = r.get
        cat, st, fu = r["category"], g("status"), g("follow_up_on")
        if (g("station") != station or not isinstance(cat, str) or not isinstance(g("id"), str)
                or not (st is None or isinstance(st, str)) or not (fu is None or isinstance(fu, str))):
            return _NONE
        va = r["visited_at"]
        day, week = _day_week(va)
        party = int((g("visitor") or {}).get("party_size", 1))
        if not -_BIG < party < _BIG:
            return _NONE
        up = g("updated_at")
        if up:
            # days_between, with instant's C parse taken inline (one call, not three, a row)
            a: datetime | None
            b: datetime | None
            try:
                a, b = _fromiso(va), _fromiso(up)
            except ValueError:
                a = b = None
            if a is None or b is None or a.tzinfo is None or b.tzinfo is None:
                resolve = max(0.0, days_between(va, up))  # another form: parse_datetime's way
            else:
                resolve = max(0.0, (b - a).total_seconds() / 86400)
        else:
            resolve = None
        ref = g("ref")  # the overdue list shows it; another shape is read from the clear part
        return (day, week, cat, st, fu or None, party, resolve, ref if type(ref) is str else None, 1)
    except Exception:  # an odd row: the report counts it from its clear part instead
        return _NONE
