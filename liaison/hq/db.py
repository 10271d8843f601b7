"""The office's SQLite store and the merge rule.

One transaction per bundle: the records it changes, the conflicts it raises, and the
row that says "bundle N of station S, digest D, was ingested, here is its receipt" are
committed together (synchronous=FULL), and the receipt is only handed out after the
commit. So a crash at any point either ingested the bundle completely, receipt
included, or not at all; a bundle seen again is a replay and gets the stored receipt.
"""

from __future__ import annotations

from .merge import BULK, CHUNK, FORK_MESSAGE, MERGE_CACHE_KIB, Merging
from .reads import Reads
from .rowform import INSERT_RECORD, _parts, content_hash, sealed_parts, stored_form
from .schema import SCHEMA
from .status import Status

# what callers took from this module before it was split
__all__ = ["BULK", "CHUNK", "FORK_MESSAGE", "INSERT_RECORD", "MERGE_CACHE_KIB", "SCHEMA", "OfficeDB", "_parts",
           "content_hash", "sealed_parts", "stored_form"]


class OfficeDB(Merging, Status, Reads):
    """office.db: its connection and batch keys (dbconn), the merge (merge), the
    stations' audit entries (audit_store), status (status) and reads for reports (reads)."""
