"""A quick "sound" for the records an honest station sends, before the full rules.

screen.problems holds each record to Consultation.from_dict and validation.check
(strict): ~30 µs a record, most of it building the dataclasses and converting three
date-times to Shanghai time, which is most of a night's ingest. Nearly every record
has the one shape `Consultation.to_dict` writes. `Quick.sound` checks the same rules
on that shape directly, and for anything it does not know (a missing field, another
type than to_dict writes, a tombstone, another date form) answers "ask the full
rules", never "refused": it can only spare work. Every refusal and its reasons still
come from screen.problems; tests/hq/test_screen_fast.py checks that each record it
calls sound passes the full rules, over valid records and thousands of mutations.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from ..domain.refs import REF_RE
from ..domain.text import BAD_MULTI_LINE, BAD_SINGLE_LINE
from ..domain.timeutil import now
from ..domain.validation import (
    EARLIEST_VISIT,
    FOLLOW_UP_DAYS,
    MAX_AMOUNT,
    MAX_CLUE_NOTE,
    MAX_DETAIL,
    MAX_NAME,
    MAX_NOTE,
    MAX_PARTY,
    MAX_TEXT,
    MIN_PARTY,
    MOBILE_RE,
    VISIT_AHEAD,
)
from ..domain.vocab import CATEGORIES, CATEGORY_DETAILS, DETAIL_KINDS, REFERRALS, STATUSES

# Shanghai's offset since 1991 (no DST): a time written with it has Shanghai's wall date.
_SHANGHAI = timedelta(hours=8)
_EARLIEST_DAY = EARLIEST_VISIT.date()
_ONE_DAY = timedelta(days=1)


def _moment(value: Any) -> datetime | None:
    """A date-time as iso() writes it (ISO, +08:00), parsed as parse_datetime parses it
    (fromisoformat, which refuses surrounding blanks: no strip needed), else None."""
    if type(value) is not str:
        return None
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        return None
    return dt if dt.utcoffset() == _SHANGHAI else None


def _text(value: Any) -> str | None:
    """A text field as from_dict reads it with `or ""`: None and absent are empty."""
    return "" if value is None else value if type(value) is str else None


class Quick:
    """One screening pass: `now()` is read once, at the start, so the upper bound on a
    visit is never later than the full rules' own (read for each record, afterwards)."""

    def __init__(self) -> None:
        self.latest_visit = now() + VISIT_AHEAD

    def sound(self, r: dict[str, Any]) -> bool:
        """True only if screen.problems(r) would find nothing (r passed record_problem).
        A value that makes arithmetic or a parser fail here (a year-9999 date plus a
        day) is left to the full rules, which handle it as they always have."""
        try:
            return self._sound(r)
        except (ArithmeticError, ValueError, TypeError):
            return False

    def _sound(self, r: dict[str, Any]) -> bool:  # noqa: C901 - one rule after another, as check() has them
        g = r.get
        if g("deleted", False) is not False:
            return False
        summary, ref, category, status = g("summary"), g("ref"), g("category"), g("status", "open")
        officer, requests, advice = g("officer", ""), _text(g("requests")), _text(g("advice"))
        if not (type(summary) is str and type(ref) is str and type(category) is str and type(status) is str
                and type(officer) is str and requests is not None and advice is not None):
            return False
        if (category not in CATEGORIES or status not in STATUSES or not summary.strip()
                or len(summary) > MAX_TEXT or len(requests) > MAX_TEXT or len(advice) > MAX_TEXT
                or len(officer) > MAX_NAME):
            return False
        visited = _moment(g("visited_at"))
        if visited is None or not EARLIEST_VISIT <= visited <= self.latest_visit:
            return False
        day = visited.date()
        multi, single = [summary, requests, advice], [officer]

        v = g("visitor")
        if type(v) is not dict:
            return False
        name, phone = v.get("name"), v.get("phone")
        party, consent, anonymous = v.get("party_size", 1), v.get("consent", False), v.get("anonymous", False)
        if not ((name is None or type(name) is str) and (phone is None or type(phone) is str)
                and type(party) is int and MIN_PARTY <= party <= MAX_PARTY
                and type(consent) is bool and type(anonymous) is bool):
            return False
        if name:
            if len(name) > MAX_NAME:
                return False
            single.append(name)
        if (name or phone) and (anonymous or not consent):
            return False
        if phone and not MOBILE_RE.match(phone):
            return False

        details = g("details")
        if details is None:
            details = {}
        if type(details) is not dict:
            return False
        allowed = CATEGORY_DETAILS.get(category, ())
        for key, value in details.items():
            if key not in allowed:
                return False
            if type(value) is str:
                if len(value) > MAX_DETAIL:
                    return False
                single.append(value)
            kind = DETAIL_KINDS.get(key)
            if kind is None:
                if not (value is None or type(value) is str):
                    return False
            elif kind == "count":
                if not (key == "workers" and (value is None or (type(value) is int and MIN_PARTY <= value <= MAX_PARTY))):
                    return False
            elif kind == "amount":
                if not (value is None or (type(value) in (int, float) and 0 <= value <= MAX_AMOUNT)):
                    return False
            elif kind == "flag":
                if type(value) is not bool:
                    return False
            elif kind == "date":
                if type(value) is not str or not _EARLIEST_DAY <= date.fromisoformat(value) <= day:
                    return False
            else:  # a datetime detail, or a kind this pass does not know
                if kind != "datetime" or (when := _moment(value)) is None or not _EARLIEST_DAY <= when.date() <= day:
                    return False

        referrals = g("referrals")
        if referrals is None:
            referrals = []
        if type(referrals) is not list:
            return False
        if referrals:
            for x in referrals:
                if type(x) is not str or x not in REFERRALS:
                    return False
            if len(set(referrals)) != len(referrals):
                return False

        clue = g("clue")
        if clue is None:
            clue = {}
        if type(clue) is not dict:
            return False
        flag, note = clue.get("flag", False), _text(clue.get("note"))
        if type(flag) is not bool or note is None or len(note) > MAX_CLUE_NOTE or (note and not flag):
            return False
        multi.append(note)

        fu = g("follow_up_on")
        if fu is not None:  # parse_date reads ISO with fromisoformat, as here (a "+N" form: full rules)
            if type(fu) is not str:
                return False
            follow = date.fromisoformat(fu)
            if follow < day or (follow - day).days > FOLLOW_UP_DAYS:
                return False

        notes = g("notes")
        if notes is None:
            notes = []
        if type(notes) is not list:
            return False
        for n in notes:
            if type(n) is not dict or _moment(n.get("at")) is None:
                return False
            text, by = n.get("text"), n.get("officer", "")
            if type(text) is not str or type(by) is not str or len(text) > MAX_NOTE or len(by) > MAX_NAME:
                return False
            multi.append(text)
            single.append(by)

        created, updated = g("created_at"), g("updated_at")
        if updated is not None and updated != created and _moment(updated) is None:  # equal: read below
            return False
        if created is not None and ((at := _moment(created)) is None or visited > at + _ONE_DAY):
            return False

        related = g("related_to")
        if related is not None:  # record_problem has seen it is a list of short strings
            if (type(related) is not list or any(type(x) is not str or not REF_RE.match(x) for x in related)
                    or (ref and ref in related) or len(set(related)) != len(related)):
                return False

        # A refused character is one character: it is in the joined text iff in one of its parts.
        return BAD_MULTI_LINE.search("".join(multi)) is None and BAD_SINGLE_LINE.search("".join(single)) is None
