"""Each merge's referrals, sealed once for the whole merge, so a report counts a year's
referrals without opening 600 000 personal parts one AES-GCM and one JSON parse each.

Why not a clear column, as for category and status: a referral is kept personal on
purpose (domain/personal.py): "referred to the police", "psychological counselling" or
"judicial aid" says something about a person's case, and the record's clear part
(station, day, reference — printed on the resident's receipt) would tie it to them on
a stolen disk. So the index is sealed exactly like the personal parts: under the
merge's batch key (only an office officer's PIN opens it), one blob per merge, bound
to the batch number. The unattended merge can write it (sealing needs only the
records public key); it never needs to read an earlier one.

A blob gives each record id upserted by that merge its version and referrals. A report
uses an entry only when the row it reads still has that batch and that version;
a merge from before this index has its rows opened batch by batch (as every row once
was); anything else — an odd `referrals` value, an entry of another version — is
opened on its own, so the counts are always those of the whole records
(tests/hq/test_report_fast_path.py).

Beside it, each merge seals its tally (TALLY): per visit day, how many of its rows are
counted, their versions' sum, how many are resolved, and how many rows have each list
of referrals and state. Only the merge that wrote a row's current version gives the row
its batch number, so a batch's current rows are some of those it wrote: when their
number, versions' sum and resolved count in the period are the tally's, they are all
of them, and the report adds the tally without listing a row (a city's year is
~70 000 merges, ~600 000 rows). A merge a later one edited, or one moved by hand, does
not match and is matched row by row as above.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from ..domain.vocab import DONE_STATUSES
from ..security import records_key
from ..security.records_key import BatchSealer, Opener
from .sealed_index import SealedIndex
from .visits import derived

if TYPE_CHECKING:  # reads -> dbconn -> merge_indexes -> this module
    from .reads import MergeRows

INDEX = SealedIndex("referral_index", "referrals")
TALLY = SealedIndex("referral_tally", "referral-tally")
TABLES = (INDEX, TALLY)  # each made by the schema (merge_indexes.ensure)
aad = INDEX.aad
KEEP = 256  # batch maps held at once (a report meets each batch once: its rows come grouped by batch)


def _by_id(row: tuple[Any, Any, dict[str, Any]]) -> str:
    return str(row[0])  # ids are text; str() only keeps a malformed one from stopping the merge


def _plain(refs: Any) -> bool:
    return refs is None or (type(refs) is list and all(type(x) is str for x in refs))


def store(db: sqlite3.Connection, batch: int, sealer: BatchSealer, written: list[tuple[Any, Any, dict[str, Any]]]
          ) -> None:
    """Seal the referrals of the rows a merge wrote (rowform.written). Inside the merge's
    transaction: the index and the rows it describes are committed together."""
    rows: dict[Any, tuple[Any, int]] = {}
    sets: dict[tuple[str, ...], int] = {}  # each distinct list of referrals once
    days: dict[str, list[Any]] = {}  # visit day -> [rows, versions' sum, resolved, {(set, resolved): rows}]
    # By id, and without deleted rows (never counted): the order and the rows a report
    # lists a merge's current rows in, so that the usual merge is matched in C (Index.rows).
    for rid, version, r in sorted(written, key=_by_id):
        refs = r.get("referrals")
        if _plain(refs) and not r.get("deleted"):
            k = rows[rid] = (version, sets.setdefault(tuple(refs or ()), len(sets)))
            # the columns the report's SQL reads; the station as the record names it (a
            # row kept for another is not tallied there, so its merge will not match)
            day, _, _, status, *_, tallied = derived(r, str(r.get("station")))
            if tallied == 1 and type(version) is int:
                done = int(status in DONE_STATUSES)
                d = days.setdefault(day, [0, 0, 0, {}])
                d[0], d[1], d[2] = d[0] + 1, d[1] + version, d[2] + done
                d[3][(k[1], done)] = d[3].get((k[1], done), 0) + 1
    if rows:
        # columns, not an object per row: a report rebuilds each merge's map with zip
        listed = [list(k) for k in sets]
        doc = {"ids": list(rows), "versions": [v for v, _ in rows.values()], "sets": listed,
               "refs": [k for _, k in rows.values()]}
        INDEX.put(db, batch, sealer, doc)
        TALLY.put(db, batch, sealer, {"sets": listed, "days": [
            [day, n, vsum, done, [[s, dn, c] for (s, dn), c in counts.items()]]
            for day, (n, vsum, done, counts) in days.items()]})


def tallied(opener: Opener, batch: int, n: int, vsum: int, done: int, sealed: bytes, wrapped: bytes | None,
            start: str | None, end: str | None) -> list[tuple[tuple[str, ...], int, int]] | None:
    """(referrals, resolved, rows) of a merge's rows visited in the period (YYYY-MM-DD,
    inclusive, either None) from its tally, when `n`, `vsum` and `done` — the merge's
    current rows in the period, their versions' sum and resolved count, as SQL counts
    them — are the tally's; None when they are not (see the module's docstring)."""
    doc: Any = TALLY.open(opener, batch, sealed, wrapped)
    got: list[tuple[tuple[str, ...], int, int]] = []
    sets = doc["sets"]
    for day, dn, dv, dd, counts in doc["days"]:
        if (start is None or day >= start) and (end is None or day <= end):
            n, vsum, done = n - dn, vsum - dv, done - dd
            got += [(tuple(sets[s]), d, c) for s, d, c in counts]
    return got if n == vsum == done == 0 else None


class Index:
    """Opens the blobs as a report meets their batches (each batch key unwrapped once,
    by the Opener); a few hundred at a time, so memory stays bounded."""

    def __init__(self, db: sqlite3.Connection, opener: Opener):
        self._db, self._opener = db, opener
        self._maps: dict[int | None, dict[tuple[str, int], tuple[str, ...]]] = {}
        self._last: tuple[int, Any] | None = None  # the blob `rows` opened last, for `batch`

    def _doc(self, merge: MergeRows) -> Any:
        batch = merge.batch
        if batch is None:
            return None
        if self._last is None or self._last[0] != batch:
            self._last = (batch, INDEX.open(self._opener, batch, merge.sealed, merge.wrapped))
        return self._last[1]

    def rows(self, merge: MergeRows) -> list[tuple[str, ...]] | None:
        """The referrals of each row, in order, when this merge's blob (read with its rows,
        Reads.merge_rows(index=INDEX)) describes exactly these rows (`ids` by id, at
        `versions`): the usual merge, all of whose rows are still current. None
        otherwise: then each row is looked up in the merge's map (`batch`)."""
        doc = self._doc(merge)
        if doc is None or doc["ids"] != merge.ids or doc["versions"] != merge.versions:
            return None
        sets = [tuple(x) for x in doc["sets"]]
        return list(map(sets.__getitem__, doc["refs"]))

    def batch(self, merge: MergeRows) -> dict[tuple[str, int], tuple[str, ...]]:
        """(id, version) -> referrals as listed, of the rows that merge wrote ({} if it has no blob;
        None: rows kept before sealing, which no merge's index describes). Keyed by the
        pair, so a row of another version finds nothing and is opened on its own."""
        batch = merge.batch
        got = self._maps.get(batch)
        if got is None:
            if len(self._maps) >= KEEP:
                self._maps.clear()
            doc = self._doc(merge)
            if doc is not None and batch is not None:
                sets = [tuple(x) for x in doc["sets"]]
                got = dict(zip(zip(doc["ids"], doc["versions"], strict=True), map(sets.__getitem__, doc["refs"]),
                               strict=True))
            else:
                got = self._opened(batch) if batch is not None else {}
            self._maps[batch] = got
        return got

    def _opened(self, batch: int) -> dict[tuple[str, int], tuple[str, ...]]:
        """The same map from the merge's rows themselves, each opened (a merge from
        before this index): one query for the batch, not one per row."""
        got: dict[tuple[str, int], tuple[str, ...]] = {}
        rows = self._db.execute("SELECT id, version, sealed FROM records WHERE batch IS ? AND deleted=0 AND tallied=1 "
                                "AND sealed IS NOT NULL", (batch,))
        for rid, version, blob in rows:
            refs = self._opener.open(batch, blob, records_key.record_aad(rid, version)).get("referrals")
            if _plain(refs):
                got[(rid, version)] = tuple(refs or ())
        return got
