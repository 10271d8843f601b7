"""Human reference numbers: <CODE>-<YYYYMMDD>-<NNN>, unique per station and day."""

from __future__ import annotations

import re
from datetime import date

REF_RE = re.compile(r"^(?P<code>[A-Z][A-Z0-9]{1,9})-(?P<day>\d{8})-(?P<n>\d{3,})$")


def format_ref(code: str, day: date, n: int) -> str:
    return f"{code}-{day:%Y%m%d}-{n:03d}"


def parse_ref(ref: str) -> tuple[str, date, int] | None:
    m = REF_RE.match(ref.strip().upper())
    if not m:
        return None
    d = m["day"]
    try:
        day = date(int(d[:4]), int(d[4:6]), int(d[6:]))
    except ValueError:
        return None
    return m["code"], day, int(m["n"])


def day_prefix(code: str, day: date) -> str:
    """The part every reference of that station and day starts with."""
    return f"{code}-{day:%Y%m%d}-"
