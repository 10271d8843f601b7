"""Reading the office's records: whole (with an unlocked office), as clear parts, or as
the report's counts in SQLite (columns from visits.derived) — nothing made whole unless asked."""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import Any, Iterator, NamedTuple

import orjson

from ..domain.personal import join_into
from ..security import records_key
from ..security.errors import SealBroken
from ..security.records_key import Opener
from . import tally_weeks
from .dbconn import OfficeConnection
from .sealed_index import SealedIndex
from .visits import DONE_SQL, OPEN_SQL, iso_week


class MergeRows(NamedTuple):
    batch: int | None
    ids: list[str]
    versions: list[int]  # of each id, in the same order
    sealed: bytes | None = None  # the merge's blob in the index asked for, if it has one
    wrapped: bytes | None = None  # its batch key's wrap (seal_keys)


def not_sealed(rid: Any) -> SealBroken:
    """What reading a row kept in clear raises (its office was never set up with staff)."""
    return SealBroken(f"记录 {rid} 未加密保存：请运行 liaison hq init --officer <姓名> "
                      f"(record {rid} is not sealed: run `liaison hq init --officer NAME`)")


class Reads(OfficeConnection):
    def records(self, opener: Opener, include_deleted: bool = False,
                station: str | None = None) -> Iterator[dict[str, Any]]:
        """The office's records made whole: needs an unlocked office (`opener`, see
        hq.staff). SealBroken if a sealed part was altered or moved to another row."""
        where = ["1"] if include_deleted else ["r.deleted=0"]
        args: tuple[str, ...] = ()
        if station is not None:
            where.append("r.station=?")
            args = (station,)
        q = ("SELECT r.id, r.version, r.doc, r.sealed, r.batch, k.wrapped FROM records r "
             f"LEFT JOIN seal_keys k ON k.id=r.batch WHERE {' AND '.join(where)} ORDER BY r.visited_at DESC, r.id")
        for rid, version, doc, sealed, batch, wrapped in self.db.execute(q, args):
            record = orjson.loads(doc)
            if sealed is None:
                raise not_sealed(rid)
            yield join_into(record, opener.open(batch, sealed, records_key.record_aad(rid, version), wrapped))

    @staticmethod
    def open_personal(opener: Opener, clear: dict[str, Any], blob: bytes | None, batch: int | None) -> dict[str, Any]:
        """The personal part of one row, from its clear part, sealed part and batch (SealBroken
        as in `records`)."""
        if blob is None or batch is None:  # a sealed part is always written with its batch
            raise not_sealed(clear.get("id"))
        personal: dict[str, Any] = opener.open(batch, blob, records_key.record_aad(clear["id"], clear["version"]))
        return personal

    # -- the report's counts, in SQLite (columns from visits.derived) ---------------
    @staticmethod
    def _in_period(start: str | None, end: str | None) -> tuple[str, list[str]]:
        where, args = ["deleted=0", "tallied=1"], []
        # A day's ISO week sorts with it ("2026-W48"): the weeks bound the index's range.
        if start:
            where += ["week >= ?", "day >= ?"]
            args += [iso_week(date.fromisoformat(start)), start]
        if end:
            where += ["week <= ?", "day <= ?"]
            args += [iso_week(date.fromisoformat(end)), end]
        return " AND ".join(where), args

    @staticmethod
    def _on_days(start: str | None, end: str | None) -> tuple[list[str], list[str]]:
        """Conditions on the visit day alone (no week), for a query that goes through an
        index ordered otherwise (records_refs, records_resolved)."""
        conds, args = ["deleted=0", "tallied=1"], []
        for bound, op in ((start, ">="), (end, "<=")):
            if bound:
                conds.append(f"day {op} ?")
                args.append(bound)
        return conds, args

    def tally_groups(self, start: str | None, end: str | None) -> list[tuple[str, str, str, int, int, str]]:
        """(station, category, week, visits, people, latest visited_at) of the period's
        tallied rows (`start`/`end`: YYYY-MM-DD, inclusive, either may be None): the weeks
        wholly inside it as tally_weeks keeps them, the weeks of its first and last day
        (which it may cut) grouped from their rows."""
        cut = tuple(dict.fromkeys(iso_week(date.fromisoformat(d)) for d in (start, end) if d))
        got = tally_weeks.whole_weeks(self.db, start, end, cut)
        if cut:
            where, args = self._in_period(start, end)
            got += self.db.execute(
                "SELECT station, category, week, count(*), sum(party), max(visited_at) FROM records "
                f"WHERE {where} AND week IN ({','.join('?' * len(cut))}) GROUP BY week, station, category",
                [*args, *cut]).fetchall()
        return got

    def first_id(self, station: str, category: str, visited_at: str) -> str:
        """The smallest id among a station's tallied rows of a category visited at that instant."""
        first: str = self.db.execute("SELECT min(id) FROM records WHERE station=? AND visited_at=? AND category=? "
                                     "AND deleted=0 AND tallied=1", (station, visited_at, category)).fetchone()[0]
        return first

    _SUMS = f"count(*) AS n, sum(version) AS v, sum(coalesce(status IN {DONE_SQL}, 0)) AS d"

    def block_counts(self, start: str | None, end: str | None, bits: int
                     ) -> list[tuple[int | None, int, int, int, int | None]]:
        """(block, current tallied rows visited in the period, their versions' sum, how
        many are resolved, its highest batch with such a row) of each block of 2**bits
        consecutive batch numbers (None: rows of no batch): what referral_view checks a
        block against. Grouped by batch first, in the index's order, then by block
        (600 000 rows sorted by block took longer)."""
        conds, args = self._on_days(start, end)
        got: list[tuple[int | None, int, int, int, int | None]] = self.db.execute(
            f"SELECT b, sum(n), sum(v), sum(d), max(batch) FROM (SELECT batch, batch >> {int(bits)} AS b, "
            f"{self._SUMS} FROM records INDEXED BY records_refs WHERE {' AND '.join(conds)} GROUP BY batch) "
            "GROUP BY b", args).fetchall()
        return got

    def block_rows(self, start: str | None, end: str | None, blocks: list[int | None], bits: int
                   ) -> Iterator[tuple[int | None, list[int], list[str], list[int], list[int], list[str]]]:
        """(block, and of its current tallied rows visited in the period: batches, ids,
        versions, resolved 0/1s, visit days) of each of these blocks (block_counts), as
        lists in the same order, each a row of JSON lists in SQL: what a report matches
        with the blocks' index blobs (referral_index.block_map)."""
        conds, args = self._on_days(start, end)
        loads = orjson.loads
        for block, *cols in self.db.execute(
                f"SELECT batch >> {int(bits)} AS b, json_group_array(batch), json_group_array(id), "
                f"json_group_array(version), json_group_array(coalesce(status IN {DONE_SQL}, 0)), "
                "json_group_array(day) FROM records "
                f"INDEXED BY records_refs WHERE {' AND '.join(conds)} AND (batch >> {int(bits)} IN "
                "(SELECT value FROM json_each(?)) "
                "OR (? AND batch IS NULL)) GROUP BY b",
                [*args, orjson.dumps([b for b in blocks if b is not None]).decode(), None in blocks]):
            batches, ids, versions, resolved, days = map(loads, cols)
            yield block, batches, ids, versions, resolved, days

    def index_blobs(self, index: SealedIndex, block: int, bits: int) -> sqlite3.Cursor:
        """(batch, blob, its key's wrap) of each merge of a block in `index`."""
        return self.db.execute(f"SELECT i.batch, CAST(i.sealed AS BLOB), k.wrapped FROM {index.table} i LEFT JOIN seal_keys k "
                               "ON k.id=i.batch WHERE i.batch >= ? AND i.batch < ?",
                               (block << bits, (block + 1) << bits))

    def merge_rows(self, start: str | None = None, *, untallied: bool = False, index: SealedIndex | None = None,
                   blocks: tuple[list[int | None], int] | None = None) -> Iterator[MergeRows]:
        """Each merge's current tallied rows visited on or after `start` (YYYY-MM-DD, or
        None), one item per batch, as lists in the same order, read from records_refs,
        whose order is by id within a batch, the order the cluster index lists its rows
        in: what its blobs are matched against, a merge at a time in C (600 000 rows as
        Python tuples cost more than a whole count). `untallied`: the rows the SQL counts
        leave out instead, any day. `index`: each merge's blob in that index and its
        key's wrap come with it, joined in SQL (a city's year is ~70 000 merges: two
        look-ups each from Python were ~0.5 s). `blocks`: (blocks, bits): only the
        merges of those blocks of 2**bits batch numbers (None: rows of no batch)."""
        cols = "SELECT batch, json_group_array(id), json_group_array(version) FROM records"
        args: list[Any] = []
        if untallied:
            grouped = f"{cols} WHERE deleted=0 AND tallied IS NOT 1 GROUP BY batch"
        else:
            conds, days = self._on_days(start, None)
            args = [*days]
            if blocks is not None:
                listed, bits = blocks
                conds.append(f"(batch >> {int(bits)} IN (SELECT value FROM json_each(?)) OR (? AND batch IS NULL))")
                args += [orjson.dumps([b for b in listed if b is not None]).decode(), None in listed]
            grouped = f"{cols} INDEXED BY records_refs WHERE {' AND '.join(conds)} GROUP BY batch"
        if index is not None:
            grouped = (f"SELECT g.*, CAST(i.sealed AS BLOB), k.wrapped FROM ({grouped}) g LEFT JOIN {index.table} i "
                       "ON i.batch=g.batch LEFT JOIN seal_keys k ON k.id=g.batch")
        loads = orjson.loads
        for batch, ids, versions, *blob in self.db.execute(grouped, args):
            yield MergeRows(batch, loads(ids), loads(versions), *blob)

    def tally_durations(self, start: str | None, end: str | None) -> sqlite3.Cursor:
        """(station, days from visit to last change) of the period's resolved tallied rows."""
        where, args = self._in_period(start, end)
        return self.db.execute(f"SELECT station, resolve_days FROM records WHERE {where} AND status IN {DONE_SQL} "
                               "AND resolve_days IS NOT NULL", args)

    def tally_medians(self, start: str | None, end: str | None
                      ) -> tuple[dict[str, tuple[int, float]], tuple[int, float] | None]:
        """({station: (resolved visits, median days)}, (all of them, their median)) of the
        period's resolved tallied rows, as statistics.median gives them over
        `tally_durations`: each median read where it lies in an index sorted by the days
        (records_resolved per station, records_resolved_all for all), stepping over the
        lower half in SQLite rather than fetching every value (a city's year: 500 000)."""
        cond, args = self._on_days(start, end)
        where = " AND ".join([*cond, f"status IN {DONE_SQL}", "resolve_days IS NOT NULL"])
        counts = self.db.execute(f"SELECT station, count(*) FROM records INDEXED BY records_resolved WHERE {where} "
                                 "GROUP BY station", args).fetchall()

        def median(index: str, n: int, *extra: str) -> float:
            middle = self.db.execute(
                f"SELECT resolve_days FROM records INDEXED BY {index} WHERE {where}"
                f"{' AND station=?' if extra else ''} ORDER BY resolve_days LIMIT ? OFFSET ?",
                [*args, *extra, 2 - n % 2, (n - 1) // 2]).fetchall()
            got: float = middle[0][0] if n % 2 else (middle[0][0] + middle[1][0]) / 2
            return got

        per = {st: (n, median("records_resolved", n, st)) for st, n in counts}
        total = sum(n for n, _ in per.values())
        return per, ((total, median("records_resolved_all", total)) if total else None)

    def tally_overdue(self, as_of: str) -> sqlite3.Cursor:
        """(id, station, category, status, follow-up day, visit day, reference, clear part
        as stored where the reference is not a column) of tallied rows visited by `as_of`
        whose follow-up was due before it and which are not resolved: read from the
        records_overdue index alone, the clear part only for a row without `ref` (kept
        before the column, or of another shape)."""
        return self.db.execute(
            "SELECT id, station, category, status, follow_up_on, day, ref, CASE WHEN ref IS NULL THEN doc END "
            f"FROM records WHERE deleted=0 AND tallied=1 AND follow_up_on < ?1 AND day <= ?1 AND {OPEN_SQL}", (as_of,))

    def untallied(self) -> Iterator[tuple[dict[str, Any], bytes | None, int | None]]:
        """(clear part, sealed part, batch) of the current rows the SQL counts leave out (`tallied` not 1)."""
        loads = orjson.loads
        for doc, blob, batch in self.db.execute(
                "SELECT doc, sealed, batch FROM records WHERE deleted=0 AND tallied IS NOT 1"):
            yield loads(doc), blob, batch
