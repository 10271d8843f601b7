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

A merge whose rows are all still current is not matched row by row at all: see
referral_counts.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from ..security import records_key
from ..security.records_key import BatchSealer, Opener
from .sealed_index import SealedIndex

if TYPE_CHECKING:  # reads -> dbconn -> merge_indexes -> this module
    from .reads import MergeRows

INDEX = SealedIndex("referral_index", "referrals")
TABLES = (INDEX,)  # made by the schema (merge_indexes.ensure)
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
    # By id, and without deleted rows (never counted): the order and the rows a report
    # lists a merge's current rows in, so that the usual merge is matched in C (Index.rows).
    for rid, version, r in sorted(written, key=_by_id):
        refs = r.get("referrals")
        if _plain(refs) and not r.get("deleted"):
            rows[rid] = (version, sets.setdefault(tuple(refs or ()), len(sets)))
    if rows:
        # columns, not an object per row: a report rebuilds each merge's map with zip
        doc = {"ids": list(rows), "versions": [v for v, _ in rows.values()],
               "sets": [list(k) for k in sets], "refs": [k for _, k in rows.values()]}
        INDEX.put(db, batch, sealer, doc)


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
