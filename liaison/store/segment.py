"""The search segment: the index's rows frozen with their search text joined, so a
keystroke is one C-level scan (store.index builds one and searches through it)."""

from __future__ import annotations

import re
from itertools import accumulate, islice
from typing import TYPE_CHECKING

from ..domain.search import KEYS, PHONE_TAIL_MAX

if TYPE_CHECKING:
    from .index import Row

ASCII_WORD = re.compile(r"[a-z0-9][a-z0-9\-]*")
RS = "\x1e"  # between records; never typed


class Segment:
    """A frozen, newest-first snapshot of rows with their haystacks joined into one
    string: one C-level scan over contiguous memory is several times faster than
    50 000 separate `in` tests, and it is what keeps a keystroke under budget.

    Two strings: the records' free text (for Chinese terms), and a short ASCII one
    of references, pinyin and the ASCII words of the text (for Latin queries)."""

    def __init__(self, rows: list[Row]):
        self.rows = rows
        texts, keys = [], []
        for r in rows:
            text, _, key = r.hay.partition(KEYS)  # type: ignore[union-attr]  # a segment is built after warm()
            texts.append(text)
            keys.append(f"{key} {' '.join(ASCII_WORD.findall(text))}")
        self.text = RS.join(texts)
        self.ascii = RS.join(keys)
        # Every match swallows the rest of its record, so it ends where the record
        # ends: a dict from end position to row is the cheapest way back to the row.
        self.text_ends = _ends(texts)
        self.ascii_ends = _ends(keys)
        # Every phone under each of its last 1..4 digits: typing "5", "56", "567",
        # "5678" is then a lookup each time, not a pass over 50 000 phones.
        self.tails: dict[str, list[int]] = {}
        for i, r in enumerate(rows):
            if r.phone:
                for n in range(1, PHONE_TAIL_MAX + 1):
                    self.tails.setdefault(r.phone[-n:], []).append(i)

    def find(self, term: str, limit: int | None = None) -> list[int]:
        """Positions (in self.rows, so newest first) of rows whose haystack contains
        `term`; with `limit`, only the first that many (the scan stops there)."""
        # re's literal search scans wide (CJK) strings faster than str.find.
        pattern = re.compile(re.escape(term) + "[^" + RS + "]*")
        if term.isascii():
            ends, text = self.ascii_ends, self.ascii
            # ASCII inside the free text next to Chinese ("3号楼") is not a word of
            # its own, so digits and mixed terms are looked for in the text as well.
            if term.isalpha():
                return [ends[m.end()] for m in islice(pattern.finditer(text), limit)]
            hits = {ends[m.end()] for m in pattern.finditer(text)}
            hits |= {self.text_ends[m.end()] for m in pattern.finditer(self.text)}
            return sorted(hits)[:limit]
        ends = self.text_ends
        return [ends[m.end()] for m in islice(pattern.finditer(self.text), limit)]


def _ends(parts: list[str]) -> dict[int, int]:
    """{position just past each part in RS.join(parts): its index}"""
    return {end: i for i, end in enumerate(accumulate(map(len, parts), lambda pos, n: pos + n + 1))}
