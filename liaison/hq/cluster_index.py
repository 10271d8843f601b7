"""Each merge's cluster features, sealed once for the whole merge, so `hq clusters`
reads a city's 600 000 records as a few thousand blobs instead of opening every
record's personal part (one AES-GCM, two JSON parses and a batch-key look-up each:
half of what `hq clusters` took).

The features (reports/cluster_features.py) hold a summary and the employer, project,
platform and site a resident named: personal, so the blob is sealed exactly like the
personal parts, under the merge's batch key and bound to the batch number, as
hq/referral_index.py does for referrals (its docstring says why nothing personal is
kept in clear). The unattended merge writes it with the records public key alone.

A blob is used for a row only while that row still has the blob's batch and version,
and only if it was written with today's FIELDS. A merge from before this index has
its rows opened batch by batch; any other row is opened on its own. So the clusters
are always those of the whole records (tests/hq/test_cluster_index.py). A block of
merges no merge has changed since a whole-history run is read from the office's
cluster view instead (hq/cluster_view.py, tests/hq/test_cluster_view.py).
"""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from functools import partial
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Callable, cast

import orjson

from ..reports.cluster_features import FIELDS, Features, of_parts, of_record
from ..security.records_key import BatchSealer, Opener
from . import cluster_view
from .read_ahead import reading_ahead, worth_it
from .sealed_index import SealedIndex
from .views import BLOCK_BITS, altered_view

if TYPE_CHECKING:  # reads -> dbconn -> this module
    from .reads import MergeRows, Reads

INDEX = SealedIndex("cluster_index", "clusters")
aad = INDEX.aad
_ID = FIELDS.index("id")
_BY_ID = itemgetter(0)
_SHARED = {FIELDS.index("station"), FIELDS.index("category")}


def store(db: sqlite3.Connection, batch: int, sealer: BatchSealer, written: list[tuple[Any, Any, dict[str, Any]]]
          ) -> None:
    """Seal the features of the rows a merge wrote (rowform.written), inside the merge's
    transaction. A deleted record is left out: no cluster reads it."""
    # by id: the order a read lists a merge's current rows in, so the two lists compare in C
    live = sorted(((rid, v, r) for rid, v, r in written if not r.get("deleted")), key=_BY_ID)
    if live:
        # columns, not an object per row
        cols = [list(c) for c in zip(*(of_record(r) for _, _, r in live), strict=True)]
        doc = {"fields": list(FIELDS), "versions": [v for _, v, _ in live], "columns": cols}
        INDEX.put(db, batch, sealer, doc)


def columns(reads: Reads, opener: Opener, since: str | None = None,
            later: list[Callable[[], Callable[[], bool]]] | None = None, altered: list[str] | None = None
            ) -> list[list[Any]]:
    """The features of every current record as columns, one list per name in FIELDS
    (visited on or after `since`, YYYY-MM-DD, and perhaps a day before it: the caller
    filters on the visit itself). SealBroken as `Reads.records` raises it. The blocks of
    merges the office's view holds (hq/cluster_view.py) come from it; the others merge by
    merge, and a whole-history read (no `since`) puts what keeps them in the view into
    `later`, to be called once the read has ended, before the columns are let go: it
    makes the view's blobs and returns what waits for a thread to write them
    (cluster_view.View.save, views.keep_meanwhile). A view block whose blob did
    not open is read merge by merge too, a merge whose index blob did not open from its
    records, and both are named in `altered` (hq/views.py)."""
    cols: list[list[Any]] = [[] for _ in FIELDS]
    shared: dict[str, str] = {}  # one str per station and category, not one per record
    spans: dict[int, list[tuple[int, int]]] = {}  # block -> where its rows read merge by merge lie in cols
    broken: list[int] = []  # merges whose index blob did not open: their rows opened on their own

    def add(got: list[list[Any]]) -> None:
        for k, col in enumerate(got):
            cols[k].extend(map(shared.setdefault, col, col) if k in _SHARED else col)

    # The report's index lists the tallied rows merge by merge, and their Shanghai day:
    # a visit's own date is at most one day from it, so the day before `since` bounds it.
    start = None if since is None else (date.fromisoformat(since) - timedelta(days=1)).isoformat()
    with reads.snapshot():  # a record a merge moves to its batch meanwhile is read once, as it was
        view = cluster_view.View(reads.db)
        counts = reads.block_counts(None, None, BLOCK_BITS)
        todo = view.match(counts)
        for got in view.columns(reads.db, opener, start):
            add(got)
        todo += view.altered
        merges = reads.merge_rows(start, index=INDEX, blocks=(todo, BLOCK_BITS) if view.used else None) if todo else ()
        with reading_ahead(reads.db, since is None and worth_it(len(todo), len(counts))):  # the first after a backlog
            for merge in merges:
                at = len(cols[0])
                add(_batch(reads, opener, merge, broken))
                if since is None and merge.batch is not None:
                    spans.setdefault(merge.batch >> BLOCK_BITS, []).append((at, len(cols[0])))
            for merge in reads.merge_rows(untallied=True, index=INDEX):
                add(_batch(reads, opener, merge, broken))
    if altered is not None and view.altered:
        altered.append(altered_view("类案视图", "the cluster view", view.altered))
    if altered is not None and broken:
        altered.append(altered_view("类案索引", "the cluster index", broken, ("个批次", "merge")))
    if later is not None and since is None:
        high = max((top for *_, top in counts if top is not None), default=-1)
        later.append(partial(view.save, reads, cols, spans, {b: (rows, versions) for b, rows, versions, _, _ in counts},
                             high))
    return cols


