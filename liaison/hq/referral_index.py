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
uses an entry only for a row of that id and version; a row no blob describes — of a
merge from before this index, an odd `referrals` value, another version — is opened on
its own, so the counts are always those of the whole records
(tests/hq/test_report_fast_path.py). How a report reads them, block by block, and
keeps their counts: hq/report_referrals.py and hq/referral_view.py.
"""

from __future__ import annotations

import sqlite3
from itertools import repeat
from typing import TYPE_CHECKING, Any

from ..security.records_key import BatchSealer, Opener
from .sealed_index import SealedIndex

if TYPE_CHECKING:  # reads -> dbconn -> merge_indexes -> this module
    from .reads import Reads

Refs = tuple[str, ...]

INDEX = SealedIndex("referral_index", "referrals")
aad = INDEX.aad


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
    # Without deleted rows (never counted); by id, as blobs have always been written.
    for rid, version, r in sorted(written, key=_by_id):
        refs = r.get("referrals")
        if _plain(refs) and not r.get("deleted"):
            rows[rid] = (version, sets.setdefault(tuple(refs or ()), len(sets)))
    if rows:
        # columns, not an object per row: a report rebuilds the map with zip
        doc = {"ids": list(rows), "versions": [v for v, _ in rows.values()],
               "sets": [list(k) for k in sets], "refs": [k for _, k in rows.values()]}
        INDEX.put(db, batch, sealer, doc)


def block_map(reads: Reads, opener: Opener, block: int, bits: int, broken: list[int]
              ) -> dict[tuple[int, str, int], Refs]:
    """(batch, id, version) -> referrals of every row the merges of a block of 2**bits
    consecutive batch numbers wrote, from their blobs (each batch key unwrapped once,
    by the Opener). Keyed by all three: a row that no longer has that batch and version
    finds nothing and is opened on its own, as is every row of a merge whose blob does
    not open (its batch goes to `broken`: hq/views.py)."""
    got: dict[tuple[int, str, int], Refs] = {}
    for batch, sealed, wrapped in reads.index_blobs(INDEX, block, bits):
        doc: Any = INDEX.read(opener, batch, sealed, wrapped, broken)
        if doc is None:
            continue
        sets = [tuple(x) for x in doc["sets"]]
        got.update(zip(zip(repeat(batch), doc["ids"], doc["versions"]), map(sets.__getitem__, doc["refs"]),
                       strict=True))
    return got
