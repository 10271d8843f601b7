"""The office's view of the merges a report had to match row by row: each one's counts
per visit day (referral_counts) as its rows were then, kept by the report in one
sealed blob so that the next report adds them up without listing a row. Why counts can
be trusted without the rows, and when they are not used, is referral_counts' docstring.

One blob of flat lists of numbers, not an object per merge: a city's year has ~70 000
merges, and a nested form was ~15 MB whose millions of small lists took longer to
load than the rows it saved listing. A whole-history report checks each merge's three
sums against SQL's and takes the counts of all that match at once (the total the blob
keeps, less the few that do not); a period's report reads the days of the merges it
meets.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from ..security.records_key import Opener
from .lock import OfficeBusy, office_lock
from .referral_counts import Counted, Refs, counted
from .sealed_index import SealedIndex

VIEW = SealedIndex("referral_view", "referral-view")  # one row, sealed under a batch of its own
FORM = 1  # the blob's layout: another is left unread (the next report writes this one)
WAIT_S = 0.5  # for the office's lock: a report does not wait for a merge to keep its view


def _flat(days: list[list[Any]], day_at: dict[str, int], names: list[str]) -> list[int]:
    """A merge's days (referral_counts.days_of) as [day, rows, versions' sum, resolved,
    k, (set, resolved, rows) × k] per day, the day as its place in `names`."""
    out: list[int] = []
    for day, n, vsum, done, counts in days:
        at = day_at.get(day)
        if at is None:
            at = day_at[day] = len(names)
            names.append(day)
        out += [at, n, vsum, done, len(counts)]
        for c in counts:
            out += c
    return out


class View:
    def __init__(self, db: sqlite3.Connection, opener: Opener):
        doc: Any = {}
        row = db.execute(f"SELECT v.batch, v.sealed, k.wrapped FROM {VIEW.table} v "
                         "LEFT JOIN seal_keys k ON k.id=v.batch ORDER BY v.batch DESC LIMIT 1").fetchone()
        if row is not None:
            doc = VIEW.open(opener, *row)
            if not isinstance(doc, dict) or doc.get("form") != FORM:
                doc = {}
        self.sets: list[Refs] = [tuple(x) for x in doc.get("sets", ())]
        self._set_at = {refs: i for i, refs in enumerate(self.sets)}
        self._days: list[str] = doc.get("days", [])
        self._batches: list[int] = doc.get("batches", [])
        self._at = {b: i for i, b in enumerate(self._batches)}
        self._sums: list[int] = doc.get("sums", [])  # rows, versions' sum, resolved: 3 a merge
        self._rows: list[int] = doc.get("rows", [])  # each merge's days, _flat
        self._starts: list[int] = doc.get("starts", [0])  # where each merge's days begin in _rows
        self._total: list[int] = doc.get("total", [])  # (set, resolved, rows) of every merge together
        self._matched = bytearray(len(self._batches))  # 1: checked whole against SQL's sums
        self._new: dict[int, list[list[Any]]] = {}

    def _days_of(self, i: int) -> list[list[Any]]:
        rows, p, end, got = self._rows, self._starts[i], self._starts[i + 1], []
        while p < end:
            day, n, vsum, done, k = rows[p:p + 5]
            p += 5
            got.append([self._days[day], n, vsum, done, [rows[q:q + 3] for q in range(p, p + 3 * k, 3)]])
            p += 3 * k
        return got

    def counted(self, batch: int | None, n: int, vsum: int, done: int, start: str | None, end: str | None
                ) -> Counted | None:
        """A merge's counts in the period from the view (referral_counts.counted), None
        if it is not there or does not match. For the whole history, a match returns
        [] and its counts come with the others' from `matched_counts`."""
        i = self._at.get(batch) if batch is not None else None
        if i is None:
            return None
        if start is None and end is None:
            if self._sums[3 * i:3 * i + 3] != [n, vsum, done]:
                return None
            self._matched[i] = 1
            return []
        return counted(self._days_of(i), self.sets, n, vsum, done, start, end)

    def _counts_of(self, i: int) -> Counted:
        return [(self.sets[s], d, c) for day in self._days_of(i) for s, d, c in day[4]]

    def matched_counts(self) -> Counted:
        """The counts of every merge `counted` matched whole: the view's total, less the
        merges it did not match (a few: edited since, or gone)."""
        total: dict[tuple[int, int], int] = {}
        t = self._total
        for k in range(0, len(t), 3):
            total[(t[k], t[k + 1])] = t[k + 2]
        for i in (i for i, hit in enumerate(self._matched) if not hit):
            for day in self._days_of(i):
                for s, d, c in day[4]:
                    total[(s, d)] -= c
        return [(self.sets[s], d, c) for (s, d), c in total.items() if c]

    def ref(self, refs: Refs) -> int:
        """The place of a list of referrals in the view's own list."""
        got = self._set_at.get(refs)
        if got is None:
            got = self._set_at[refs] = len(self.sets)
            self.sets.append(refs)
        return got

    def put(self, batch: int, days: list[list[Any]]) -> None:
        """A merge's days (referral_counts.days_of, its sets by `ref`), as matched now."""
        self._new[batch] = days

    def save(self, conn: Any, whole: bool) -> bool:
        """Keep the view, sealed under a batch of its own, in place of the last one, if a
        merge was put and the office is not busy (the next report keeps it otherwise).
        `whole`: the report was of the whole history, so a merge it did not match is
        forgotten (it had no row left, or was put again). False when nothing was kept."""
        if not self._new:
            return False
        names: list[str] = []
        day_at: dict[str, int] = {}
        batches: list[int] = []
        sums: list[int] = []
        rows: list[int] = []
        starts = [0]
        total: dict[tuple[int, int], int] = {}
        for b, i in self._at.items():
            if b in self._new or (whole and not self._matched[i]):
                continue
            days = self._days_of(i)
            self._new_row(b, days, batches, sums, rows, starts, total, day_at, names)
        for b, days in self._new.items():
            self._new_row(b, days, batches, sums, rows, starts, total, day_at, names)
        doc = {"form": FORM, "sets": [list(s) for s in self.sets], "days": names, "batches": batches, "sums": sums,
               "rows": rows, "starts": starts, "total": [x for (s, d), c in total.items() for x in (s, d, c)]}
        try:
            with office_lock(conn.home, WAIT_S), conn.db:
                conn.db.execute("BEGIN IMMEDIATE")
                batch, sealer = conn.sealer()
                conn.db.execute(f"DELETE FROM {VIEW.table}")
                VIEW.put(conn.db, batch, sealer, doc)
        except (OfficeBusy, sqlite3.OperationalError, OSError):  # busy, or a read-only copy
            return False
        return True

    @staticmethod
    def _new_row(b: int, days: list[list[Any]], batches: list[int], sums: list[int], rows: list[int],
                 starts: list[int], total: dict[tuple[int, int], int], day_at: dict[str, int], names: list[str]
                 ) -> None:
        batches.append(b)
        sums += [sum(d[1] for d in days), sum(d[2] for d in days), sum(d[3] for d in days)]
        rows += _flat(days, day_at, names)
        starts.append(len(rows))
        for day in days:
            for s, d, c in day[4]:
                total[(s, d)] = total.get((s, d), 0) + c
