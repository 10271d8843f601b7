"""Consultations split over small TinyDB files ("shards") of at most SHARD_CAPACITY.

TinyDB rewrites a whole file on every save, so the cost of a save is the size of the
file it touches. New records fill the newest shard and a record never moves, so a
save rewrites at most SHARD_CAPACITY records however many the station has stored.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from pathlib import Path
from typing import Any, Callable, Iterator

from tinydb import TinyDB
from tinydb.table import Table

from .atomic import AtomicJSONStorage, remove_stale_temps
from .errors import StoreCorrupt
from .heads import Changed, Head, open_head, read_head
from .index import Row
from .manifest import Found
from .sealed import Cipher, OfficeCipher, SealedStorage, Written, read_rows

SHARD_CAPACITY = 100
TABLE = "consultations"
KEEP_OPEN = 4  # shards whose parsed content stays in memory (the one being filled, recent reads)


class Shards:
    def __init__(self, folder: Path, cipher: Cipher | None = None, office: OfficeCipher | None = None,
                 on_write: Written | None = None):
        self.folder = folder
        self.cipher = cipher
        self.office = office
        self.on_write = on_write  # every write of a shard is recorded in the manifest
        self.found: dict[int, Found] = {}  # what each shard said of itself when last read by rows()
        folder.mkdir(parents=True, exist_ok=True)
        remove_stale_temps(folder)
        self._open: OrderedDict[int, TinyDB] = OrderedDict()
        self.plain: set[int] = set()  # shards last read from a file that is not sealed
        self.office_env: dict[int, str | None] = {}  # envelope each shard's key is wrapped under for the office

    def path(self, n: int) -> Path:
        return self.folder / f"{n:06d}.json"

    def numbers(self) -> list[int]:
        return sorted(int(p.stem) for p in self.folder.glob("[0-9]*.json") if p.stem.isdigit())

    def stamps(self) -> dict[int, tuple[int, int, int] | None]:
        """{number: stamp} of every shard, in order: `numbers` and `stamp` in one pass."""
        found: dict[int, tuple[int, int, int] | None] = {}
        with os.scandir(self.folder) as it:
            for e in it:
                name = e.name
                if name.endswith(".json") and name[:1].isascii() and name[:1].isdigit() and name[:-5].isdigit():
                    try:
                        st = e.stat()
                    except FileNotFoundError:  # removed meanwhile: read as `stamp` would see it
                        found[int(name[:-5])] = None
                        continue
                    found[int(name[:-5])] = (st.st_ino, st.st_size, st.st_mtime_ns)
        return dict(sorted(found.items()))

    def stamp(self, n: int) -> tuple[int, int, int] | None:
        return AtomicJSONStorage(self.path(n))._disk_stamp()

    def table(self, n: int) -> Table:
        db = self._open.get(n)
        if db is None:
            db = TinyDB(self.path(n), storage=SealedStorage, cipher=self.cipher, office=self.office,
                        on_write=self.on_write)
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
        storage = SealedStorage(self.path(n), self.cipher, self.office)
        data = storage.read() or {}
        if storage.plain_on_disk:
            self.plain.add(n)
        else:
            self.plain.discard(n)
        if storage.found is not None:
            self.found[n] = storage.found
        for doc_id, doc in (data.get(TABLE) or {}).items():
            yield int(doc_id), doc

    def rows(self, n: int) -> Iterator[tuple[int, dict[str, Any]]]:
        """Like `docs`, but with a key only what a list row needs is decrypted (see
        sealed.read_rows); without a key, the same as `docs`."""
        if n in self._open:
            self.forget(n)
        if self.cipher is None:
            storage = SealedStorage(self.path(n), strict=False)
            try:
                data = storage.read() or {}
            except StoreCorrupt:  # cut short or garbled: the manifest check names it
                self.found[n] = Found(-1, -1, False)
                return
            (self.plain.add if storage.plain_on_disk else self.plain.discard)(n)
            if storage.found is not None:
                self.found[n] = storage.found
                if storage.found.ok is False:
                    return
            for doc_id, doc in (data.get(TABLE) or {}).items():
                yield int(doc_id), doc
            return
        sealed, self.office_env[n], docs, self.found[n] = read_rows(self.path(n), self.cipher)
        (self.plain.discard if sealed else self.plain.add)(n)
        for doc_id, doc in docs.items():
            yield int(doc_id), doc

    def listed(self, n: int, stamp: Any, head: Head | None = None) -> list[Row] | None:
        """Shard n's list rows, from `head` (read before the key was known) if the file
        is still the one it was read from (`stamp`, taken now), else from a head read
        now (store.heads); None when that does not apply (no key, not a sealed shard
        with a signed head, clear parts that do not make rows): read it with `rows`."""
        if self.cipher is None:
            return None
        path = self.path(n)
        if head is None or head.stamp != stamp:
            head = read_head(path, n)
            if head is None:
                return None
        if n in self._open:
            self.forget(n)
        try:
            self.office_env[n], rows, self.found[n] = open_head(path, head, self.cipher)
        except Changed:  # written between the stamp and the read of a slim head's bytes
            head = read_head(path, n)
            if head is None:
                return None
            self.office_env[n], rows, self.found[n] = open_head(path, head, self.cipher)
        self.plain.discard(n)
        return rows

    def rewrite(self, n: int, change: Callable[[dict[str, Any]], dict[str, Any]], strict: bool = True) -> None:
        """Write shard `n` once with `change` applied to every document (e.g. sealing
        a plain shard, or wrapping its key for a new office key); one durable write."""
        self.forget(n)
        storage = SealedStorage(self.path(n), self.cipher, self.office, self.on_write, strict)
        data = storage.read() or {}
        docs = data.get(TABLE) or {}
        storage.write({TABLE: {doc_id: change(doc) for doc_id, doc in docs.items()}})
        self.plain.discard(n)
        self.office_env[n] = self.office.current if self.office is not None and self.cipher is not None else None

    def close(self) -> None:
        while self._open:
            self._open.popitem()[1].close()
