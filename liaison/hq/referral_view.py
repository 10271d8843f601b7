"""The office's view of its referrals: for each block of 2**BLOCK_BITS consecutive batch
numbers, the counts per visit day of its merges' current rows as a whole-history
report last counted them — how many, their versions' sum, how many are resolved, and
how many have each list of referrals and state — kept by that report in one blob,
sealed like every index (sealed_index: only an office officer's PIN opens it, under a
batch key of its own), so that the next report adds up each block whose rows are
unchanged without listing a row or opening a merge's blob.

Why the counts can be trusted without the rows: see hq/views.py. A block is used only
when no batch newer than the view has a row in it, and SQL counts its current rows in
the period as the view does (the number, their versions' sum, the resolved ones): they
are all of them.
Any other block (a row edited or moved by hand since, a new merge) is listed row by
row again (hq/report_referrals.py), so the counts are always those of the whole
records (tests/hq/test_report_fast_path.py).

Why blocks: a station edits about a third of its visits on a later day, so most of a
city's ~70 000 nightly merges lose a row within weeks, while a block of merges older
than that never changes again. A few hundred blocks make a small blob, read at once
(a view per merge was ~15 MB of small lists, slower to load than the rows it saved
listing), and the rows of a block are listed in one row of SQL, not one per merge.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from typing import Any

import orjson

from ..security.records_key import BatchSealer, Opener
from .sealed_index import SealedIndex
from .views import keep

VIEW = SealedIndex("referral_view", "referral-view")  # one row, sealed under a batch of its own
FORM = 5  # the blob's layout: another is left unread (the next whole-history report writes this one)

Refs = tuple[str, ...]
Counted = list[tuple[Refs, int, int]]  # (referrals, resolved 0/1, rows)


def counted(days: list[list[Any]], sets: list[Refs], n: int, vsum: int, done: int, start: str | None,
            end: str | None) -> Counted | None:
    """The counts of a block's days (Block.entry) in the period (YYYY-MM-DD, inclusive,
    either None) when `n`, `vsum` and `done` — its current rows in the period, their
    versions' sum and resolved count, as SQL counts them (Reads.block_counts) — are
    those days' own; None otherwise."""
    got: Counted = []
    for day, dn, dv, dd, counts in days:
        if (start is None or day >= start) and (end is None or day <= end):
            n, vsum, done = n - dn, vsum - dv, done - dd
            got += [(sets[s], d, c) for s, d, c in counts]
    return got if n == vsum == done == 0 else None


class Block:
    """A block's counts as a report gathers them from its rows, by Counter in C (a first
    whole-history report meets a year's 600 000 rows here); lists of referrals as
    places in the view's `sets`."""

    def __init__(self) -> None:
        self.refs: Counter[tuple[str, int, int]] = Counter()  # (day, set, resolved) -> rows
        self.versions: Counter[tuple[str, int]] = Counter()  # (day, version) -> rows

    def add_rows(self, days: list[str], versions: list[int], resolved: list[int], sets: list[int]) -> None:
        """Rows as parallel lists."""
        self.refs.update(zip(days, sets, resolved, strict=True))
        self.versions.update(zip(days, versions, strict=True))

    def in_period(self, sets: list[Refs], start: str | None, end: str | None) -> Counted:
        return [(sets[s], d, c) for (day, s, d), c in self.refs.items()
                if (start is None or day >= start) and (end is None or day <= end)]

    def entry(self) -> list[Any]:
        """[its days ([day, rows, versions' sum, resolved, [[set, resolved, rows], …]]) as
        JSON text, its three sums over every day, [[set, resolved, rows], …] over every
        day]: a whole-history report reads the last two alone, so the days (a block spans
        weeks of visits, or a station's year: ~70 000 days in all) stay text until a
        period's report reads them."""
        vsums: Counter[str] = Counter()
        for (day, version), c in self.versions.items():
            vsums[day] += version * c
        out: dict[str, list[Any]] = {}
        every: Counter[tuple[int, int]] = Counter()
        for (day, s, d), c in self.refs.items():
            got = out.get(day)
            if got is None:
                got = out[day] = [day, 0, vsums[day], 0, []]
            got[1] += c
            got[3] += d * c
            got[4].append([s, d, c])
            every[(s, d)] += c
        days = list(out.values())
        sums = [sum(d[1] for d in days), sum(d[2] for d in days), sum(d[3] for d in days)]
        return [orjson.dumps(days).decode(), sums, [[s, d, c] for (s, d), c in every.items()]]


