"""What every part of the consultation store stands on: its folder's parts (meta,
lock, manifest watch, shards, index), its facts, and reading records (lists and search
come from the index, one record from its shard)."""

from __future__ import annotations

import weakref
from collections import defaultdict
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable, Mapping

import orjson

from ..domain.consultation import Consultation
from ..domain.search import name_keys
from .atomic import remove_stale_temps
from .errors import NotFound
from .heads import Heads
from .index import Index, Row
from .lock import DEFAULT_TIMEOUT, WriteLock
from .manifest import Manifest
from .meta import Meta
from .ondisk import PINYIN
from .sealed import Cipher, OfficeCipher, integrity_keys
from .shards import Shards
from .watch import Watch

PENDING = "import.pending"  # ids of a batch being written; rolled back if found at open
_OPEN: "weakref.WeakSet[StoreBase]" = weakref.WeakSet()  # stores of this process not yet closed


def _py(doc: Mapping[str, Any]) -> str:
    name = (doc.get("visitor") or {}).get("name")
    return name_keys(name) if name else ""


def _doc(c: Consultation) -> dict[str, Any]:
    d = c.to_dict()
    d[PINYIN] = _py(d)  # pinyin is slow to compute; stored so opening stays fast
    return d


def _record(doc: dict[str, Any]) -> Consultation:
    return Consultation.from_dict(doc)


def _pending_ids(home: Path) -> set[str]:
    try:
        return set(orjson.loads((home / PENDING).read_bytes() or b"[]"))
    except FileNotFoundError:
        return set()

class StoreBase:
    def __init__(self, home: Path, *, lock_timeout: float = DEFAULT_TIMEOUT,
                 cipher: Cipher | None = None, office: OfficeCipher | None = None, officer: str = ""):
        self.home = Path(home)
        self.acting_officer = officer  # who unlocked: notes and records carry this name
        self.cipher = cipher
        self.office = office
        self.home.mkdir(parents=True, exist_ok=True, mode=0o700)  # personal data: owner only
        self.meta = Meta(self.home)
        self.lock = WriteLock(self.home, lock_timeout)
        remove_stale_temps(self.home)  # e.g. of import.pending, meta.json
        self.watch = Watch(Manifest(self.home, integrity_keys(cipher)))
        self.shards = Shards(self.home / "consultations", cipher, office, on_write=self.watch)
        self.index = Index()
        self._stamps: dict[int, Any] = {}
        self._counts: dict[int, int] = defaultdict(int)
        self._office_todo: set[int] = set()  # shards whose key the office cannot unwrap yet
        self._heads: Heads | None = None  # shards read before the key was known (store.heads)
        _OPEN.add(self)
    @property
    def problems(self) -> list[str]:
        """What the data folder lacks or has that it should not (store.watch); writes are
        refused while there are any."""
        return self.watch.problems
    @property
    def sealed(self) -> bool:
        return bool(self.facts.get("sealed"))
    @cached_property
    def facts(self) -> dict[str, Any]:
        """Station, code, officer (set by `liaison init`; read once per open)."""
        return self.meta.get()

    @property
    def station(self) -> str:
        return str(self.facts["station"])

    @property
    def code(self) -> str:
        return str(self.facts["code"])

    @property
    def officer(self) -> str:
        """The officer who unlocked, else the one named at `liaison init`."""
        return self.acting_officer or self.facts.get("officer", "")
    # -- reading -------------------------------------------------------------------
    def find(self, key: str) -> Row | None:
        """By id, by reference (any case), or by a unique id prefix of ≥ 8 characters."""
        k = key.strip()
        row = self.index.by_id.get(k) or self.index.by_ref.get(k.upper())
        if row is None and len(k) >= 8:
            hits = [r for i, r in self.index.by_id.items() if i.startswith(k.lower())]
            row = hits[0] if len(hits) == 1 else None
        return row

    def get(self, key: str) -> Consultation:
        row = self.find(key)
        # None from the shard: the index is older than it (another process removed the record)
        doc = self.shards.table(row.shard).get(doc_id=row.doc_id) if row is not None else None
        if doc is None:
            raise NotFound(f"找不到咨询记录：{key} (no consultation with id or reference {key!r})")
        return _record(doc)

    def load(self, rows: Iterable[Row]) -> list[Consultation]:
        """Whole records for many rows, reading each shard once, in the rows' order."""
        rows = list(rows)
        wanted: dict[int, set[int]] = defaultdict(set)
        for r in rows:
            wanted[r.shard].add(r.doc_id)
        got: dict[tuple[int, int], Consultation] = {}
        for n, ids in wanted.items():
            for doc_id, doc in self.shards.docs(n):
                if doc_id in ids:
                    got[(n, doc_id)] = _record(doc)
        return [got[(r.shard, r.doc_id)] for r in rows]
    def close(self) -> None:
        _OPEN.discard(self)
        self.shards.close()
        self.meta.close()
        self.lock.close()

