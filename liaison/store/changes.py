"""The nightly export's read: every record changed after a checkpoint, consistently,
without any key (the job runs with no PIN) and without building the index.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .consultations import PENDING, Store, _pending_ids
from .errors import StoreBusy
from .lock import WriteLock
from .meta import SCHEMA_VERSION, Meta
from .sealed import read_for_office
from .shards import Shards


def _changes(shards: Shards, after: int) -> list[dict[str, Any]]:
    """Records changed after `after`, as the nightly export needs them: whole documents
    from a plain shard; from a sealed one, the clear part plus `_o`, which tells the
    office where the personal part is (the shard's sealed part and its key wrapped
    for the office, shared by the shard's documents, not copied)."""
    out = []
    for n in shards.numbers():
        path = shards.path(n)
        docs, part = read_for_office(path)
        for doc_id, doc in docs.items():
            if doc["seq"] > after:
                doc.pop("_py", None)
                if part:
                    doc["_o"] = {"shard": path.name, "doc": doc_id, "part": part}
                out.append(doc)
    return out


def read_changes(home: Path, after: int, attempts: int = 5) -> tuple[str, list[dict[str, Any]]]:
    """(station id, every record changed after `after`: whole snapshots from a plain
    store, clear parts with `_o` from a sealed one), read straight from the shards,
    each parsed once, no index built.

    Read without the write lock (the TUI may be saving); the lock is then held for
    an instant to confirm that no save finished meanwhile and no batch import is
    half-done, else the read is repeated, so the result is one consistent state
    and its highest `seq` is a safe checkpoint.

    A sealed store cannot be rolled back without a key, so the records of a batch
    import that crashed (import.pending, found while we hold the lock, so no
    import is running) are left out instead; the next unlock rolls them back."""
    home = Path(home)
    meta = Meta(home)
    facts = meta.get()
    meta.close()
    if int(facts.get("schema", 0)) < SCHEMA_VERSION or ((home / PENDING).exists() and not facts.get("sealed")):
        Store.open(home).close()  # migrates, or rolls back an interrupted batch
    station = facts["station"]
    lock = WriteLock(home)
    try:
        for _ in range(attempts):
            out = _changes(Shards(home / "consultations"), after)
            with lock.hold() as stale:
                pending = _pending_ids(home)
            if not stale:
                return station, [d for d in out if d["id"] not in pending]
    finally:
        lock.close()
    raise StoreBusy("站点数据一直在变化，无法取得一致的快照，请稍后再试 "
                    "(the station's records kept changing while being read; retry later)")

