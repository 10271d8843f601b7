"""Retention: removing the personal fields of old, closed consultations.

Only what `domain.personal` calls personal goes (the visitor's name and phone, every
free text, the notes' texts, the search keys); the clear fields stay, so counts,
categories, referrals (still sealed) and the record's history of versions are still there. A record
qualifies when it is closed (resolved/closed, or deleted), was visited before the
cutoff, and the district office has acknowledged its current version: its `seq` is
at most the outbox's acknowledged seq (see sync.outbox.Outbox.acked_seq). Nothing is
purged that the office may not hold: such records are reported as kept.

A purged record is rewritten in place with the same version and seq, so it is never
exported again and the office keeps its full copy; the shard's sealed parts (for the
station and for the office) are sealed anew without the removed fields. It carries `purged_at`, and the store
refuses to save a new version of it: that version would overwrite the office's copy
with empty fields.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from ..domain.timeutil import iso, now
from ..domain.vocab import DONE_STATUSES
from .index import Row

if TYPE_CHECKING:
    from .consultations import Store

PURGED = "purged_at"


@dataclass
class Purged:
    cutoff: str
    purged: list[str] = field(default_factory=list)  # refs whose personal fields were removed
    kept: list[str] = field(default_factory=list)  # refs that qualify but the office has not acknowledged
    already: int = 0  # purged before

    def to_dict(self) -> dict[str, Any]:
        return {"cutoff": self.cutoff, "purged": len(self.purged), "purged_refs": self.purged,
                "kept_no_receipt": len(self.kept), "kept_refs": self.kept, "already_purged": self.already}


def stripped(doc: dict[str, Any], at: datetime) -> dict[str, Any]:
    """`doc` without its personal fields."""
    out = dict(doc)
    out.update(summary="", details={}, requests="", advice="", _py="")
    out["visitor"] = {**(doc.get("visitor") or {}), "name": None, "phone": None}
    out["clue"] = {**(doc.get("clue") or {}), "note": ""}
    # A note's time and officer are not about the resident: keep them, so the record
    # still shows how much follow-up it took.
    out["notes"] = [{**n, "text": ""} for n in doc.get("notes") or ()]
    out[PURGED] = iso(at)
    return out


def _qualifies(r: Row, cutoff: str) -> bool:
    return (r.status in DONE_STATUSES or r.deleted) and r.visited_at < cutoff


def purge(store: "Store", *, before: date | datetime, acked_seq: int, dry_run: bool = False,
          at: datetime | None = None) -> Purged:
    """Purge what qualifies (see the module's notes); `before` is the cutoff of the
    visit time. With `dry_run`, report what would be purged and change nothing."""
    t = at or now()
    if not isinstance(before, datetime):
        before = datetime.combine(before, datetime.min.time(), tzinfo=t.tzinfo)
    cutoff = iso(before)  # visited_at is stored in this form: string order is time order
    out = Purged(cutoff)
    with store.lock.hold() as stale:
        if stale:
            store._reload_changed()
        by_shard: dict[int, list[Row]] = defaultdict(list)
        for r in store.index.by_id.values():
            if _qualifies(r, cutoff):
                by_shard[r.shard].append(r)
        for n in sorted(by_shard):
            # The row does not say whether a record was purged before: its shard does.
            docs = dict(store.shards.docs(n))
            doomed: set[int] = set()
            for r in sorted(by_shard[n], key=lambda r: r.ref):
                if docs[r.doc_id].get(PURGED):
                    out.already += 1
                elif r.seq <= acked_seq:
                    doomed.add(r.doc_id)
                    out.purged.append(r.ref)
                else:
                    out.kept.append(r.ref)
            if doomed and not dry_run:
                _rewrite(store, n, {docs[d]["id"] for d in doomed}, t)
    out.purged.sort()
    out.kept.sort()
    return out


def _rewrite(store: "Store", n: int, ids: set[str], at: datetime) -> None:
    """One durable write of shard `n` (atomic: all of its doomed records or none)."""
    store.shards.rewrite(n, lambda doc: stripped(doc, at) if doc["id"] in ids else doc)
    store._stamps[n] = store.shards.stamp(n)
    for doc_id, doc in store.shards.docs(n):
        if doc["id"] in ids:
            store.index.put(Row.from_doc(doc, n, doc_id))