def _batch(reads: Reads, opener: Opener, merge: MergeRows, broken: list[int]) -> list[list[Any]]:
    """The columns of one merge's current rows (`ids` and their `versions`)."""
    batch, ids, versions = merge.batch, merge.ids, merge.versions
    have_ids, have_versions, cols = (_described(reads, opener, batch, merge.sealed, merge.wrapped, broken)
                                     if batch is not None else ([], [], []))
    if ids == have_ids and versions == have_versions:
        return cols  # the usual merge: every row it wrote is still its own, and current
    # Otherwise (a merge a later one edited a row of: a station edits a third of its
    # visits on a later day) each row by its position in the columns, in C; a row the
    # blob does not describe at its version is opened on its own.
    where = dict(zip(zip(have_ids, have_versions, strict=True), range(len(have_ids)), strict=True))
    idx = list(map(where.get, zip(ids, versions, strict=True)))
    if None not in idx:
        positions = cast(list[int], idx)  # (no None: checked)
        return [list(map(c.__getitem__, positions)) for c in cols]
    out: list[Features] = [tuple(c[i] for c in cols) if i is not None else _opened_row(reads, opener, rid)
                           for rid, i in zip(ids, idx, strict=True)]
    return [list(c) for c in zip(*out, strict=True)] if out else [[] for _ in FIELDS]


def _described(reads: Reads, opener: Opener, batch: int, sealed: bytes | None, wrapped: bytes | None,
               broken: list[int]) -> tuple[list[str], list[int], list[list[Any]]]:
    """(ids, versions, feature columns) of the rows this merge wrote, from its blob (read
    with its rows); for a merge before this index (or of other fields), or whose blob does
    not open (its batch goes to `broken`), from its rows, opened in one query."""
    doc = INDEX.read(opener, batch, sealed, wrapped, broken)
    if doc is not None and doc.get("fields") == list(FIELDS):
        return doc["columns"][_ID], doc["versions"], doc["columns"]
    ids, versions, feats = [], [], []
    loads = orjson.loads
    for doc_, blob, version in reads.db.execute(
            "SELECT doc, sealed, version FROM records WHERE batch=? AND deleted=0", (batch,)):
        clear = loads(doc_)
        ids.append(clear["id"])
        versions.append(version)
        feats.append(of_parts(clear, reads.open_personal(opener, clear, blob, batch)))
    return ids, versions, [list(c) for c in zip(*feats, strict=True)] if feats else [[] for _ in FIELDS]


def _opened_row(reads: Reads, opener: Opener, rid: str) -> Features:
    doc, blob, batch = reads.db.execute("SELECT doc, sealed, batch FROM records WHERE id=?", (rid,)).fetchone()
    clear = orjson.loads(doc)
    return of_parts(clear, reads.open_personal(opener, clear, blob, batch))
