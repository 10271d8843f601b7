"""The office's SQLite store and the merge rule.

One transaction per bundle: the records it changes, the conflicts it raises, and the
row that says "bundle N of station S, digest D, was ingested, here is its receipt" are
committed together (synchronous=FULL), and the receipt is only handed out after the
commit. So a crash at any point either ingested the bundle completely, receipt
included, or not at all; a bundle seen again is a replay and gets the stored receipt.
"""

from __future__ import annotations

from .merge import Merging
from .reads import Reads
from .status import Status


class OfficeDB(Merging, Status, Reads):
    """office.db: its connection and batch keys (dbconn), the merge (merge), the
    stations' audit entries (audit_store), status (status) and reads for reports (reads)."""
