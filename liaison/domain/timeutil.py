"""Time in the stations' zone (Asia/Shanghai) and the ISO forms we store."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    # Whole seconds: nobody reads sub-second visit times, and it keeps the JSON short.
    return datetime.now(TZ).replace(microsecond=0)


def today() -> date:
    return now().date()


def iso(dt: datetime) -> str:
    return dt.astimezone(TZ).isoformat()


def parse_datetime(text: str) -> datetime:
    """An ISO date-time; one without an offset is read as Shanghai time."""
    dt = datetime.fromisoformat(text.strip())
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=TZ)
    return dt.astimezone(TZ)


def parse_date(text: str) -> date:
    """YYYY-MM-DD, also with '/' or '.' separators, or '+N' days / '+Nw' weeks from today."""
    t = text.strip()
    if t.startswith("+"):
        n = t[1:]
        if n.endswith(("w", "W", "周")):
            return today() + timedelta(weeks=int(n[:-1]))
        return today() + timedelta(days=int(n.rstrip("dD天")))
    return date.fromisoformat(t.replace("/", "-").replace(".", "-"))
