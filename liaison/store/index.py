"""The in-memory index: one slim row per consultation, for lists and search.

Rows hold what a list shows and what search needs, not the whole record (that stays
in its shard and is read on demand), which keeps 50 000 records well inside the
memory budget. Rows are kept in visit order, so "newest first" is a reversed walk.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable, Mapping

from ..domain.search import Query, haystack


@dataclass(slots=True)
class Row:
    id: str
    ref: str
    shard: int
    doc_id: int
    seq: int
    version: int
    visited_at: str  # ISO in +08:00, so string order is time order
    category: str
    status: str
    follow_up_on: str | None
    name: str | None
    phone: str | None
    party_size: int
    clue: bool
    deleted: bool
    brief: str  # the start of the summary, for list columns
    hay: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.visited_at, self.ref)

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any], shard: int, doc_id: int) -> "Row":
        v = doc.get("visitor") or {}
        return cls(
            id=doc["id"], ref=doc["ref"], shard=shard, doc_id=doc_id, seq=doc["seq"],
            version=doc["version"], visited_at=doc["visited_at"], category=doc["category"],
            status=doc["status"], follow_up_on=doc.get("follow_up_on"), name=v.get("name"),
            phone=v.get("phone"), party_size=v.get("party_size", 1),
            clue=bool((doc.get("clue") or {}).get("flag")), deleted=doc.get("deleted", False),
            brief=doc["summary"][:60],
            hay=haystack(doc, doc.get("_py", "")),
        )


class Index:
    def __init__(self) -> None:
        self._rows: list[Row] = []  # ascending by key
        self._keys: list[tuple[str, str]] = []
        self.by_id: dict[str, Row] = {}
        self.by_ref: dict[str, Row] = {}
        self.max_seq = 0
        self._ref_top: dict[str, int] = {}  # "<CODE>-<YYYYMMDD>-" -> highest NNN

    def __len__(self) -> int:
        return len(self.by_id)

    def load(self, rows: Iterable[Row]) -> None:
        """Bulk load (at open): one sort instead of many inserts."""
        for r in rows:
            self._remember(r)
        self._rows = sorted(self.by_id.values(), key=lambda r: r.key)
        self._keys = [r.key for r in self._rows]

    def _remember(self, r: Row) -> None:
        self.by_id[r.id] = r
        self.by_ref[r.ref] = r
        self.max_seq = max(self.max_seq, r.seq)
        prefix, _, n = r.ref.rpartition("-")
        if n.isdigit():
            p = prefix + "-"
            self._ref_top[p] = max(self._ref_top.get(p, 0), int(n))

    def put(self, r: Row) -> None:
        old = self.by_id.get(r.id)
        if old is not None:
            i = bisect.bisect_left(self._keys, old.key)
            while self._rows[i].id != r.id:
                i += 1
            del self._rows[i], self._keys[i]
            if old.ref != r.ref:
                self.by_ref.pop(old.ref, None)
        self._remember(r)
        i = bisect.bisect_right(self._keys, r.key)
        self._rows.insert(i, r)
        self._keys.insert(i, r.key)

    def drop(self, ids: Iterable[str]) -> None:
        gone = set(ids)
        for i in gone:
            r = self.by_id.pop(i, None)
            if r is not None:
                self.by_ref.pop(r.ref, None)
        self._rows = [r for r in self._rows if r.id not in gone]
        self._keys = [r.key for r in self._rows]

    def next_ref_number(self, prefix: str) -> int:
        return self._ref_top.get(prefix, 0) + 1

    def newest_first(self, include_deleted: bool = False) -> list[Row]:
        rows = self._rows[::-1]
        return rows if include_deleted else [r for r in rows if not r.deleted]

    def search(self, query: Query | str = "", *, status: str | None = None,
               category: str | None = None, due_by: date | None = None,
               within: list[Row] | None = None) -> list[Row]:
        """Rows matching everything given, newest first.

        `within` is an earlier result to narrow (search-as-you-type adds letters).
        """
        q = Query.parse(query) if isinstance(query, str) else query
        rows = within if within is not None else self.newest_first()
        if status:
            rows = [r for r in rows if r.status == status]
        if category:
            rows = [r for r in rows if r.category == category]
        if due_by is not None:
            limit = due_by.isoformat()
            rows = [r for r in rows if r.follow_up_on and r.follow_up_on <= limit
                    and r.status not in ("resolved", "closed")]
        if q.empty:
            return rows
        if len(q.terms) == 1 and not q.terms[0].isdigit():
            t = q.terms[0]
            return [r for r in rows if t in r.hay]  # the common case, kept tight
        return [r for r in rows if q.matches(r.hay, r.phone)]
