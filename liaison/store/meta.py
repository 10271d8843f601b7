"""The data folder's own facts (schema version, station, officer) and forward migrations.

A migration takes the folder from version N to N+1 and must be safe to re-run if it
was interrupted: it never deletes the data it migrates from.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import orjson
from tinydb import TinyDB

from .atomic import AtomicJSONStorage
from .errors import NotInitialised, StoreCorrupt
from .ondisk import PINYIN
from .shards import SHARD_CAPACITY, TABLE, Shards

SCHEMA_VERSION = 1


class Meta:
    def __init__(self, home: Path):
        self.path = home / "meta.json"
        self._db = TinyDB(self.path, storage=AtomicJSONStorage)
        self._table = self._db.table("meta")

    @property
    def exists(self) -> bool:
        return self.path.exists()

    def get(self) -> dict[str, Any]:
        doc = self._table.get(doc_id=1)
        if doc is None:
            raise NotInitialised(
                "此数据目录尚未初始化，请先运行：liaison init --station <站点编号> "
                "(this data folder is not set up; run `liaison init --station ID` first)"
            )
        return dict(doc)

    def put(self, **fields: Any) -> dict[str, Any]:
        doc = {**(self._table.get(doc_id=1) or {}), **fields}
        if self._table.contains(doc_id=1):
            self._table.update(fields, doc_ids=[1])
        else:
            self._table.insert(doc)
        return doc

    def close(self) -> None:
        self._db.close()


def _v0_single_file(home: Path, py_keys: Callable[[dict[str, Any]], str]) -> None:
    """v0 (the prototype) kept every consultation in one TinyDB JSONStorage file,
    `consultations.json`; v1 shards them. The old file is kept, renamed."""
    legacy = home / "consultations.json"
    if not legacy.exists():
        return
    try:
        docs = list((orjson.loads(legacy.read_bytes()).get(TABLE) or {}).values())
    except orjson.JSONDecodeError as e:
        raise StoreCorrupt(f"旧版数据文件无法读取：{legacy} ({e})") from e
    docs.sort(key=lambda d: d.get("seq", 0))
    shards = Shards(home / "consultations")
    for n in shards.numbers():  # a re-run after an interrupted migration starts clean
        shards.path(n).unlink()
    for i in range(0, len(docs), SHARD_CAPACITY):
        chunk = docs[i:i + SHARD_CAPACITY]
        AtomicJSONStorage(shards.path(i // SHARD_CAPACITY + 1)).write(
            {TABLE: {str(j + 1): {**d, PINYIN: py_keys(d)} for j, d in enumerate(chunk)}})
    legacy.rename(home / "consultations.json.v0-migrated")


MIGRATIONS: dict[int, Callable[[Path, Callable[[dict[str, Any]], str]], None]] = {
    0: _v0_single_file,
}


def migrate(home: Path, meta: Meta, py_keys: Callable[[dict[str, Any]], str]) -> list[int]:
    """Bring the folder to SCHEMA_VERSION; returns the versions migrated from."""
    done = []
    version = int(meta.get().get("schema", 0))
    while version < SCHEMA_VERSION:
        MIGRATIONS[version](home, py_keys)
        done.append(version)
        version += 1
        meta.put(schema=version)
    return done
