"""The stations' audit entries the office keeps, and the breaks in their chains."""

from __future__ import annotations

from collections import Counter
from typing import Any, Sequence

import orjson

from ..sync.bundle import canonical
from . import audit_chain
from .dbconn import OfficeConnection


class Auditing(OfficeConnection):
    def _take_audit(self, station: str, number: int, received_at: str, entries: Sequence[Any], counts: Counter[str]) -> None:
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
        return self.audit_statuses(station).get(station) or unaudited()

    def audit_statuses(self, station: str | None = None) -> dict[str, dict[str, Any]]:
        """`audit_status` of every station with audit entries or breaks (or of `station`
        alone), in two grouped queries: a city's report asks it of 192 stations."""
        q = self.db.execute
        where, args = ("station=?", (station,)) if station is not None else ("1", ())
        heads: dict[str, tuple[int, tuple[int, str, str | None]]] = {}  # station -> (entries, its last entry)
        for st, n, h, at, entries in q(
                "SELECT a.station, a.n, a.hash, a.at, m.entries FROM (SELECT station, max(n) AS n, count(*) AS entries "
                f"FROM audit WHERE {where} GROUP BY station) m JOIN audit a ON a.station=m.station AND a.n=m.n", args):
            heads[st] = (entries, (n, h, at))
        breaks: dict[str, list[dict[str, Any]]] = {}
        for st, *row in q(f"SELECT station, n, kind, reason, bundle, found_at FROM audit_breaks WHERE {where} "
                          "ORDER BY rowid", args):
            breaks.setdefault(st, []).append(dict(zip(("n", "kind", "reason", "bundle", "found_at"), row, strict=True)))
        out = {}
        for st in {*heads, *breaks}:
            entries, head = heads.get(st, (0, None))
            out[st] = _status(entries, head, breaks.get(st, []))
        return out

    def audit_entries(self, station: str) -> list[dict[str, Any]]:
        return [orjson.loads(r[0]) for r in self.db.execute(
            "SELECT entry FROM audit WHERE station=? ORDER BY n", (station,))]


def unaudited() -> dict[str, Any]:
    """The audit status of a station the office holds no audit entry or break of."""
    return _status(0, None, [])


def _status(entries: int, head: tuple[int, str, str | None] | None, breaks: list[dict[str, Any]]) -> dict[str, Any]:
    return {"entries": entries, "head": head[0] if head else 0, "head_hash": head[1] if head else audit_chain.GENESIS,
            "last_at": head[2] if head else None, "ok": not breaks, "breaks": breaks}
