"""The merge rule: one verified bundle into the office's records, in one transaction.

One transaction per bundle: the records it changes, the conflicts it raises, and the
row that says "bundle N of station S, digest D, was ingested, here is its receipt" are
committed together (synchronous=FULL), and the receipt is only handed out after the
commit. So a crash at any point either ingested the bundle completely, receipt
included, or not at all; a bundle seen again is a replay and gets the stored receipt.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any, Callable, Sequence

import orjson

from ..sync.bundle import BundleRejected
from . import merge_indexes, tally_weeks
from .audit_store import Auditing
from .rowform import INSERT_RECORD, groups, sealed_parts, stored_row, written

FORK_MESSAGE = ("{station} 的第 {number} 号数据包已收过另一份不同内容的（站点数据可能被重装）"
                "(bundle {number} of {station} was already ingested with different content: station reinstalled?)")
CHUNK = 500  # ids per SELECT … IN (…): under SQLite's variable limit
BULK = 5_000  # more ids than this: read the (id, version, hash) columns once instead
# Page cache for a merge, in KiB: a night's bundle inserts at random places in three
# indexes (id, station/visit, the report's tally) about 10 MB large at 50 000 records;
# SQLite's default 2 MB cache read those pages again and again (merge CPU 1.26 s -> 0.73 s
# for the same rows). Pages are taken only as used, and given back after the merge.
MERGE_CACHE_KIB = 64 * 1024


class Merging(Auditing):
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
        out: dict[str, tuple[int, str, str]] = {}
        for i in range(0, len(ids), CHUNK):
            part = ids[i:i + CHUNK]
            q = f"SELECT id, version, hash, station FROM records WHERE id IN ({','.join('?' * len(part))})"
            out.update((r[0], (r[1], r[2], r[3])) for r in self.db.execute(q, part))
        return out

    def merge(self, station: str, number: int, digest: str, received_at: str, records: list[dict[str, Any]],
              make_receipt: Callable[[Counter[str]], bytes], audit: Sequence[Any] = (),
              foreign: list[dict[str, Any]] | None = None) -> tuple[Counter[str], bytes]:
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
               make_receipt: Callable[[Counter[str]], bytes], audit: Sequence[Any],
               foreign: list[dict[str, Any]]) -> tuple[Counter[str], bytes]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            prior = self.seen(station, number)
            if prior is not None:  # raced with another ingest of the same bundle
                self.db.execute("ROLLBACK")
                if prior[0] != digest:
                    raise BundleRejected("fork", FORK_MESSAGE.format(station=station, number=number))
                return Counter(replay=1), prior[1]
            counts: Counter[str] = Counter()
            have = self._current([r["id"] for r in records])
            upserts, conflicts, replaced = [], [], []
            batch, sealer = self.sealer()
            accepted = stale = duplicates = 0
            sha256, dumps, SORTED, row = hashlib.sha256, orjson.dumps, orjson.OPT_SORT_KEYS, stored_row
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
                    if old is not None:
                        replaced.append(rid)
                    upserts.append(row(r, station, version, h, sealer, batch))
                    have[rid] = (version, h, station)
                elif h == old[1]:
                    duplicates += 1  # a resend: the kept row is this record already
                else:
                    conflicts.append((rid, station, version, h, number, *sealed_parts(r, sealer), batch))
            counts.update({k: n for k, n in (("accepted", accepted), ("stale", stale), ("duplicates", duplicates),
                                             ("conflicts", len(conflicts))) if n})
            left = tally_weeks.groups_of(self.db, replaced)  # before they are replaced
            self.db.executemany(INSERT_RECORD, upserts)
            tally_weeks.recount(self.db, left | groups(upserts))
            merge_indexes.store(self.db, batch, sealer, written(records, upserts))
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

