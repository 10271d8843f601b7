"""What each per-merge sealed index shares (referral_index, cluster_index): one blob per
merge in a table of its own, sealed under the merge's batch key, as the personal parts
are, and bound to the batch number and the index's purpose, so that no blob can stand
in for another merge's or another index's (records_key raises SealBroken).

The unattended merge writes the blobs with the records public key alone, in the merge's
own transaction, so an index and the rows it describes are committed together; only an
office officer's PIN opens them. What a blob holds, and when a read may trust it, is
each index's own."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

import orjson

from ..security import records_key
from ..security.errors import SealBroken
from ..security.records_key import BatchSealer, Opener


@dataclass(frozen=True)
class SealedIndex:
    table: str  # fixed names: part of the SQL
    purpose: str  # bound into every blob: part of the file format, never renamed

    def schema(self) -> str:
        return f"CREATE TABLE IF NOT EXISTS {self.table} (batch INTEGER PRIMARY KEY, sealed BLOB NOT NULL)"

    def aad(self, batch: int) -> bytes:
        return orjson.dumps([records_key.FORMAT, self.purpose, batch])

    def put(self, db: sqlite3.Connection, batch: int, sealer: BatchSealer, doc: dict[str, Any]) -> None:
        """Seal `doc` as this merge's blob (inside the merge's transaction)."""
        db.execute(f"INSERT OR REPLACE INTO {self.table} VALUES (?, ?)", (batch, sealer.seal(doc, self.aad(batch))))

    def open(self, opener: Opener, batch: int, sealed: bytes | None, wrapped: bytes | None) -> Any | None:
        """A merge's blob, read with its rows (Reads.merge_rows(index=…)), opened; None if
        the merge has none (a merge from before the index)."""
        return None if sealed is None else opener.open(batch, sealed, self.aad(batch), wrapped)

    def read(self, opener: Opener, batch: int, sealed: bytes | None, wrapped: bytes | None,
             broken: list[int]) -> Any | None:
        """`open`, where a blob that does not open (altered, moved, cut short) is None, as
        for a merge without one, and its batch goes to `broken`: an index or a view is a
        cache of the records, which the caller reads instead (hq/views.py)."""
        try:
            return self.open(opener, batch, sealed, wrapped)
        except SealBroken:
            broken.append(batch)
            return None
