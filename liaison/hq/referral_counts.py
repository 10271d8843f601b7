"""A merge's referrals as counts per visit day, so a report adds them up without listing
the merge's rows (a city's year is ~70 000 merges, ~600 000 rows; matching each row
with referral_index was two thirds of a whole-year report).

Per day: how many rows, their versions' sum, how many are resolved, and how many rows
have each list of referrals and state. Two blobs hold such counts, sealed like every
index (sealed_index: only an office officer's PIN opens them):

- TALLY, one per merge, written by the merge for the rows it wrote;
- the office's view (referral_view), written by a whole-history report for blocks of
  merges: what their rows were then.

Why the counts can be trusted without the rows: only the merge that wrote a row's
current version gives the row its batch number, and a later merge that replaces the
row gives it its own. So a batch's current rows are always some of those it held when
either blob was written; when their number, versions' sum and resolved count in the
period are the blob's, they are all of them (and so for a block of merges, while no
merge newer than the blob has joined it: referral_view).
Otherwise (a row edited since, one moved by hand) the merge is matched row by row, so
the counts are always those of the whole records (tests/hq/test_report_fast_path.py).
A merge from before the tally has none and is matched row by row as before.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from typing import Any, Iterable

from ..domain.vocab import DONE_STATUSES
from ..security.records_key import BatchSealer, Opener
from .sealed_index import SealedIndex
from .visits import derived

TALLY = SealedIndex("referral_tally", "referral-tally")
TABLES = (TALLY,)  # made by the schema (merge_indexes.ensure)

Refs = tuple[str, ...]
Counted = list[tuple[Refs, int, int]]  # (referrals, resolved 0/1, rows)


def days_of(days: list[str], versions: list[int], resolved: list[int], sets: Iterable[int]) -> list[list[Any]]:
    """[day, rows, versions' sum, resolved, [[set, resolved, rows], …]] per visit day of
    rows given as parallel lists (their day, version, resolved 0/1, and the place of
    their referral list): the blobs' form, counted by Counter in C, then per distinct key."""
    by_refs = Counter(zip(days, sets, resolved, strict=True))
    by_version = Counter(zip(days, versions, strict=True))
    out: dict[str, list[Any]] = {}
    for (day, s, done), c in by_refs.items():
        d = out.get(day)
        if d is None:
            d = out[day] = [day, 0, 0, 0, []]
        d[1] += c
        d[3] += done * c
        d[4].append([s, done, c])
    for (day, version), c in by_version.items():
        out[day][2] += version * c
    return list(out.values())


def in_period(days: list[list[Any]], sets: list[Refs], start: str | None, end: str | None
              ) -> tuple[Counted, int, int, int]:
    """(counts, rows, versions' sum, resolved) of the days in the period (YYYY-MM-DD,
    inclusive, either None)."""
    got: Counted = []
    n = vsum = done = 0
    for day, dn, dv, dd, counts in days:
        if (start is None or day >= start) and (end is None or day <= end):
            n, vsum, done = n + dn, vsum + dv, done + dd
            got += [(sets[s], d, c) for s, d, c in counts]
    return got, n, vsum, done


def counted(days: list[list[Any]], sets: list[Refs], n: int, vsum: int, done: int, start: str | None,
            end: str | None) -> Counted | None:
    """The counts of the days in the period when `n`, `vsum` and `done` — the batch's
    current rows in the period, their versions' sum and resolved count, as SQL counts
    them (Reads.merge_counts) — are those days' own; None otherwise."""
    got, *sums = in_period(days, sets, start, end)
    return got if sums == [n, vsum, done] else None


def store(db: sqlite3.Connection, batch: int, sealer: BatchSealer, written: list[tuple[Any, Any, dict[str, Any]]]
          ) -> None:
    """The merge's tally of the rows it wrote (rowform.written) that the report's SQL
    counts, inside its transaction. The columns are derived as the merge derives them,
    with the station the record names: a row kept for another is not tallied there, so
    its merge does not match and is matched row by row."""
    sets: dict[Refs, int] = {}
    rows: list[tuple[str, int, int, int]] = []
    for _, version, r in written:
        refs = r.get("referrals")
        if r.get("deleted") or type(version) is not int or not (
                refs is None or (type(refs) is list and all(type(x) is str for x in refs))):
            continue
        day, _, _, status, *_, tallied = derived(r, str(r.get("station")))
        if tallied == 1:
            rows.append((day, version, int(status in DONE_STATUSES), sets.setdefault(tuple(refs or ()), len(sets))))
    if rows:
        days, versions, resolved, at = (list(c) for c in zip(*rows, strict=True))
        TALLY.put(db, batch, sealer, {"sets": [list(k) for k in sets], "days": days_of(days, versions, resolved, at)})


def tally_of(opener: Opener, batch: int, sealed: bytes, wrapped: bytes | None) -> tuple[list[list[Any]], list[Refs]]:
    """(days, sets) of a merge's tally (read with its counts: Reads.merge_counts), for `counted`."""
    doc: Any = TALLY.open(opener, batch, sealed, wrapped)
    return doc["days"], [tuple(x) for x in doc["sets"]]
