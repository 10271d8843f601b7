"""The office database's connection: one writer at a time, the batch keys that seal
what is kept, and the stations' enrolled keys. The other parts of OfficeDB (merge,
audit, status, reads) are built on it."""

from __future__ import annotations

import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import orjson
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from ..security import records_key
from ..security.records_key import BatchSealer, Opener
from . import merge_indexes, schema
from .lock import OfficeBusy, busy_message, lock_wait, office_lock
from .rowform import stored_form, written

KEY_LIFETIME_S = 24 * 3600  # a night's ingest, or a day of `hq serve`
KEY_BATCHES = 10_000  # far above a day's merges: a bound on what one key seals


class OfficeConnection:
    def __init__(self, path: Path):
        self.home, self.wait = Path(path).parent, lock_wait()
        # SQLite's own wait matches ours: a writer outside the lock file is waited for as long.
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=self.wait)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")  # a receipt promises the data survives a power cut
        self.db.execute("PRAGMA secure_delete=ON")  # a replaced row's old bytes are zeroed, not left in free pages
        schema.ensure(self.db)
        self._shared: BatchSealer | None = None  # see sealer()
        self._shared_since, self._shared_batches = 0.0, 0


    # -- sealing -----------------------------------------------------------------
    def sealer(self) -> tuple[int, BatchSealer]:
        """A new batch (call inside the writer's transaction): its own id, which every
        blob of the batch is bound to, under this writer's current batch key.

        One key serves a writer's merges for up to KEY_LIFETIME_S and KEY_BATCHES: a
        station sends a bundle every night, so a city's year is ~70 000 merges, and a
        reader unwrapping a key per merge (HPKE, ~60-75 µs) spent ~5 s of a whole-year
        report and as much of `hq clusters` on it. A batch's rows still carry the key's
        wrap (the same bytes), and the Opener unwraps each distinct wrap once. The
        records public key is read here, under the writer's lock, each time: staff may
        have replaced it (an officer removed) since this process started, and the next
        batch then takes a new key wrapped to the new one."""
        from ..domain.timeutil import iso, now

        public = records_key.public(self.home)
        s = self._shared
        if (s is None or self._shared_batches >= KEY_BATCHES
                or time.monotonic() - self._shared_since > KEY_LIFETIME_S
                or s.to.public_bytes_raw() != public.public_bytes_raw()):
            s = self._shared = BatchSealer(public)
            self._shared_since, self._shared_batches = time.monotonic(), 0
        self._shared_batches += 1
        cur = self.db.execute("INSERT INTO seal_keys (wrapped, made_at) VALUES (?, ?)", (s.wrapped, iso(now())))
        assert cur.lastrowid is not None  # set by the INSERT just made
        return cur.lastrowid, s

    def opener(self, keys: list[X25519PrivateKey]) -> Opener:
        def wrapped(batch: int) -> bytes | None:
            row = self.db.execute("SELECT wrapped FROM seal_keys WHERE id=?", (batch,)).fetchone()
            return row[0] if row else None
        return Opener(keys, wrapped)

    def new_batch(self) -> tuple[int, BatchSealer]:
        """A batch of its own, committed: for a bundle kept in processed/ or quarantine/."""
        with self.writing(), self.db:
            self.db.execute("BEGIN IMMEDIATE")
            return self.sealer()

    def rewrap_batches(self, old: list[X25519PrivateKey], new: X25519PublicKey) -> int:
        """Every batch key rewrapped to a new records key, in one transaction; batches
        that shared a key share its new wrap (one HPKE each way per key). Returns how
        many keys were rewrapped."""
        with self.writing(), self.db:
            self.db.execute("BEGIN IMMEDIATE")
            rows = self.db.execute("SELECT id, wrapped FROM seal_keys").fetchall()
            new_wrap = {w: records_key.rewrap(w, old, new) for w in {w for _, w in rows}}
            self.db.executemany("UPDATE seal_keys SET wrapped=? WHERE id=?", [(new_wrap[w], i) for i, w in rows])
        return len(new_wrap)

    def seal_plain_rows(self) -> int:
        """Rows written before the office sealed (a plain `doc`, no `sealed`): split and
        sealed now, then the file compacted so no page keeps the old bytes."""
        with self.writing():
            with self.db:
                self.db.execute("BEGIN IMMEDIATE")
                batch, s = self.sealer()
                n = 0
                for table in ("records", "conflicts"):
                    rows = self.db.execute(f"SELECT rowid, doc FROM {table} WHERE sealed IS NULL").fetchall()
                    kept = []
                    for rowid, doc in rows:
                        record = orjson.loads(doc)
                        clear, sealed, _ = stored_form(record, s)
                        self.db.execute(f"UPDATE {table} SET doc=?, sealed=?, batch=? WHERE rowid=?",
                                        (clear, sealed, batch, rowid))
                        kept.append(record)
                    if table == "records":
                        rows = written(kept, [(r.get("id"), None, r.get("version")) for r in kept])
                        merge_indexes.store(self.db, batch, s, rows)
                    n += len(rows)
            if n:
                self.db.execute("VACUUM")
                self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return n

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """One read transaction: every read inside sees the same state of the office,
        however many merges another process commits meanwhile (in WAL they do not wait
        for it, nor it for them). A report's or a status's figures are separate queries:
        without it, a bundle merged between two of them showed in one and not the other."""
        if self.db.in_transaction:  # the caller's transaction is already one state
            yield
            return
        self.db.execute("BEGIN")
        try:
            yield
        finally:
            if self.db.in_transaction:  # a failed statement may have ended it already
                self.db.execute("COMMIT")  # only reads were made: nothing to keep or undo

    @contextmanager
    def writing(self) -> Iterator[None]:
        """One writer at the office (see lock.py); SQLite's "database is locked" from a
        writer outside the lock file means the same thing: busy, not a bug."""
        with office_lock(self.home, self.wait):
            try:
                yield
            except sqlite3.OperationalError as e:
                if "locked" in str(e) or "busy" in str(e):
                    raise OfficeBusy(busy_message(self.wait)) from None
                raise

    # -- stations ----------------------------------------------------------------
    def enroll(self, station: str, key_b64: str, replace: bool = False) -> tuple[str, str | None]:
        """Enroll or re-key a station; returns (what happened, the key it had). The
        policy (refuse a silent swap, or one key for two stations) is enroll.py's."""
        from ..domain.timeutil import iso, now
        from .enroll import decide

        with self.writing(), self.db:  # the connection as context: COMMIT, or ROLLBACK on any error
            self.db.execute("BEGIN IMMEDIATE")
            old = self.station_key(station)
            holder = self.db.execute("SELECT station FROM stations WHERE ed25519=?1 AND station<>?2 UNION "
                                     "SELECT station FROM revoked_keys WHERE ed25519=?1 AND station<>?2",
                                     (key_b64, station)).fetchone()
            what = decide(station, old, key_b64, holder[0] if holder else None, replace)
            at = iso(now())
            if what == "replaced":
                self.db.execute("INSERT INTO revoked_keys SELECT station, ed25519, enrolled_at, ?, ? "
                                "FROM stations WHERE station=?", (at, key_b64, station))
            if what != "same":
                self.db.execute("INSERT INTO stations VALUES (?,?,?) ON CONFLICT(station) DO UPDATE SET "
                                "ed25519=excluded.ed25519, enrolled_at=excluded.enrolled_at", (station, key_b64, at))
        return what, old

    def station_key(self, station: str) -> str | None:
        row = self.db.execute("SELECT ed25519 FROM stations WHERE station=?", (station,)).fetchone()
        return row[0] if row else None