class View:
    def __init__(self, db: sqlite3.Connection, opener: Opener):
        doc: Any = {}
        row = db.execute(f"SELECT v.batch, CAST(v.sealed AS BLOB), k.wrapped FROM {VIEW.table} v "
                         "LEFT JOIN seal_keys k ON k.id=v.batch ORDER BY v.batch DESC LIMIT 1").fetchone()
        broken: list[int] = []
        if row is not None:
            batch, sealed, wrapped = row
            doc = VIEW.read(opener, batch, sealed, wrapped, broken)
            if not isinstance(doc, dict) or doc.get("form") != FORM:
                doc = {}
        self.altered = bool(broken)  # its blob did not open: not used, kept again by a whole-history report
        self.sets: list[Refs] = [tuple(x) for x in doc.get("sets", ())]
        self._set_at = {refs: i for i, refs in enumerate(self.sets)}
        self._blocks: dict[int, list[Any]] = {b: entry for b, entry in doc.get("blocks", ())}  # Block.entry
        self.high: int = doc.get("high", -1)  # the highest batch with a counted row when it was kept
        self._matched: set[int] = set()  # checked whole against SQL's sums
        self._new: dict[int, list[Any]] = {}

    def counted(self, block: int | None, n: int, vsum: int, done: int, top: int | None, start: str | None,
                end: str | None) -> Counted | None:
        """A block's counts in the period (`counted`), None if it is not in the view or
        its rows changed since. `top`: the block's highest batch with a row now: a merge
        made after the view may have joined the block's last numbers (a visit added and
        another deleted can leave its sums as they were)."""
        entry = self._blocks.get(block) if block is not None else None
        if entry is None or top is None or top > self.high:
            return None
        days, sums, every = entry
        if start is None and end is None:
            got = [(self.sets[s], d, c) for s, d, c in every] if sums == [n, vsum, done] else None
        else:
            got = counted(orjson.loads(days), self.sets, n, vsum, done, start, end)
        if got is not None:
            self._matched.add(block)  # type: ignore[arg-type]  # (not None: found above)
        return got

    def ref(self, refs: Refs) -> int:
        """The place of a list of referrals in the view's own list."""
        got = self._set_at.get(refs)
        if got is None:
            got = self._set_at[refs] = len(self.sets)
            self.sets.append(refs)
        return got

    def places(self, refs: list[Refs]) -> list[int]:
        """`ref` of each, looked up in C (a merge has a few distinct lists for its rows)."""
        for distinct in set(refs):
            self.ref(distinct)
        return list(map(self._set_at.__getitem__, refs))

    def put(self, block: int, counts: Block) -> None:
        """A block's counts as gathered now, for `save`."""
        self._new[block] = counts.entry()

    def save(self, conn: Any, high: int) -> bool:
        """After a whole-history report: keep the blocks it matched or put, sealed under a
        batch of its own, in place of the last view (a block it did neither to has no
        current row left), if one was put and the office is not busy: the next report
        keeps it otherwise. `high`: the highest batch with a row the report counted.
        False when nothing was kept."""
        if not self._new:
            return False
        blocks = {b: days for b, days in self._blocks.items() if b in self._matched}
        blocks.update(self._new)
        doc = {"form": FORM, "high": high, "sets": [list(s) for s in self.sets], "blocks": list(blocks.items())}

        def write(db: Any, batch: int, sealer: BatchSealer) -> None:
            db.execute(f"DELETE FROM {VIEW.table}")
            VIEW.put(db, batch, sealer, doc)

        return keep(conn, write)
