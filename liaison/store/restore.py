"""Records brought back from the district office into a new, empty store (a lost
laptop restored with `liaison init --restore`).

Unlike `Store.create_many`, which makes new records, these keep what they were: id,
version, seq, reference, visit time, deleted tombstones. So the office's copy and
the station's are the same records in the same versions, and the next edit is the
next version the office expects. The manifest records each shard written, which
raises the change counter to the highest seq and each day's reference number to the
highest used: the next record gets the next seq and never a reference already issued.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterable, Mapping

import orjson

from ..domain.consultation import Consultation
from .atomic import atomic_write, fsync_dir
from .consultations import Store
from .opened import PENDING, _doc
from .shards import SHARD_CAPACITY

KEEP = ("purged_at",)  # stored beside a record's fields, not part of Consultation


class RestoreRefused(ValueError):
    """The records cannot be restored as they are (the message says which and why)."""


def _document(raw: Mapping[str, Any], station: str) -> dict[str, Any]:
    try:
        c = Consultation.from_dict(dict(raw))
    except (KeyError, TypeError, ValueError) as e:
        raise RestoreRefused(f"恢复包中的记录 {raw.get('ref') or raw.get('id')} 无法读取 "
                             f"(record {raw.get('ref') or raw.get('id')} in the kit is unreadable: {e!r})") from None
    if c.station != station:
        raise RestoreRefused(f"恢复包中的记录 {c.ref} 属于站点 {c.station} "
                             f"(record {c.ref} in the kit belongs to station {c.station})")
    doc = _doc(c)
    doc.update({k: raw[k] for k in KEEP if raw.get(k)})
    return doc


def documents(records: Iterable[Mapping[str, Any]], station: str) -> list[dict[str, Any]]:
    """The records as the store keeps them, oldest change first; RestoreRefused if one
    cannot be read, is another station's, or comes twice (checked before anything is written)."""
    docs = sorted((_document(r, station) for r in records), key=lambda d: d["seq"])
    ids = [d["id"] for d in docs]
    if len(set(ids)) != len(ids):
        raise RestoreRefused("恢复包中有重复的记录编号 (the kit holds the same record id twice)")
    return docs


def restore_records(store: Store, docs: list[dict[str, Any]]) -> int:
    """Write `docs` (from `documents`) into `store`, which must hold none; all or nothing
    (a crash midway is rolled back at the next open, like a batch import). Returns how many."""
    ids = [d["id"] for d in docs]
    if not docs:
        return 0
    with store.lock.hold() as stale:
        if stale:
            store._reload_changed()
        store._writable()
        if store.index.by_id:
            raise RestoreRefused("数据目录中已有记录，不能恢复到这里 (the data folder already holds records)")
        pending = store.home / PENDING
        atomic_write(pending, orjson.dumps(ids))
        by_shard: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for i, doc in enumerate(docs):
            by_shard[i // SHARD_CAPACITY + 1].append(doc)
        try:
            for n, chunk in by_shard.items():
                store.shards.table(n).insert_multiple(chunk)
        finally:
            store._counts.clear()
            store._load()
        pending.unlink()
        fsync_dir(store.home)
    return len(docs)
