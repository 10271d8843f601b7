"""Time in the stations' zone (Asia/Shanghai) and the ISO forms we store.

One parser for the dates people type and spreadsheets write: `2026-11-03`,
`2026/11/3` (Excel on a Chinese Windows), `2026年11月3日`, `2026.11.3`, each also
with a time (`9:30`, `09:30:00`) where a date-time is read.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")

_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?:\s*日)?")
_TIME = re.compile(r"(?:[T\s]\s*(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?)?")


def now() -> datetime:
    # Whole seconds: nobody reads sub-second visit times, and it keeps the JSON short.
    return datetime.now(TZ).replace(microsecond=0)


def today() -> date:
    return now().date()


def iso(dt: datetime) -> str:
    try:
        return dt.astimezone(TZ).isoformat()
    except OverflowError:  # a year-1 time stored before visit dates were bounded
        return dt.isoformat()


def _in_tz(dt: datetime) -> datetime:
    if dt.tzinfo is None:
        return dt.replace(tzinfo=TZ)
    try:
        return dt.astimezone(TZ)
    except OverflowError:  # converting year 1 to UTC falls off the calendar: keep the wall time
        return dt.replace(tzinfo=TZ)


def _ymd(m: re.Match[str]) -> date:
    y, mo, d = (int(x) for x in m.groups())
    return date(y, mo, d)


def _people_form(text: str) -> datetime | None:
    m = _DATE.fullmatch(text)
    if m is not None:
        return datetime.combine(_ymd(m), time())
    d = _DATE.match(text)
    m2 = _TIME.fullmatch(text, d.end()) if d else None
    if d is None or m2 is None or m2.group(1) is None:
        return None
    h, mi, s = (int(x or 0) for x in m2.groups())
    return datetime.combine(_ymd(d), time(h, mi, s))


def parse_datetime(text: str) -> datetime:
    """An ISO date-time, or a date (and time) as people write it; one without an
    offset is read as Shanghai time. ValueError when it is neither."""
    t = text.strip()
    try:
        dt = datetime.fromisoformat(t)
    except ValueError:
        written = _people_form(t)
        if written is None:
            raise
        dt = written
    return _in_tz(dt)


def parse_date(text: str) -> date:
    """A date as `parse_datetime` reads it (a time part is ignored), or '+N' days /
    '+Nw' weeks from today. ValueError when it is none of these or off the calendar."""
    t = text.strip()
    if t.startswith("+"):
        n = t[1:]
        try:
            if n.endswith(("w", "W", "周")):
                return today() + timedelta(weeks=int(n[:-1]))
            return today() + timedelta(days=int(n.rstrip("dD天")))
        except OverflowError:
            raise ValueError(f"too far ahead: {text!r}") from None
    try:
        return date.fromisoformat(t)
    except ValueError:
        dt = _people_form(t)
        if dt is None:
            raise
        return dt.date()
