"""The nightly export's read: every record changed after a checkpoint, consistently,
without any key (the job runs with no PIN) and without building the index.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .consultations import Store
from .errors import StoreBusy, StoreIntegrityError
from .lock import WriteLock
from .manifest import Found, Manifest, ManifestError, compare
from .meta import SCHEMA_VERSION, Meta
from .ondisk import OFFICE_POINTER, PINYIN
from .opened import PENDING, _pending_ids
from .sealed import read_for_office
from .shards import Shards
from .watch import MISSING, shard_name


def folder_problems(home: Path, facts: dict[str, Any], found: dict[int, Found], after: int = 0) -> list[str]:
    """A look at the manifest without the key (the nightly export, `liaison verify`): a
    shard missing, rolled back or cut short, or a change counter behind the `after`
    already exported. Edited bytes need the key to be seen; the next unlock sees them."""
    m = Manifest(home)
    if not m.exists:
        if facts.get("manifest") or any(f.gen > 0 for f in found.values()):
            return [MISSING]
        return []
    try:
        m.load()
    except ManifestError as e:
        return [str(e)]
    problems, _ = compare(m.state, {shard_name(n): f for n, f in found.items()})
    if m.state.counter < after:
        problems.append(f"变更计数 {m.state.counter} 小于已导出的 {after}：数据目录被换成了旧版本 "
                        f"(the change counter {m.state.counter} is behind the {after} already exported: "
                        "the data folder was rolled back)")
    return problems


def check_folder(home: Path) -> list[str]:
    """`folder_problems` of the data folder as it is now (reads every shard once)."""
    home = Path(home)
    meta = Meta(home)
    try:
        facts = meta.get()
    finally:
        meta.close()
    shards = Shards(home / "consultations")
    found = {n: read_for_office(shards.path(n))[2] for n in shards.numbers()}
    return folder_problems(home, facts, found)


def _changes(shards: Shards, after: int, found: dict[int, Found]) -> list[dict[str, Any]]:
    """Records changed after `after`, as the nightly export needs them: whole documents
    from a plain shard; from a sealed one, the clear part plus `_o`, which tells the
    office where the personal part is (the shard's sealed part and its key wrapped
    for the office, shared by the shard's documents, not copied)."""
    out = []
    for n in shards.numbers():
        path = shards.path(n)
        docs, part, found[n] = read_for_office(path)
        for doc_id, doc in docs.items():
            if doc["seq"] > after:
                doc.pop(PINYIN, None)
                if part:
                    doc[OFFICE_POINTER] = {"shard": path.name, "doc": doc_id, "part": part}
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
            found: dict[int, Found] = {}
            out = _changes(Shards(home / "consultations"), after, found)
            with lock.hold() as stale:
                pending = _pending_ids(home)
            if not stale:
                problems = folder_problems(home, facts, found, after)
                if problems:  # send nothing rather than less, as if nothing happened
                    raise StoreIntegrityError(problems)
                return station, [d for d in out if d["id"] not in pending]
    finally:
        lock.close()
    raise StoreBusy("站点数据一直在变化，无法取得一致的快照，请稍后再试 "
                    "(the station's records kept changing while being read; retry later)")

