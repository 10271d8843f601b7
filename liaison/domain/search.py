"""What search-as-you-type matches, independent of where records are kept.

A record is reduced once to a lower-case "haystack" of its searchable text plus the
pinyin of its names, so a keystroke costs one substring test per record: plain
substrings find Chinese terms of any length (no n-gram index that would miss
1-2 character words), "zhang" and "zs" find 张三, and a short run of digits finds
the phone numbers ending in it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping

from pypinyin import Style, lazy_pinyin

SEP = "\x1f"  # never typed, so a query cannot match across two fields
PHONE_TAIL_MAX = 4


@lru_cache(maxsize=4096)
def name_keys(name: str) -> str:
    """'张三' -> 'zhangsan zhang san zs': full pinyin, syllables, initials."""
    syllables = [s.lower() for s in lazy_pinyin(name, errors="ignore")]
    initials = [s[0] for s in lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore") if s]
    if not syllables:
        return ""
    return " ".join(("".join(syllables), " ".join(syllables), "".join(initials).lower()))


def normalize_query(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower()


def haystack(record: Mapping[str, Any], pinyin: str = "") -> str:
    """The searchable text of a record in its dict form (see Consultation.to_dict)."""
    v = record.get("visitor") or {}
    d = record.get("details") or {}
    clue = record.get("clue") or {}
    parts = [
        record.get("ref", ""), record.get("summary", ""), record.get("requests", ""),
        record.get("advice", ""), v.get("name") or "", clue.get("note", ""),
        *(str(x) for x in d.values() if isinstance(x, str)),
        *(n.get("text", "") for n in record.get("notes") or ()),
        pinyin,
    ]
    return SEP.join(p for p in parts if p).lower()


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed search: every term must match (AND)."""

    terms: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> "Query":
        return cls(tuple(t for t in normalize_query(text).split() if t))

    @property
    def empty(self) -> bool:
        return not self.terms

    def narrows(self, previous: "Query") -> bool:
        """True if every match of this query is also a match of `previous`.

        Lets search-as-you-type filter the last result instead of everything.
        """
        if len(previous.terms) > len(self.terms):
            return False
        pairs = zip(previous.terms, self.terms)
        if not all(new.startswith(old) if _is_tail(old) else old in new for old, new in pairs):
            return False
        # A phone-tail term that grows is a different tail ("56" vs "567"), not a narrowing.
        return not any(_is_tail(old) and old != new for old, new in zip(previous.terms, self.terms))

    def matches(self, hay: str, phone: str | None) -> bool:
        for t in self.terms:
            if _is_tail(t):
                if not (phone and phone.endswith(t)):
                    return False
            elif t.isdigit():
                if not ((phone and t in phone) or t in hay):
                    return False
            elif t not in hay:
                return False
        return True


def _is_tail(term: str) -> bool:
    return term.isascii() and term.isdigit() and len(term) <= PHONE_TAIL_MAX
