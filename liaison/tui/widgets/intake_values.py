"""The intake form's raw values (strings and flags, as typed) and what the domain reads.

Pure: no textual here, so the conversions are easy to test and to reuse. The raw values
are also what a draft keeps (`store.drafts`):

    category, visited_at, anonymous, consent, name, phone, party_size, details{key: text},
    summary, requests, advice, referrals[codes], clue, clue_note, status, follow_up_on,
    related_to[refs]

Dates are read leniently, the way officers type them: 2026-11-28, 2026/11/28, 2026.11.28,
2026年11月28日, with an optional time (9:40 or 09:40); a follow-up may also be +7 (days),
+2w / +2周 (weeks) after the visit.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from ...domain.consultation import Consultation
from ...domain.timeutil import TZ
from ...domain.vocab import CATEGORY_DETAILS, FORM_HIDDEN_DETAILS, LEGACY_REFERRALS

DETAIL_KEYS: tuple[str, ...] = tuple(dict.fromkeys(k for ks in CATEGORY_DETAILS.values() for k in ks))
TEXTS = ("summary", "requests", "advice")

_DATE = r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
_DATE_RE = re.compile(rf"^{_DATE}$")
_DATETIME_RE = re.compile(rf"^{_DATE}(?:\s*[ T]\s*(\d{{1,2}})\s*[:：]\s*(\d{{2}}))?$")
_RELATIVE_RE = re.compile(r"^\+\s*(\d{1,3})\s*([dDwW天周]?)$")


def visit_time(text: str) -> str:
    """What was typed as the visit time, as ISO text when it is a date (and time); else as typed,
    so the domain reports it."""
    m = _DATETIME_RE.match(text.strip())
    if not m:
        return text.strip()
    y, mo, d, hh, mm = m.groups()
    return f"{int(y):04d}-{int(mo):02d}-{int(d):02d}T{int(hh or 0):02d}:{int(mm or 0):02d}:00"


def follow_up_date(text: str, visit: date) -> str:
    """A follow-up date as typed: YYYY-MM-DD (or / . 年月日), or +N days / +Nw weeks after the visit."""
    t = text.strip()
    m = _RELATIVE_RE.match(t)
    if m:
        n, unit = int(m[1]), m[2].lower()
        return (visit + timedelta(weeks=n if unit in ("w", "周") else 0, days=0 if unit in ("w", "周") else n)).isoformat()
    m = _DATE_RE.match(t)
    if m:
        return f"{int(m[1]):04d}-{int(m[2]):02d}-{int(m[3]):02d}"
    return t


def visit_date(text: str, fallback: date) -> date:
    try:
        return datetime.fromisoformat(visit_time(text)).date()
    except ValueError:
        return fallback


def to_input(v: dict[str, Any], today: date) -> dict[str, Any]:
    """Raw values -> the mapping `fields_from_input` checks."""
    visitor: dict[str, Any] = {"anonymous": v["anonymous"], "consent": v["consent"] and not v["anonymous"],
                               "party_size": v["party_size"].strip() or "1"}
    if not v["anonymous"]:
        for k in ("name", "phone"):
            if v[k].strip():
                visitor[k] = v[k]
    out: dict[str, Any] = {
        "category": v["category"], "status": v["status"],
        **{name: v[name] for name in TEXTS},
        "visitor": visitor,
        "details": {k: x for k, x in v["details"].items() if x.strip()},
        "referrals": v["referrals"],
        "clue": {"flag": v["clue"], "note": v["clue_note"]},
        "related_to": list(v.get("related_to") or ()),
    }
    # The labour form asks one head-count (the party size); a group's `workers` follows it
    # unless the record already had its own figure (kept in the raw values, not shown).
    party = str(visitor["party_size"]).strip()
    if ("workers" in FORM_HIDDEN_DETAILS.get(v["category"], ()) and not out["details"].get("workers")
            and party.isdigit() and int(party) > 1):
        out["details"]["workers"] = party
    if v["visited_at"].strip():
        out["visited_at"] = visit_time(v["visited_at"])
    if v["follow_up_on"].strip():
        out["follow_up_on"] = follow_up_date(v["follow_up_on"], visit_date(v["visited_at"], today))
    return out


def to_edits(v: dict[str, Any], today: date) -> dict[str, Any]:
    """Raw values -> `field=value` edits for `apply_edits` (an empty value clears)."""
    m = to_input(v, today)
    edits: dict[str, Any] = {k: m.get(k, "") for k in ("category", "status", *TEXTS, "referrals",
                                                        "visited_at", "follow_up_on", "related_to")}
    for k in ("name", "phone", "party_size", "consent", "anonymous"):
        edits[f"visitor.{k}"] = m["visitor"].get(k, "")
    edits["clue.flag"], edits["clue.note"] = m["clue"]["flag"], m["clue"]["note"]
    for k in CATEGORY_DETAILS.get(m["category"], ()):
        edits[f"details.{k}"] = m["details"].get(k, "")
    return edits


def record_values(c: Consultation) -> dict[str, Any]:
    """A saved record as raw values (for editing)."""
    v = c.visitor
    return {
        "category": c.category, "visited_at": c.visited_at.astimezone(TZ).strftime("%Y-%m-%d %H:%M"),
        "anonymous": v.anonymous, "consent": v.consent, "name": v.name or "", "phone": v.phone or "",
        "party_size": str(v.party_size), "details": {k: str(x) for k, x in c.details.items()},
        "summary": c.summary, "requests": c.requests, "advice": c.advice,
        # An older record's 公益诉讼线索 referral is the clue box now: merged on editing.
        "referrals": [r for r in c.referrals if r not in LEGACY_REFERRALS],
        "clue": c.clue.flag or any(r in LEGACY_REFERRALS for r in c.referrals),
        "clue_note": c.clue.note, "status": c.status, "related_to": list(c.related_to),
        "follow_up_on": c.follow_up_on.isoformat() if c.follow_up_on else "",
    }


def meaningful(values: dict[str, Any]) -> dict[str, Any]:
    """What counts as typed input in a new form: not the category, not empty details."""
    out = {k: v for k, v in values.items() if k != "category"}
    out["details"] = {k: v for k, v in (values.get("details") or {}).items() if str(v).strip()}
    return out
