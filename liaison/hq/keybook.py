"""Enrolled station keys for the HTTP inbox's header check, on a read-only SQLite
connection of its own.

The office's connection belongs to the one ingest thread, which may be busy merging a
50 000-record bundle for seconds; checking an upload's signed headers (one key
lookup, one signature) must not wait for that, or a stranger's request would hold a
slot, and an honest station's 403/200 decision would come late. In WAL mode a reader
never waits for the writer, so this connection, used only on the inbox's auth thread,
sees the last committed `stations` table at once. A key replaced by `hq enroll
--replace` is seen on the next upload: nothing is cached past one lookup but the
decoded key objects.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ..security.keys import b64d


class KeyBook:
    def __init__(self, db_path: Path):
        uri = Path(db_path).resolve().as_uri() + "?mode=ro"
        self.db = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False, timeout=5.0)
        self.db.execute("PRAGMA query_only=1")
        self.decoded: dict[str, Ed25519PublicKey] = {}  # base64 -> key object (parsing costs more than the query)

    def station_key(self, station: str) -> Ed25519PublicKey | None:
        row = self.db.execute("SELECT ed25519 FROM stations WHERE station=?", (station,)).fetchone()
        if not row:
            return None
        raw = row[0]
        key = self.decoded.get(raw)
        if key is None:
            if len(self.decoded) > 10_000:
                self.decoded.clear()
            key = self.decoded[raw] = Ed25519PublicKey.from_public_bytes(b64d(raw))
        return key

    def close(self) -> None:
        self.db.close()
