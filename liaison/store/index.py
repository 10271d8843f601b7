"""The in-memory index: one slim row per consultation, for lists and search.

Rows hold what a list shows and what search needs, not the whole record (that stays
in its shard and is read on demand), which keeps 50 000 records well inside the
memory budget. Rows are kept in visit order, so "newest first" is a reversed walk.
"""

from __future__ import annotations

import bisect
import heapq
import threading
from dataclasses import dataclass
from datetime import date
from functools import wraps
from itertools import islice
from operator import attrgetter
from typing import Any, Callable, Concatenate, Iterable, Mapping, ParamSpec, TypeVar

from ..domain.search import PHONE_TAIL_MAX, Query, haystack
from ..domain.vocab import DONE_STATUSES
from .ondisk import PINYIN
from .segment import Segment


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
    hay: str | None  # None until Index.warm fills it (opening stays fast)
    anonymous: bool = False  # asked for anonymity (（匿名）), not merely gave no name (未留姓名)

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any], shard: int, doc_id: int, with_hay: bool = True) -> "Row":
        # Positional on purpose: this runs 50 000 times when a store opens.
        v = doc["visitor"]
        return cls(
            doc["id"], doc["ref"], shard, doc_id, doc["seq"], doc["version"], doc["visited_at"],
            doc["category"], doc["status"], doc["follow_up_on"], v["name"], v["phone"],
            v["party_size"], doc["clue"]["flag"], doc["deleted"], doc["summary"][:60],
            haystack(doc, doc.get(PINYIN, "")) if with_hay else None, bool(v.get("anonymous")),
        )

    @classmethod
    def from_clear(cls, doc: Mapping[str, Any], shard: int, doc_id: int) -> "Row":
        """A row from a sealed record's clear part, before the key is known: name, phone
        and brief are filled in from the shard's list rows once it is (store.heads)."""
        v = doc["visitor"]
        return cls(
            doc["id"], doc["ref"], shard, doc_id, doc["seq"], doc["version"], doc["visited_at"],
            doc["category"], doc["status"], doc["follow_up_on"], None, None,
            v["party_size"], doc["clue"]["flag"], doc["deleted"], "", None, bool(v.get("anonymous")),
        )


ORDER = attrgetter("visited_at", "ref")  # list order: visit time, then reference


def _order_text(r: Row) -> str:
    """ORDER as one string, for the sort at open: comparing strings is twice as fast as
    comparing tuples, and the order is the same ("\x00", in neither part, sorts first)."""
    return r.visited_at + "\x00" + r.ref


REBUILD_AFTER = 512  # changed rows searched one by one before the segment is rebuilt
P = ParamSpec("P")
R = TypeVar("R")


