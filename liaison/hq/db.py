"""The office's SQLite store and the merge rule.

One transaction per bundle: the records it changes, the conflicts it raises, and the
row that says "bundle N of station S, digest D, was ingested, here is its receipt" are
committed together (synchronous=FULL), and the receipt is only handed out after the
commit. So a crash at any point either ingested the bundle completely, receipt
included, or not at all; a bundle seen again is a replay and gets the stored receipt.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections import Counter
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterator

import orjson
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from ..domain.personal import CLUE_KEYS, PERSONAL_KEYS, VISITOR_KEYS, join_into
from ..domain.vocab import DONE_STATUSES
from ..security import records_key
from ..security.errors import SealBroken
from ..security.records_key import BatchSealer, Opener
from ..sync.bundle import BundleRejected, canonical
from . import audit_chain, referral_index
from .lock import OfficeBusy, busy_message, lock_wait, office_lock
from .visits import COLUMNS as TALLY_COLUMNS
from .visits import derived, iso_week

SCHEMA = """
CREATE TABLE IF NOT EXISTS stations (station TEXT PRIMARY KEY, ed25519 TEXT NOT NULL, enrolled_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS revoked_keys (
  station TEXT NOT NULL, ed25519 TEXT NOT NULL, enrolled_at TEXT NOT NULL, revoked_at TEXT NOT NULL,
  replaced_by TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
  id TEXT PRIMARY KEY, station TEXT NOT NULL, version INTEGER NOT NULL, hash TEXT NOT NULL,
  deleted INTEGER NOT NULL, visited_at TEXT, doc BLOB NOT NULL, sealed BLOB, batch INTEGER);
CREATE INDEX IF NOT EXISTS records_station ON records(station, visited_at);
CREATE TABLE IF NOT EXISTS conflicts (
  id TEXT NOT NULL, station TEXT NOT NULL, version INTEGER NOT NULL, hash TEXT NOT NULL,
  bundle INTEGER NOT NULL, doc BLOB NOT NULL, sealed BLOB, batch INTEGER, UNIQUE (id, version, hash));
CREATE TABLE IF NOT EXISTS seal_keys (id INTEGER PRIMARY KEY, wrapped BLOB NOT NULL, made_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS audit (
  station TEXT NOT NULL, n INTEGER NOT NULL, hash TEXT NOT NULL, at TEXT, action TEXT, bundle INTEGER NOT NULL,
  entry BLOB NOT NULL, PRIMARY KEY (station, n));
CREATE TABLE IF NOT EXISTS audit_breaks (
  station TEXT NOT NULL, n INTEGER NOT NULL, kind TEXT NOT NULL, reason TEXT NOT NULL, bundle INTEGER NOT NULL,
  found_at TEXT NOT NULL, key TEXT NOT NULL, UNIQUE (station, key));
CREATE TABLE IF NOT EXISTS bundles (
  station TEXT NOT NULL, number INTEGER NOT NULL, digest TEXT NOT NULL, received_at TEXT NOT NULL,
  count INTEGER NOT NULL, receipt BLOB NOT NULL, PRIMARY KEY (station, number));
CREATE TABLE IF NOT EXISTS foreign_records (
  id TEXT NOT NULL, owner TEXT NOT NULL, sender TEXT NOT NULL, bundle INTEGER NOT NULL, version INTEGER NOT NULL,
  found_at TEXT NOT NULL, UNIQUE (id, sender, bundle));
"""
FORK_MESSAGE = ("{station} 的第 {number} 号数据包已收过另一份不同内容的（站点数据可能被重装）"
                "(bundle {number} of {station} was already ingested with different content: station reinstalled?)")
INSERT_RECORD = (f"INSERT OR REPLACE INTO records (id, station, version, hash, deleted, visited_at, doc, sealed, batch, "
                 f"{', '.join(c for c, _ in TALLY_COLUMNS)}) VALUES ({','.join('?' * (9 + len(TALLY_COLUMNS)))})")
_DONE = "(" + ",".join(f"'{x}'" for x in sorted(DONE_STATUSES)) + ")"  # fixed codes, no quotes in them
CHUNK = 500  # ids per SELECT … IN (…): under SQLite's variable limit
BULK = 5_000  # more ids than this: read the (id, version, hash) columns once instead
# Page cache for a merge, in KiB: a night's bundle inserts at random places in three
# indexes (id, station/visit, the report's tally) about 10 MB large at 50 000 records;
# SQLite's default 2 MB cache read those pages again and again (merge CPU 1.26 s -> 0.73 s
# for the same rows). Pages are taken only as used, and given back after the merge.
MERGE_CACHE_KIB = 64 * 1024


def content_hash(record: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(record)).hexdigest()


_NESTED = (("visitor", VISITOR_KEYS), ("clue", CLUE_KEYS))
_ABSENT = object()


def _parts(record: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """personal.split, for the merge's 50 000 records in half the time: the same parts
    (tests/hq/test_merge_fast.py); a `visitor` or `clue` with nothing personal in it is
    shared with the record, not copied (the clear part is only serialised)."""
    clear, personal = dict(record), {}
    pop = clear.pop
    for k in PERSONAL_KEYS:
        if (v := pop(k, _ABSENT)) is not _ABSENT:
            personal[k] = v
    for outer, inner in _NESTED:
        part = clear.get(outer)
        if isinstance(part, dict):
            taken = None
            for k in inner:
                if k in part:
                    if taken is None:
                        taken, part = {}, dict(part)
                        clear[outer] = part
                    taken[k] = part.pop(k)
            if taken:
                personal[outer] = taken
    return clear, personal


def sealed_parts(record: dict[str, Any], sealer: BatchSealer) -> tuple[bytes, bytes]:
    """(the clear part kept, the personal part sealed, bound to the record's id and version)."""
    clear, personal = _parts(record)
    return canonical(clear), sealer.seal(personal, records_key.record_aad(record["id"], record["version"]))


def _stored_row(r: dict[str, Any], station: str, version: int, h: str, sealer: BatchSealer, batch: int) -> tuple:
    """The records row of an accepted record (INSERT_RECORD's order), in one call."""
    clear, personal = _parts(r)
    return (r["id"], station, version, h, int(bool(r.get("deleted"))), r.get("visited_at"), canonical(clear),
            sealer.seal(personal, records_key.record_aad(r["id"], version)), batch, *derived(r, station))


def stored_form(record: dict[str, Any], sealer: BatchSealer) -> tuple[bytes, bytes, str]:
    """(the clear part kept, the personal part sealed, the whole record's hash). The hash
    is over every field, so a same-version resend is told from a conflict; guessing a
    resident's name from it would take guessing the whole summary with it."""
    return (*sealed_parts(record, sealer), content_hash(record))


class OfficeDB:
    def __init__(self, path: Path):
        self.home, self.wait = Path(path).parent, lock_wait()
        # SQLite's own wait matches ours: a writer outside the lock file is waited for as long.
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=self.wait)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")  # a receipt promises the data survives a power cut
        self.db.execute("PRAGMA secure_delete=ON")  # a replaced row's old bytes are zeroed, not left in free pages
        self.db.executescript(SCHEMA)
        self.db.execute(referral_index.SCHEMA)
        self._add_columns()

    def _add_columns(self) -> None:
        """An office.db from before sealing: its tables get the sealed columns (its plain
        rows are sealed by `seal_plain_rows` when staff are set up). An office.db from
        before the report counted in SQLite: records get the tallied columns
        (visits.COLUMNS), its rows filled once from their clear parts."""
        for table in ("records", "conflicts"):
            have = {r[1] for r in self.db.execute(f"PRAGMA table_info({table})")}
            for col, kind in (("sealed", "BLOB"), ("batch", "INTEGER")):
                if col not in have:
                    self.db.execute(f"ALTER TABLE {table} ADD COLUMN {col} {kind}")
        if "tallied" not in {r[1] for r in self.db.execute("PRAGMA table_info(records)")}:
            self._add_tally_columns()
        # The report's counts read this index alone (a tenth of the table's pages), in
        # week order so GROUP BY needs no sort and a period seeks its weeks; the rare
        # untallied rows are found without a scan.
        self.db.execute("CREATE INDEX IF NOT EXISTS records_tally ON records(week, station, category, day, party, "
                        "visited_at, status, resolve_days, follow_up_on, deleted, tallied) WHERE deleted=0 AND tallied=1")
        self.db.execute("CREATE INDEX IF NOT EXISTS records_untallied ON records(id) WHERE tallied IS NOT 1")
        # A long period's referrals: the rows merge by merge (hq.referral_index), read
        # from this index alone instead of scanning the table (its sealed parts are most
        # of the file).
        self.db.execute("CREATE INDEX IF NOT EXISTS records_refs ON records(batch, id, version, day, status) "
                        "WHERE deleted=0 AND tallied=1")

    def _add_tally_columns(self) -> None:
        with self.db:  # columns and their values in one transaction: a crash leaves neither
            self.db.execute("BEGIN IMMEDIATE")
            if "tallied" in {r[1] for r in self.db.execute("PRAGMA table_info(records)")}:
                return  # another process migrated it while we waited
            for col, kind in TALLY_COLUMNS:
                self.db.execute(f"ALTER TABLE records ADD COLUMN {col} {kind}")
            sets = ", ".join(f"{c}=?" for c, _ in TALLY_COLUMNS)
            last = -1 << 63
            # in rowid slices: no read cursor stays open over the rows being updated
            while rows := self.db.execute("SELECT rowid, station, doc FROM records WHERE rowid > ? ORDER BY rowid "
                                          "LIMIT 10000", (last,)).fetchall():
                self.db.executemany(f"UPDATE records SET {sets} WHERE rowid=?",
                                    [(*derived(orjson.loads(doc), station), rowid) for rowid, station, doc in rows])
                last = rows[-1][0]

    # -- sealing -----------------------------------------------------------------
    def sealer(self) -> tuple[int, BatchSealer]:
        """A new batch key, its wrap stored (call inside the writer's transaction). The
        records public key is read here, under the writer's lock, each time: staff may
        have replaced it (an officer removed) since this process started."""
        from ..domain.timeutil import iso, now

        s = BatchSealer(records_key.public(self.home))
        cur = self.db.execute("INSERT INTO seal_keys (wrapped, made_at) VALUES (?, ?)", (s.wrapped, iso(now())))
        return int(cur.lastrowid), s

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
        """Every batch key rewrapped to a new records key, in one transaction."""
        with self.writing(), self.db:
            self.db.execute("BEGIN IMMEDIATE")
            rows = self.db.execute("SELECT id, wrapped FROM seal_keys").fetchall()
            self.db.executemany("UPDATE seal_keys SET wrapped=? WHERE id=?",
                                [(records_key.rewrap(w, old, new), i) for i, w in rows])
        return len(rows)

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
                        referral_index.store(self.db, batch, s, kept,
                                             [(r.get("id"), None, r.get("version")) for r in kept])
                    n += len(rows)
            if n:
                self.db.execute("VACUUM")
                self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return n

    def close(self) -> None:
        self.db.close()

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

    # -- ingest ------------------------------------------------------------------
    def seen(self, station: str, number: int) -> tuple[str, bytes] | None:
        row = self.db.execute("SELECT digest, receipt FROM bundles WHERE station=? AND number=?",
                              (station, number)).fetchone()
        return (row[0], row[1]) if row else None

    def _current(self, ids: list[str]) -> dict[str, tuple[int, str, str]]:
        """id -> (version, hash, owning station) of the records already kept."""
        if len(ids) > BULK:
            # A big bundle (a first export, a re-install): one pass over the table is
            # cheaper than a hundred IN (…) lookups, and ids are unique across stations.
            wanted = set(ids)
            return {r[0]: (r[1], r[2], r[3]) for r in self.db.execute("SELECT id, version, hash, station FROM records")
                    if r[0] in wanted}
        out = {}
        for i in range(0, len(ids), CHUNK):
            part = ids[i:i + CHUNK]
            q = f"SELECT id, version, hash, station FROM records WHERE id IN ({','.join('?' * len(part))})"
            out.update((r[0], (r[1], r[2], r[3])) for r in self.db.execute(q, part))
        return out

    def merge(self, station: str, number: int, digest: str, received_at: str, records: list[dict[str, Any]],
              make_receipt: Callable[[Counter], bytes], audit: list[Any] = (),
              foreign: list[dict[str, Any]] | None = None) -> tuple[Counter, bytes]:
        """Merge one verified bundle and the audit entries it carries; returns the counts
        (records, plus `audit` entries kept and `audit_breaks` found) and the (committed) receipt.

        A record id belongs to the station that first sent it: another station's key
        proves nothing about it, so such a record is refused on its own, appended to
        `foreign` (which may already hold the records that named another station) and
        kept in foreign_records for `hq status`. Raises OfficeBusy if another writer
        holds the office past our wait."""
        with self.writing():
            before = self.db.execute("PRAGMA cache_size").fetchone()[0]
            self.db.execute(f"PRAGMA cache_size={-MERGE_CACHE_KIB}")
            try:
                return self._merge(station, number, digest, received_at, records, make_receipt, audit,
                                   [] if foreign is None else foreign)
            finally:
                self.db.execute(f"PRAGMA cache_size={int(before)}")

    def _merge(self, station: str, number: int, digest: str, received_at: str, records: list[dict[str, Any]],
               make_receipt: Callable[[Counter], bytes], audit: list[Any],
               foreign: list[dict[str, Any]]) -> tuple[Counter, bytes]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            prior = self.seen(station, number)
            if prior is not None:  # raced with another ingest of the same bundle
                self.db.execute("ROLLBACK")
                if prior[0] != digest:
                    raise BundleRejected("fork", FORK_MESSAGE.format(station=station, number=number))
                return Counter(replay=1), prior[1]
            counts: Counter = Counter()
            have = self._current([r["id"] for r in records])
            upserts, conflicts = [], []
            batch, sealer = self.sealer()
            accepted = stale = duplicates = 0
            sha256, dumps, SORTED, row = hashlib.sha256, orjson.dumps, orjson.OPT_SORT_KEYS, _stored_row
            for r in records:
                rid, version = r["id"], r["version"]
                old = have.get(rid)
                if old is not None and old[2] != station:
                    foreign.append({"id": rid, "owner": old[2], "sender": station, "version": version})
                    continue
                if old is not None and version < old[0]:
                    stale += 1  # nothing of it is kept: not serialised, not sealed
                    continue
                h = sha256(dumps(r, option=SORTED)).hexdigest()  # content_hash, inline
                if old is None or version > old[0]:
                    accepted += 1
                    upserts.append(row(r, station, version, h, sealer, batch))
                    have[rid] = (version, h, station)
                elif h == old[1]:
                    duplicates += 1  # a resend: the kept row is this record already
                else:
                    conflicts.append((rid, station, version, h, number, *sealed_parts(r, sealer), batch))
            counts.update({k: n for k, n in (("accepted", accepted), ("stale", stale), ("duplicates", duplicates),
                                             ("conflicts", len(conflicts))) if n})
            self.db.executemany(INSERT_RECORD, upserts)
            referral_index.store(self.db, batch, sealer, records, upserts)
            self.db.executemany("INSERT OR IGNORE INTO conflicts VALUES (?,?,?,?,?,?,?,?)", conflicts)
            self.db.executemany("INSERT OR IGNORE INTO foreign_records VALUES (?,?,?,?,?,?)", [
                (f["id"], f["owner"], station, number, f["version"], received_at) for f in foreign])
            counts["foreign"] = len(foreign)
            if audit:
                self._take_audit(station, number, received_at, audit, counts)
            rec = make_receipt(counts)
            self.db.execute("INSERT INTO bundles VALUES (?,?,?,?,?,?)",
                            (station, number, digest, received_at, len(records), rec))
            self.db.execute("COMMIT")
            return counts, rec
        except BaseException:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise

    def _take_audit(self, station: str, number: int, received_at: str, entries: list[Any], counts: Counter) -> None:
        """Store a batch of the station's audit entries and any break in their chain
        (inside the bundle's transaction: a replayed bundle adds nothing twice)."""
        q = self.db.execute
        head = q("SELECT n, hash FROM audit WHERE station=? ORDER BY n DESC LIMIT 1", (station,)).fetchone()

        def stored(n: int) -> str | None:
            row = q("SELECT hash FROM audit WHERE station=? AND n=?", (station, n)).fetchone()
            return row[0] if row else None

        got = audit_chain.check(entries, tuple(head) if head else (0, audit_chain.GENESIS), stored)
        self.db.executemany("INSERT OR IGNORE INTO audit VALUES (?,?,?,?,?,?,?)", [
            (station, n, h, str(e.get("at", "")), str(e.get("action", "")), number, canonical(e))
            for n, h, e in got.rows])
        before = self.db.total_changes
        self.db.executemany("INSERT OR IGNORE INTO audit_breaks VALUES (?,?,?,?,?,?,?)", [
            (station, b["n"], b["kind"], b["reason"], number, received_at, b["key"]) for b in got.breaks])
        counts["audit"] += len(got.rows)
        counts["audit_breaks"] += self.db.total_changes - before
        if any(n <= (head[0] if head else 0) for n, _, _ in got.rows):
            self._close_filled_holes(station)

    def _close_filled_holes(self, station: str) -> None:
        """A late bundle brought what a `missing` break was about: the break goes."""
        q = self.db.execute

        def entry(n: int) -> tuple[str, str] | None:
            row = q("SELECT hash, entry FROM audit WHERE station=? AND n=?", (station, n)).fetchone()
            return (row[0], str(orjson.loads(row[1]).get("prev"))) if row else None

        def after(h16: str) -> int | None:
            row = q("SELECT n FROM audit WHERE station=? AND substr(hash, 1, 16)=?", (station, h16)).fetchone()
            return row[0] - 1 if row else None

        for (key,) in q("SELECT key FROM audit_breaks WHERE station=? AND kind='missing'", (station,)).fetchall():
            if audit_chain.filled(key, entry, after):
                q("DELETE FROM audit_breaks WHERE station=? AND key=?", (station, key))

    def audit_status(self, station: str) -> dict[str, Any]:
        q = self.db.execute
        head = q("SELECT n, hash, at FROM audit WHERE station=? ORDER BY n DESC LIMIT 1", (station,)).fetchone()
        breaks = [{"n": r[0], "kind": r[1], "reason": r[2], "bundle": r[3], "found_at": r[4]} for r in q(
            "SELECT n, kind, reason, bundle, found_at FROM audit_breaks WHERE station=? ORDER BY rowid", (station,))]
        return {"entries": q("SELECT count(*) FROM audit WHERE station=?", (station,)).fetchone()[0],
                "head": head[0] if head else 0, "head_hash": head[1] if head else audit_chain.GENESIS,
                "last_at": head[2] if head else None, "ok": not breaks, "breaks": breaks}

    def audit_entries(self, station: str) -> list[dict[str, Any]]:
        return [orjson.loads(r[0]) for r in self.db.execute(
            "SELECT entry FROM audit WHERE station=? ORDER BY n", (station,))]

    # -- reports -----------------------------------------------------------------
    def gaps(self, station: str) -> list[int]:
        nums = {r[0] for r in self.db.execute("SELECT number FROM bundles WHERE station=?", (station,))}
        return [n for n in range(1, max(nums, default=0)) if n not in nums]

    def stations(self) -> list[str]:
        return [r[0] for r in self.db.execute(
            "SELECT station FROM stations UNION SELECT station FROM bundles ORDER BY 1")]

    def station_status(self, station: str) -> dict[str, Any]:
        q = self.db.execute
        last = q("SELECT number, received_at FROM bundles WHERE station=? ORDER BY number DESC LIMIT 1",
                 (station,)).fetchone()
        return {
            "station": station,
            "enrolled": self.station_key(station) is not None,
            "last_bundle": last[0] if last else 0,
            "last_received_at": last[1] if last else None,
            "bundles": q("SELECT count(*) FROM bundles WHERE station=?", (station,)).fetchone()[0],
            "gaps": self.gaps(station),
            "records": q("SELECT count(*) FROM records WHERE station=? AND deleted=0", (station,)).fetchone()[0],
            "deleted": q("SELECT count(*) FROM records WHERE station=? AND deleted=1", (station,)).fetchone()[0],
            "conflicts": q("SELECT count(*) FROM conflicts WHERE station=?", (station,)).fetchone()[0],
            # records this station sent that belong to another: each names both
            "foreign": q("SELECT count(*) FROM foreign_records WHERE sender=?", (station,)).fetchone()[0],
            "foreign_records": [{"id": r[0], "owner": r[1], "bundle": r[2], "version": r[3], "found_at": r[4]} for r in q(
                "SELECT id, owner, bundle, version, found_at FROM foreign_records WHERE sender=? ORDER BY rowid",
                (station,))],
            "audit": self.audit_status(station),
        }

    def sync_rows(self) -> list[dict[str, Any]]:
        """station_status's sync fields (station, enrolled, bundles, last_bundle,
        last_received_at, gaps, records, conflicts, audit) of every station, in a few
        grouped queries: a report asking station by station counted a city's 600 000
        rows twice over, through table lookups."""
        q = self.db.execute
        keys = {r[0] for r in q("SELECT station FROM stations")}
        numbers: dict[str, list[int]] = {}
        last: dict[str, tuple[int, str]] = {}
        for st, number, at in q("SELECT station, number, received_at FROM bundles"):
            numbers.setdefault(st, []).append(number)
            if st not in last or number > last[st][0]:
                last[st] = (number, at)
        kept: Counter = Counter()
        # the covering report index for tallied rows, the partial one for the rare others
        for sql in ("SELECT station, count(*) FROM records INDEXED BY records_tally "
                    "WHERE deleted=0 AND tallied=1 GROUP BY station",
                    "SELECT station, count(*) FROM records INDEXED BY records_untallied "
                    "WHERE deleted=0 AND tallied IS NOT 1 GROUP BY station"):
            kept.update(dict(q(sql).fetchall()))
        conflicts = dict(q("SELECT station, count(*) FROM conflicts GROUP BY station").fetchall())
        out = []
        for st in self.stations():
            nums = set(numbers.get(st, ()))
            number, at = last.get(st, (0, None))
            out.append({"station": st, "enrolled": st in keys, "last_bundle": number, "last_received_at": at,
                        "bundles": len(numbers.get(st, ())), "gaps": [n for n in range(1, max(nums, default=0))
                                                                       if n not in nums],
                        "records": kept.get(st, 0), "conflicts": conflicts.get(st, 0),
                        "audit": self.audit_status(st)})
        return out

    def records(self, opener: Opener, include_deleted: bool = False,
                station: str | None = None) -> Iterator[dict[str, Any]]:
        """The office's records made whole: needs an unlocked office (`opener`, see
        hq.staff). SealBroken if a sealed part was altered or moved to another row."""
        where = ["1"] if include_deleted else ["r.deleted=0"]
        args: tuple = ()
        if station is not None:
            where.append("r.station=?")
            args = (station,)
        q = ("SELECT r.id, r.version, r.doc, r.sealed, r.batch, k.wrapped FROM records r "
             f"LEFT JOIN seal_keys k ON k.id=r.batch WHERE {' AND '.join(where)} ORDER BY r.visited_at DESC, r.id")
        for rid, version, doc, sealed, batch, wrapped in self.db.execute(q, args):
            record = orjson.loads(doc)
            if sealed is None:
                raise SealBroken(f"记录 {rid} 未加密保存：请运行 liaison hq init --officer <姓名> "
                                 f"(record {rid} is not sealed: run `liaison hq init --officer NAME`)")
            yield join_into(record, opener.open(batch, sealed, records_key.record_aad(rid, version), wrapped))

    # -- reads for reports (no record made whole unless asked) --------------------
    def clear_parts(self, include_deleted: bool = False, since: str | None = None,
                    sealed: bool = True) -> Iterator[tuple[dict[str, Any], bytes | None, int | None]]:
        """(clear part, sealed part, batch) of each record, in no particular order and
        without opening anything: the report's counts need only the clear part, so
        each record's AES-GCM and JSON of its personal part is paid only where a
        figure needs it (`open_personal`). `since` (YYYY-MM-DD): visits on or after
        that day (as `visited_at[:10] >= since`, the clusters' own test). Streamed:
        600 000 rows are never held at once."""
        where = ["1" if include_deleted else "deleted=0"]
        args: list[Any] = []
        if since is not None:
            where.append("visited_at >= ?")  # an ISO string starting with the day sorts at or after it
            args.append(since)
        cols = "doc, sealed, batch" if sealed else "doc, NULL, NULL"
        loads = orjson.loads
        for doc, blob, batch in self.db.execute(f"SELECT {cols} FROM records WHERE {' AND '.join(where)}", args):
            yield loads(doc), blob, batch

    @staticmethod
    def open_personal(opener: Opener, clear: dict[str, Any], blob: bytes | None, batch: int | None) -> dict[str, Any]:
        """The personal part of one row from `clear_parts` (SealBroken as in `records`)."""
        if blob is None:
            rid = clear.get("id")
            raise SealBroken(f"记录 {rid} 未加密保存：请运行 liaison hq init --officer <姓名> "
                             f"(record {rid} is not sealed: run `liaison hq init --officer NAME`)")
        return opener.open(batch, blob, records_key.record_aad(clear["id"], clear["version"]))

    # -- the report's counts, in SQLite (columns from visits.derived) ---------------
    @staticmethod
    def _in_period(start: str | None, end: str | None) -> tuple[str, list[str]]:
        where, args = ["deleted=0", "tallied=1"], []
        # A day's ISO week sorts with it ("2026-W48"): the weeks bound the index's range.
        if start:
            where += ["week >= ?", "day >= ?"]
            args += [iso_week(date.fromisoformat(start)), start]
        if end:
            where += ["week <= ?", "day <= ?"]
            args += [iso_week(date.fromisoformat(end)), end]
        return " AND ".join(where), args

    def tally_groups(self, start: str | None, end: str | None) -> list[tuple[str, str, str, int, int, str]]:
        """(station, category, week, visits, people, latest visited_at) of the period's
        tallied rows (`start`/`end`: YYYY-MM-DD, inclusive, either may be None)."""
        where, args = self._in_period(start, end)
        return self.db.execute("SELECT station, category, week, count(*), sum(party), max(visited_at) FROM records "
                               f"WHERE {where} GROUP BY week, station, category", args).fetchall()

    def first_id(self, station: str, category: str, visited_at: str) -> str:
        """The smallest id among a station's tallied rows of a category visited at that instant."""
        return self.db.execute("SELECT min(id) FROM records WHERE station=? AND visited_at=? AND category=? "
                               "AND deleted=0 AND tallied=1", (station, visited_at, category)).fetchone()[0]

    def tally_referral_rows(self, start: str | None, end: str | None) -> sqlite3.Cursor:
        """(batch, id, version, resolved 0/1) of the period's tallied rows: their
        referrals come from the merge's sealed index (hq.referral_index). A long period
        reads them merge by merge from records_refs; a short one seeks its weeks."""
        if start and end and (date.fromisoformat(end) - date.fromisoformat(start)).days <= 92:
            where, args = self._in_period(start, end)
            return self.db.execute(f"SELECT batch, id, version, status IN {_DONE} FROM records WHERE {where}", args)
        where, args = ["deleted=0", "tallied=1"], []
        for bound, op in ((start, ">="), (end, "<=")):
            if bound:
                where.append(f"day {op} ?")
                args.append(bound)
        return self.db.execute(f"SELECT batch, id, version, status IN {_DONE} FROM records INDEXED BY records_refs "
                               f"WHERE {' AND '.join(where)}", args)

    def sealed_of(self, rid: str) -> tuple[bytes | None, int | None]:
        """(sealed part, batch) of one current row."""
        return self.db.execute("SELECT sealed, batch FROM records WHERE id=?", (rid,)).fetchone()

    def tally_durations(self, start: str | None, end: str | None) -> sqlite3.Cursor:
        """(station, days from visit to last change) of the period's resolved tallied rows."""
        where, args = self._in_period(start, end)
        return self.db.execute(f"SELECT station, resolve_days FROM records WHERE {where} AND status IN {_DONE} "
                               "AND resolve_days IS NOT NULL", args)

    def tally_overdue(self, as_of: str) -> sqlite3.Cursor:
        """(id, station, category, status, follow-up day, visit day, clear part as
        stored) of tallied rows visited by `as_of` whose follow-up was due before it and
        which are not resolved."""
        return self.db.execute(
            "SELECT id, station, category, status, follow_up_on, day, doc FROM records WHERE deleted=0 AND tallied=1 "
            f"AND follow_up_on < ?1 AND day <= ?1 AND (status IS NULL OR status NOT IN {_DONE})", (as_of,))

    def untallied(self) -> Iterator[tuple[dict[str, Any], bytes | None, int | None]]:
        """`clear_parts` of the current rows the SQL counts leave out (`tallied` not 1)."""
        loads = orjson.loads
        for doc, blob, batch in self.db.execute(
                "SELECT doc, sealed, batch FROM records WHERE deleted=0 AND tallied IS NOT 1"):
            yield loads(doc), blob, batch

    def records_since(self, opener: Opener, since: str) -> Iterator[dict[str, Any]]:
        """The current records visited on or after `since` (YYYY-MM-DD) made whole, in no
        particular order: the dashboard's 90 days of clusters open only those."""
        for clear, blob, batch in self.clear_parts(since=since):
            yield join_into(clear, self.open_personal(opener, clear, blob, batch))

    def personal_parts(self, opener: Opener, since: str | None = None) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
        """(clear part, personal part) of each current record, unjoined and in no particular
        order: `hq clusters` keeps a few fields of each as they stream by, so neither the
        join nor the sort of 600 000 whole records is paid (SealBroken as in `records`)."""
        for clear, blob, batch in self.clear_parts(since=since):
            yield clear, self.open_personal(opener, clear, blob, batch)
