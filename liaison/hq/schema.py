"""office.db's tables, and what an office.db made by an older version gets added."""

from __future__ import annotations

import sqlite3

import orjson

from . import cluster_view, merge_indexes, referral_view, tally_weeks
from .visits import COLUMNS as TALLY_COLUMNS
from .visits import DONE_SQL, OPEN_SQL, derived

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


def ensure(db: sqlite3.Connection) -> None:
    """The tables, made if new; an older file migrated in place."""
    db.executescript(SCHEMA)
    merge_indexes.ensure(db)
    db.execute(referral_view.VIEW.schema())
    db.execute(cluster_view.schema())
    _add_columns(db)


def _add_columns(db: sqlite3.Connection) -> None:
    """An office.db from before sealing: its tables get the sealed columns (its plain
    rows are sealed by `seal_plain_rows` when staff are set up). An office.db from
    before the report counted in SQLite: records get the tallied columns
    (visits.COLUMNS), its rows filled once from their clear parts."""
    for table in ("records", "conflicts"):
        have = {r[1] for r in db.execute(f"PRAGMA table_info({table})")}
        for col, kind in (("sealed", "BLOB"), ("batch", "INTEGER")):
            if col not in have:
                db.execute(f"ALTER TABLE {table} ADD COLUMN {col} {kind}")
    have = {r[1] for r in db.execute("PRAGMA table_info(records)")}
    if "tallied" not in have:
        _add_tally_columns(db)
    elif "ref" not in have:
        _add_ref_column(db)
    # The report's counts read this index alone (a tenth of the table's pages), in
    # week order so GROUP BY needs no sort and a period seeks its weeks; the rare
    # untallied rows are found without a scan.
    db.execute("CREATE INDEX IF NOT EXISTS records_tally ON records(week, station, category, day, party, "
                    "visited_at, status, resolve_days, follow_up_on, deleted, tallied) WHERE deleted=0 AND tallied=1")
    db.execute("CREATE INDEX IF NOT EXISTS records_untallied ON records(id) WHERE tallied IS NOT 1")
    # A long period's referrals: the rows merge by merge (hq.referral_index), read
    # from this index alone instead of scanning the table (its sealed parts are most
    # of the file).
    db.execute("CREATE INDEX IF NOT EXISTS records_refs ON records(batch, id, version, day, status) "
                    "WHERE deleted=0 AND tallied=1")
    # The overdue list: the open follow-ups alone (a tenth of the rows), by due day, with
    # what the list shows, so the clear parts are not read (Reads.tally_overdue).
    db.execute("CREATE INDEX IF NOT EXISTS records_overdue ON records(follow_up_on, day, station, category, status, "
               f"id, ref) WHERE deleted=0 AND tallied=1 AND follow_up_on IS NOT NULL AND {OPEN_SQL}")
    # The resolution medians: resolved rows sorted by their days, per station and in all,
    # so a median is read where it lies (Reads.tally_medians).
    resolved = f"WHERE deleted=0 AND tallied=1 AND status IN {DONE_SQL} AND resolve_days IS NOT NULL"
    db.execute(f"CREATE INDEX IF NOT EXISTS records_resolved ON records(station, resolve_days, day) {resolved}")
    db.execute(f"CREATE INDEX IF NOT EXISTS records_resolved_all ON records(resolve_days, day) {resolved}")
    tally_weeks.ensure(db)  # after the columns and the index its triggers seek


def _add_ref_column(db: sqlite3.Connection) -> None:
    """An office.db from before the overdue list had its index: records get `ref`, filled
    for the open follow-ups that list reads (another row's stays NULL, and is read from
    its clear part if it is ever listed)."""
    with db:
        db.execute("BEGIN IMMEDIATE")
        if "ref" in {r[1] for r in db.execute("PRAGMA table_info(records)")}:
            return  # another process migrated it while we waited
        db.execute("ALTER TABLE records ADD COLUMN ref TEXT")
        rows = db.execute("SELECT rowid, doc FROM records WHERE deleted=0 AND tallied=1 AND follow_up_on IS NOT NULL "
                          f"AND {OPEN_SQL}").fetchall()
        db.executemany("UPDATE records SET ref=? WHERE rowid=?",
                       [(ref if type(ref := orjson.loads(doc).get("ref")) is str else None, rowid)
                        for rowid, doc in rows])


def _add_tally_columns(db: sqlite3.Connection) -> None:
    with db:  # columns and their values in one transaction: a crash leaves neither
        db.execute("BEGIN IMMEDIATE")
        if "tallied" in {r[1] for r in db.execute("PRAGMA table_info(records)")}:
            return  # another process migrated it while we waited
        for col, kind in TALLY_COLUMNS:
            db.execute(f"ALTER TABLE records ADD COLUMN {col} {kind}")
        sets = ", ".join(f"{c}=?" for c, _ in TALLY_COLUMNS)
        last = -1 << 63
        # in rowid slices: no read cursor stays open over the rows being updated
        while rows := db.execute("SELECT rowid, station, doc FROM records WHERE rowid > ? ORDER BY rowid "
                                      "LIMIT 10000", (last,)).fetchall():
            db.executemany(f"UPDATE records SET {sets} WHERE rowid=?",
                                [(*derived(orjson.loads(doc), station), rowid) for rowid, station, doc in rows])
            last = rows[-1][0]

