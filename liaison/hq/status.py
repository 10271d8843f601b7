"""What `hq status` and the report say of each station: bundles, gaps, counts."""

from __future__ import annotations

from collections import Counter
from typing import Any

from .audit_store import Auditing


class Status(Auditing):
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
        kept: Counter[str] = Counter()
        # the covering report index for tallied rows, grouped in its own (week, station)
        # order, which needs no sort of 600 000 rows, then summed here; the partial index
        # for the rare others
        for st, n in q("SELECT station, count(*) FROM records INDEXED BY records_tally "
                       "WHERE deleted=0 AND tallied=1 GROUP BY week, station"):
            kept[st] += n
        kept.update(dict(q("SELECT station, count(*) FROM records INDEXED BY records_untallied "
                           "WHERE deleted=0 AND tallied IS NOT 1 GROUP BY station").fetchall()))
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

