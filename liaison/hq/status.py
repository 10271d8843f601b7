"""What `hq status` and the report say of each station: bundles, gaps, counts.

One mechanism for every caller: `sync_rows` counts in grouped queries, over all
stations or filtered to one; `status_rows` adds what only `hq status` shows."""

from __future__ import annotations

from collections import Counter
from typing import Any, Iterable

from . import tally_weeks
from .audit_store import Auditing, unaudited

# `hq status --json` prints the rows as they are: its key order is part of the output
STATUS_KEYS = ("station", "enrolled", "last_bundle", "last_received_at", "bundles", "gaps", "records", "deleted",
               "conflicts", "foreign", "foreign_records", "audit")


def _only(column: str, station: str | None) -> tuple[str, tuple[str, ...]]:
    """The condition and parameters that narrow a query to one station (none: all)."""
    return (f"{column}=?", (station,)) if station is not None else ("1", ())


def _missing(numbers: Iterable[int]) -> list[int]:
    """The bundle numbers below the highest that never arrived."""
    have = set(numbers)
    return [n for n in range(1, max(have, default=0)) if n not in have]


class Status(Auditing):
    def gaps(self, station: str) -> list[int]:
        # ingest asks after every run: the bundles alone, not the counts
        return _missing(r[0] for r in self.db.execute("SELECT number FROM bundles WHERE station=?", (station,)))

    def stations(self) -> list[str]:
        return [r[0] for r in self.db.execute(
            "SELECT station FROM stations UNION SELECT station FROM bundles ORDER BY 1")]

    def _kept(self, station: str | None) -> Counter[str]:
        """Records not deleted, per station."""
        q = self.db.execute
        kept: Counter[str] = Counter()
        if station is not None:
            # one station's few thousand rows through records_station: a seek, where the
            # report's index (week first) would be read whole
            kept.update(dict(q("SELECT station, count(*) FROM records WHERE station=? AND deleted=0 "
                               "GROUP BY station", (station,)).fetchall()))
            return kept
        # all stations: the tallied rows from the report's weekly counts (tally_weeks,
        # kept with the records: ~72 000 groups for a city's year, where counting its
        # 600 000 rows on the covering index took 0.14 s of every report); the rare
        # untallied rows through their partial index.
        kept.update(dict(q(f"SELECT station, sum(visits) FROM {tally_weeks.TABLE} GROUP BY station").fetchall()))
        kept.update(dict(q("SELECT station, count(*) FROM records INDEXED BY records_untallied "
                           "WHERE deleted=0 AND tallied IS NOT 1 GROUP BY station").fetchall()))
        return kept

    def sync_rows(self, station: str | None = None) -> list[dict[str, Any]]:
        """The sync figures (station, enrolled, last_bundle, last_received_at, bundles,
        gaps, records, conflicts, audit) of every station, or of `station` alone (zeros
        for one the office has never heard of), in a few grouped queries."""
        with self.snapshot():
            return self._sync_rows(station)

    def _sync_rows(self, station: str | None) -> list[dict[str, Any]]:
        q = self.db.execute
        where, args = _only("station", station)
        keys = {r[0] for r in q(f"SELECT station FROM stations WHERE {where}", args)}
        # Per station from the (station, number) key: a city's year is ~70 000 bundles,
        # and listing them all for the gaps took 0.17 s of every report. A station's
        # numbers are listed only when some below its highest are missing.
        bundles: dict[str, int] = {}
        last: dict[str, tuple[int, str]] = {}
        gaps: dict[str, list[int]] = {}
        for st, n, present, number, at in q(
                "SELECT b.station, m.n, m.present, b.number, b.received_at FROM (SELECT station, max(number) AS top, "
                f"count(*) AS n, count(*) FILTER (WHERE number >= 1) AS present FROM bundles WHERE {where} "
                "GROUP BY station) m JOIN bundles b ON b.station=m.station AND b.number=m.top", args):
            bundles[st], last[st] = n, (number, at)
            if present < number:
                gaps[st] = self.gaps(st)
        kept = self._kept(station)
        conflicts = dict(q(f"SELECT station, count(*) FROM conflicts WHERE {where} GROUP BY station", args).fetchall())
        audits = self.audit_statuses(station)
        out = []
        for st in self.stations() if station is None else [station]:
            number, at = last.get(st, (0, None))
            out.append({"station": st, "enrolled": st in keys, "last_bundle": number, "last_received_at": at,
                        "bundles": bundles.get(st, 0), "gaps": gaps.get(st, []),
                        "records": kept.get(st, 0), "conflicts": conflicts.get(st, 0),
                        "audit": audits.get(st) or unaudited()})
        return out

    def status_rows(self, station: str | None = None) -> list[dict[str, Any]]:
        """`sync_rows` and what `hq status` adds: deleted records, and the records a
        station sent that belong to another (each names both)."""
        q = self.db.execute
        with self.snapshot():
            rows = self._sync_rows(station)
            where, args = _only("station", station)
            # every row is in records_station: its covering scan, less those kept
            total = dict(q(f"SELECT station, count(*) FROM records WHERE {where} GROUP BY station", args).fetchall())
            where, args = _only("sender", station)
            foreign: dict[str, list[dict[str, Any]]] = {}
            for sender, rid, owner, bundle, version, at in q(
                    f"SELECT sender, id, owner, bundle, version, found_at FROM foreign_records WHERE {where} "
                    "ORDER BY rowid", args):
                foreign.setdefault(sender, []).append(
                    {"id": rid, "owner": owner, "bundle": bundle, "version": version, "found_at": at})
        out = []
        for row in rows:
            st, sent = row["station"], foreign.get(row["station"], [])
            extra = {"deleted": total.get(st, 0) - row["records"], "foreign": len(sent), "foreign_records": sent}
            out.append({k: row[k] if k in row else extra[k] for k in STATUS_KEYS})
        return out

    def station_status(self, station: str) -> dict[str, Any]:
        return self.status_rows(station)[0]
