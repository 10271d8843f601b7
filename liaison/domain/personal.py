"""Which parts of a stored consultation are personal, and must be sealed at rest.

A stored document is split into a clear part — what the nightly export, the
dashboard's counts and the sync protocol need (ids, versions, sequence numbers,
category, status, dates, party size, consent and clue flags, and `related_to`: references
of other visits, codes that name nobody) — and a personal part: the visitor's
name and phone, every free text (summary, requests, advice, details, clue note,
notes) and the search keys derived from the name. `join(split(doc)) == doc`.
"""

from __future__ import annotations

from typing import Any, Mapping

# Top-level keys that are personal as a whole. Referrals are codes, not free text, but
# "referred to the police" says something about a person's case.
# "_py": the name's pinyin keys (store.ondisk.PINYIN; domain imports no store)
PERSONAL_KEYS = ("summary", "details", "requests", "advice", "referrals", "notes", "_py")
# Inside `visitor` and `clue`, only these are personal (party size, consent and the
# clue flag stay clear: they are counted in reports).
VISITOR_KEYS = ("name", "phone")
CLUE_KEYS = ("note",)


def split(doc: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(clear, personal) parts of a stored document."""
    clear = dict(doc)
    personal: dict[str, Any] = {}
    for k in PERSONAL_KEYS:
        if k in clear:
            personal[k] = clear.pop(k)
    for outer, inner in (("visitor", VISITOR_KEYS), ("clue", CLUE_KEYS)):
        part = clear.get(outer)
        if isinstance(part, dict):
            part = dict(part)
            taken = {k: part.pop(k) for k in inner if k in part}
            if taken:
                personal[outer] = taken
            clear[outer] = part
    return clear, personal


def join(clear: Mapping[str, Any], personal: Mapping[str, Any]) -> dict[str, Any]:
    """The whole document again."""
    doc = dict(clear)
    for k, v in personal.items():
        if k in ("visitor", "clue"):
            doc[k] = {**(doc.get(k) or {}), **v}
        else:
            doc[k] = v
    return doc


def join_into(clear: dict[str, Any], personal: dict[str, Any]) -> dict[str, Any]:
    """`join`, in place, for parts just parsed that nobody else holds (opening 50 000
    records at an unlock, or a bundle at the office): copying each document cost a
    tenth of the time. Returns `clear`, now whole."""
    for outer in ("visitor", "clue"):
        part = personal.pop(outer, None)
        if part:
            inner = clear.get(outer)
            if isinstance(inner, dict):
                inner.update(part)
            else:
                clear[outer] = dict(part)
    clear.update(personal)
    return clear
