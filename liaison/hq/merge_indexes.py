"""The sealed indexes every merge writes beside the rows it kept (see sealed_index): the
referrals a report counts and the features `hq clusters` reads. One list, so that the
schema, the merge and the sealing of rows kept in clear cannot name different ones."""

from __future__ import annotations

import sqlite3
from typing import Any

from ..security.records_key import BatchSealer
from . import cluster_index, referral_index

INDEXES = (referral_index, cluster_index)


def ensure(db: sqlite3.Connection) -> None:
    for index in INDEXES:
        db.execute(index.INDEX.schema())


def store(db: sqlite3.Connection, batch: int, sealer: BatchSealer, written: list[tuple[Any, Any, dict[str, Any]]]
          ) -> None:
    """Each index's blob for the rows a merge wrote (rowform.written), in its transaction."""
    for index in INDEXES:
        index.store(db, batch, sealer, written)
