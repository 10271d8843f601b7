"""The form a record is kept in at the office: its clear part, its personal part sealed
to the batch key (bound to its id and version), and its content hash; in the order
INSERT_RECORD writes a records row."""

from __future__ import annotations

import hashlib
from typing import Any, Iterable

from ..domain.personal import CLUE_KEYS, PERSONAL_KEYS, VISITOR_KEYS
from ..security import records_key
from ..security.records_key import BatchSealer
from ..sync.bundle import canonical
from .visits import COLUMNS as TALLY_COLUMNS
from .visits import derived

_COLUMNS = ("id", "station", "version", "hash", "deleted", "visited_at", "doc", "sealed", "batch",
            *(c for c, _ in TALLY_COLUMNS))
# REPLACE's delete of the old row fires no trigger (recursive_triggers is off); an upsert
# would fire the UPDATE trigger, but once the table had one, every insert through an
# upsert cost ~8 µs more. So the merge recounts the report's weekly groups of what it
# replaced and wrote itself (hq/tally_weeks.py).
INSERT_RECORD = f"INSERT OR REPLACE INTO records ({', '.join(_COLUMNS)}) VALUES ({','.join('?' * len(_COLUMNS))})"


_GROUP_AT = tuple(map(_COLUMNS.index, ("week", "station", "category", "tallied", "deleted")))


def groups(upserts: Iterable[tuple[Any, ...]]) -> set[tuple[str, str, str]]:
    """The report's weekly groups (hq/tally_weeks.py) of the counted rows among `upserts`
    (INSERT_RECORD's order): (week, station, category)."""
    w, s, c, t, d = _GROUP_AT
    return {(u[w], u[s], u[c]) for u in upserts if u[t] == 1 and not u[d]}


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


def stored_row(r: dict[str, Any], station: str, version: int, h: str, sealer: BatchSealer, batch: int) -> tuple[Any, ...]:
    """The records row of an accepted record (INSERT_RECORD's order), in one call."""
    clear, personal = _parts(r)
    return (r["id"], station, version, h, int(bool(r.get("deleted"))), r.get("visited_at"), canonical(clear),
            sealer.seal(personal, records_key.record_aad(r["id"], version)), batch, *derived(r, station))


def stored_form(record: dict[str, Any], sealer: BatchSealer) -> tuple[bytes, bytes, str]:
    """(the clear part kept, the personal part sealed, the whole record's hash). The hash
    is over every field, so a same-version resend is told from a conflict; guessing a
    resident's name from it would take guessing the whole summary with it."""
    return (*sealed_parts(record, sealer), content_hash(record))


def written(records: Iterable[dict[str, Any]], upserts: Iterable[tuple[Any, ...]]) -> list[tuple[Any, Any, dict[str, Any]]]:
    """(id, version, record) of each row `upserts` wrote (tuples starting id, station,
    version, as INSERT_RECORD takes them), with the record it was made from: what a
    merge's sealed indexes describe. An id written twice in one merge comes once, as its
    last row (the one kept); the first copy of an (id, version) is the one a merge keeps."""
    first: dict[tuple[Any, Any], dict[str, Any]] = {}
    for r in records:
        first.setdefault((r.get("id"), r.get("version")), r)
    last = {u[0]: (u[2], first[(u[0], u[2])]) for u in upserts}
    return [(rid, version, r) for rid, (version, r) in last.items()]