def _locked(method: Callable[Concatenate[Index, P], R]) -> Callable[Concatenate[Index, P], R]:
    """Readers (the UI thread) and writers (save workers) share an index."""
    @wraps(method)
    def wrapper(self: Index, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with self.mutex:
            return method(self, *args, **kwargs)
    return wrapper


class Index:
    def __init__(self) -> None:
        self.mutex = threading.RLock()
        self._rows: list[Row] = []  # ascending by ORDER
        self.by_id: dict[str, Row] = {}
        self.by_ref: dict[str, Row] = {}
        self.max_seq = 0
        self._ref_top: dict[str, int] = {}  # per station-day prefix, filled on first use
        self._segment: Segment | None = None
        self._hay_loader: Callable[[list[Row]], None] | None = None
        self._changed: set[str] = set()  # ids put or dropped since the segment was built
        # newest_first() as last built (deleted rows left out): opening the list at
        # 50 000 records then costs no pass over them; any put or drop clears it.
        self._newest: list[Row] | None = None
        self.generation = 0  # counts loads, puts and drops: figures taken from the rows stay valid while it holds

    def __len__(self) -> int:
        return len(self.by_id)

    @_locked
    def load(self, rows: Iterable[Row], hay_loader: Callable[[list[Row]], None] | None = None) -> None:
        """Bulk load (at open): one sort instead of many inserts.

        Rows may come without their search text: building it for 50 000 records would
        double the time to the first list, so `hay_loader` fills it on `warm()`."""
        self._hay_loader = hay_loader
        rows = list(rows)
        self.by_id = {r.id: r for r in rows}
        self.by_ref = {r.ref: r for r in rows}
        self.max_seq = max((r.seq for r in rows), default=0)
        self._ref_top.clear()
        self._rows = sorted(self.by_id.values(), key=_order_text)
        self._segment = None  # built by the first search (the TUI warms it in a worker)
        self._changed.clear()
        self._newest = None
        self.generation += 1

    def lazy_hay(self, loader: Callable[[list[Row]], None]) -> None:
        """As `load`'s hay_loader, for an index loaded without one (store.heads)."""
        self._hay_loader = loader

    @property
    def warm_ready(self) -> bool:
        """True once search needs no more preparation (every search is then fast)."""
        return self._hay_loader is None and self._segment is not None

    def warm(self) -> None:
        """Make search ready now (the TUI calls it in a worker) rather than on the
        first keystroke. The slow part reads shards without holding the mutex."""
        loader = self._hay_loader
        if loader is not None:
            loader([r for r in list(self.by_id.values()) if r.hay is None])
            self._hay_loader = None  # every row has its text from now on
        with self.mutex:
            if self._segment is None:
                self._rebuild()

    def _rebuild(self) -> None:
        self._segment = Segment(self.newest_first())
        self._changed.clear()

    def _remember(self, r: Row) -> None:
        self.by_id[r.id] = r
        self.by_ref[r.ref] = r
        self.max_seq = max(self.max_seq, r.seq)
        prefix, _, n = r.ref.rpartition("-")
        top = self._ref_top.get(prefix + "-")
        if top is not None and n.isdigit() and int(n) > top:
            self._ref_top[prefix + "-"] = int(n)

    @_locked
    def put(self, r: Row) -> None:
        old = self.by_id.get(r.id)
        if old is not None:
            i = bisect.bisect_left(self._rows, ORDER(old), key=ORDER)
            while self._rows[i].id != r.id:
                i += 1
            del self._rows[i]
            if old.ref != r.ref:
                self.by_ref.pop(old.ref, None)
        self._remember(r)
        self._rows.insert(bisect.bisect_right(self._rows, ORDER(r), key=ORDER), r)
        self._changed.add(r.id)
        self._newest = None
        self.generation += 1

    @_locked
    def drop(self, ids: Iterable[str]) -> None:
        gone = set(ids)
        for i in gone:
            r = self.by_id.pop(i, None)
            if r is not None:
                self.by_ref.pop(r.ref, None)
        self._rows = [r for r in self._rows if r.id not in gone]
        self._changed |= gone
        self._newest = None
        self.generation += 1

    @_locked
    def next_ref_number(self, prefix: str, day: date) -> int:
        """The next free NNN for references starting with `prefix` (one station-day).

        References are numbered by visit day, so only that day's rows are looked at;
        the final check also covers a record whose visit time was edited since."""
        top = self._ref_top.get(prefix)
        if top is None:
            d, top = day.isoformat(), 0
            i = bisect.bisect_left(self._rows, (d, ""), key=ORDER)
            while i < len(self._rows) and self._rows[i].visited_at.startswith(d):
                ref = self._rows[i].ref
                if ref.startswith(prefix) and ref[len(prefix):].isdigit():
                    top = max(top, int(ref[len(prefix):]))
                i += 1
        while f"{prefix}{top + 1:03d}" in self.by_ref:
            top += 1
        self._ref_top[prefix] = top
        return top + 1

    @_locked
    def newest_first(self, include_deleted: bool = False) -> list[Row]:
        """Rows, newest first. Without deleted ones the list is shared (kept until the
        next change): callers read it, never modify it."""
        if include_deleted:
            return self._rows[::-1]
        if self._newest is None:
            self._newest = [r for r in reversed(self._rows) if not r.deleted]
        return self._newest

    def _text_search(self, q: Query, limit: int | None = None) -> list[Row]:
        """Rows matching `q`, newest first: the segment for what has not changed since
        it was built, a direct test for the few rows that have. With `limit`, the
        newest `limit` of them (exactly those: every segment row past the limit is
        older than the ones before it)."""
        self.warm()
        if len(self._changed) > REBUILD_AFTER:
            self._rebuild()
        seg, changed = self._segment, self._changed
        assert seg is not None  # warm() or _rebuild() above built it
        first = q.terms[0]
        if first.isascii() and first.isdigit() and len(first) <= PHONE_TAIL_MAX:
            hits = seg.tails.get(first, [])
        else:
            hits = seg.find(first, limit if len(q.terms) == 1 else None)
        rows = seg.rows
        old = list(map(rows.__getitem__, hits))
        if changed:
            old = [r for r in old if r.id not in changed]
        if len(q.terms) > 1 or first.isdigit():
            old = [r for r in old if q.matches(r.hay, r.phone)]  # type: ignore[arg-type]  # warm() filled hay
        if not changed:
            return old[:limit]
        fresh = [r for i in changed if (r := self.by_id.get(i)) is not None and not r.deleted
                 and q.matches(r.hay, r.phone)]  # type: ignore[arg-type]  # warm() filled hay
        merged = heapq.merge(old, sorted(fresh, key=ORDER, reverse=True), key=ORDER, reverse=True)
        return list(islice(merged, limit))

    @_locked
    def search(self, query: Query | str = "", *, status: str | None = None,
               category: str | None = None, due_by: date | None = None,
               within: list[Row] | None = None, limit: int | None = None) -> list[Row]:
        """Rows matching everything given, newest first.

        `within` is an earlier result to narrow (search-as-you-type adds letters).
        `limit` asks for the newest that many only (a first screenful, fast); it is
        applied only to a plain text search, where it can stop the scan early.
        """
        q = Query.parse(query) if isinstance(query, str) else query
        if q.empty:
            rows = within if within is not None else self.newest_first()
        elif within is not None:
            self.warm()
            t = q.terms[0]
            if len(q.terms) == 1 and not t.isdigit():
                rows = [r for r in within if t in r.hay]  # type: ignore[operator]  # warm() filled hay; kept tight
            else:
                rows = [r for r in within if q.matches(r.hay, r.phone)]  # type: ignore[arg-type]  # warm() filled hay
        else:
            plain = not (status or category or due_by is not None)
            rows = self._text_search(q, limit if plain else None)
        if status:
            rows = [r for r in rows if r.status == status]
        if category:
            rows = [r for r in rows if r.category == category]
        if due_by is not None:
            due = due_by.isoformat()
            rows = [r for r in rows if r.follow_up_on and r.follow_up_on <= due
                    and r.status not in DONE_STATUSES]
        return rows
