"""Consultations split over small TinyDB files ("shards") of at most SHARD_CAPACITY.

TinyDB rewrites a whole file on every save, so the cost of a save is the size of the
file it touches. New records fill the newest shard and a record never moves, so a
save rewrites at most SHARD_CAPACITY records however many the station has stored.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from typing import Any, Iterator

from tinydb import TinyDB
from tinydb.table import Table

from .atomic import AtomicJSONStorage, remove_stale_temps

SHARD_CAPACITY = 100
TABLE = "consultations"
KEEP_OPEN = 4  # shards whose parsed content stays in memory (the one being filled, recent reads)


class Shards:
    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        remove_stale_temps(folder)
        self._open: OrderedDict[int, TinyDB] = OrderedDict()

    def path(self, n: int) -> Path:
        return self.folder / f"{n:06d}.json"

    def numbers(self) -> list[int]:
        return sorted(int(p.stem) for p in self.folder.glob("[0-9]*.json") if p.stem.isdigit())

    def stamp(self, n: int) -> tuple[int, int, int] | None:
        return AtomicJSONStorage(self.path(n))._disk_stamp()

    def table(self, n: int) -> Table:
        db = self._open.get(n)
        if db is None:
            db = TinyDB(self.path(n), storage=AtomicJSONStorage)
            self._open[n] = db
            while len(self._open) > KEEP_OPEN:
                self._open.popitem(last=False)[1].close()
        else:
            self._open.move_to_end(n)
        return db.table(TABLE)

    def forget(self, n: int) -> None:
        """Drop a shard's open handle, e.g. after another process rewrote it
        (TinyDB caches the next document id)."""
        db = self._open.pop(n, None)
        if db is not None:
            db.close()

    def docs(self, n: int) -> Iterator[tuple[int, dict[str, Any]]]:
        """(doc_id, document) of one shard, read without keeping it open."""
        if n in self._open:
            self.forget(n)  # its cache may predate another process's write
        storage = AtomicJSONStorage(self.path(n))
        data = storage.read() or {}
        for doc_id, doc in (data.get(TABLE) or {}).items():
            yield int(doc_id), doc

    def close(self) -> None:
        while self._open:
            self._open.popitem()[1].close()
