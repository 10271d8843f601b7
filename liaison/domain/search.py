"""What search-as-you-type matches, independent of where records are kept.

A record is reduced once to a lower-case "haystack" of its searchable text plus the
pinyin of its names, so a keystroke costs one substring test per record: plain
substrings find Chinese terms of any length (no n-gram index that would miss
1-2 character words), "zhang" and "zs" find 张三, and a short run of digits finds
the phone numbers ending in it.
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping

SEP = "\x1f"  # never typed, so a query cannot match across two fields
PHONE_TAIL_MAX = 4


@lru_cache(maxsize=4096)
def name_keys(name: str) -> str:
    """'张三' -> 'zhangsan zhang san zs': full pinyin, syllables, initials.

    A surname with several readings (曾 zeng/ceng, 单 shan/dan) gets a key per
    reading, so the officer finds the person whichever one they type.
    """
    # pypinyin's phrase dictionary costs ~45 MB and names do not need it. Imported
    # here, not at module level: opening a store reads stored keys and needs no pinyin.
    os.environ.setdefault("PYPINYIN_NO_PHRASES", "1")
    from pypinyin import Style, lazy_pinyin, pinyin

    syllables = [s.lower() for s in lazy_pinyin(name, errors="ignore")]
    if not syllables:
        return ""
    keys = []
    for first in dict.fromkeys([syllables[0], *pinyin(name[0], style=Style.NORMAL, heteronym=True)[0]]):
        if not first.isascii() or not first.isalpha():
            continue
        sy = [first, *syllables[1:]]
        keys += ["".join(sy), " ".join(sy), "".join(s[0] for s in sy)]
    return " ".join(dict.fromkeys(keys))


def normalize_query(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower()


KEYS = "\x1d"  # separates a haystack's text from its ASCII keys (reference, pinyin)


def haystack(record: Mapping[str, Any], pinyin: str = "") -> str:
    """The searchable text of a record in its dict form (see Consultation.to_dict):
    its free text, then KEYS, then the reference and the pinyin of the name.

    Keeping the ASCII keys at the end lets an index scan only the part a query can
    match: Chinese terms never match pinyin, and pinyin rarely lives in the text.
    """
    v = record.get("visitor") or {}
    parts = [record.get("summary", ""), record.get("requests", ""), record.get("advice", ""),
             v.get("name") or "", (record.get("clue") or {}).get("note", "")]
    for x in (record.get("details") or {}).values():
        if isinstance(x, str):
            parts.append(x)
        elif isinstance(x, (int, float)) and not isinstance(x, bool):
            parts.append(str(x))  # an amount lost or owed: "5000" finds it
    for n in record.get("notes") or ():
        parts.append(n.get("text", ""))
    # The references it is related to, among the keys: searching a reference also finds
    # the later visits linked to it (the detail screen lists them that way).
    related = " ".join(record.get("related_to") or ())
    return f"{SEP.join(parts)}{KEYS}{record.get('ref', '')} {related + ' ' if related else ''}{pinyin}".lower()


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
        pairs = zip(previous.terms, self.terms, strict=False)  # this query may have more terms
        if not all(new.startswith(old) if _is_tail(old) else old in new for old, new in pairs):
            return False
        # A phone-tail term that grows is a different tail ("56" vs "567"), not a narrowing.
        return not any(_is_tail(old) and old != new for old, new in zip(previous.terms, self.terms, strict=False))

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
