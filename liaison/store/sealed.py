"""A shard storage whose personal fields are sealed under the station's data key.

On disk a sealed shard is

    {"consultations": {doc_id: clear part, ...}, "_sealed": "s1:…"}

where `_sealed` is one AES-GCM value holding the personal part of every document of
the shard (see domain.personal), bound to the shard's file name. One value per
shard rather than per record: opening 50 000 records then costs 500 decryptions,
not 50 000 (the per-call overhead dominates), and a save re-seals ~40 KB, which
AES-GCM does in microseconds.

The cipher is passed in (any object with `seal(value, aad)` / `open(text, aad)`,
e.g. security.seal.Sealer) so the store never handles PINs or key files. Without a
cipher a sealed shard reads as its clear parts only: what the nightly export needs,
and nothing personal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

import orjson

from ..domain.personal import split
from .atomic import AtomicJSONStorage
from .errors import StoreCorrupt, StoreLocked

SEALED = "_sealed"
ROWS = "_rows"
TABLE = "consultations"
BRIEF = 60  # characters of the summary a list row shows (store.index.Row.brief)


class Cipher(Protocol):
    def seal(self, value: Any, aad: bytes = b"") -> str: ...
    def open(self, text: str, aad: bytes = b"") -> Any: ...


def shard_aad(path: Path) -> bytes:
    return b"liaison-shard/1\x00" + path.name.encode()


def rows_aad(path: Path) -> bytes:
    return shard_aad(path) + b"\x00rows"


def is_sealed_file(doc: Any) -> bool:
    return isinstance(doc, dict) and SEALED in doc


class SealedStorage(AtomicJSONStorage):
    def __init__(self, path, cipher: Cipher | None = None):
        super().__init__(path)
        self.cipher = cipher
        self._saw_sealed = False  # read a sealed file without the key: writing it back would lose data
        self.plain_on_disk = False  # the last file read was not sealed (to be migrated)
        # doc_id -> (version, seq, _o, clear, personal, row) of the last write. A save changes
        # one document of the shard, but every write seals the whole shard: splitting
        # the ~100 unchanged documents again was a quarter of a save's time. A record
        # never changes without a new version and seq, and the paths that rewrite
        # documents in place (sealing, office copies, purge) use a fresh storage; the
        # office copy is compared by identity all the same.
        self._split: dict[str, tuple[Any, ...]] = {}

    def _decode(self, doc: Any) -> dict[str, Any]:
        self.plain_on_disk = not is_sealed_file(doc)
        if self.plain_on_disk:
            return doc  # a plain shard (before the first unlock migrated it)
        docs = doc.get(TABLE) or {}
        if self.cipher is None:
            self._saw_sealed = True
            return {TABLE: docs}
        try:
            personal = self.cipher.open(doc[SEALED], shard_aad(self.path))
        except Exception as e:  # SealBroken, by duck typing
            raise StoreCorrupt(f"数据文件无法解密：{self.path}（{e}）(shard cannot be decrypted: {self.path})") from None
        for doc_id, clear in docs.items():
            mine = personal.get(doc_id)
            if mine is None or mine.pop("_v", None) != clear.get("version"):
                # A personal part from another version was pasted in, or it is missing.
                raise StoreCorrupt(f"数据文件内容不一致：{self.path} 记录 {doc_id} "
                                   f"(shard {self.path.name}: personal part of record {doc_id} does not match)")
            _join_into(clear, mine)
        return {TABLE: docs}

    def _encode(self, data: dict[str, Any]) -> Any:
        if self.cipher is None:
            if self._saw_sealed:
                raise StoreLocked()
            return data  # a plain store (no officers set up yet)
        # Values are orjson.Fragments (already-serialised JSON): the ~99 unchanged
        # documents of the shard are not serialised again at every save.
        clear_docs, personal, rows, cache = {}, {}, {}, {}
        for doc_id, doc in (data.get(TABLE) or {}).items():
            version, seq, o = doc.get("version"), doc.get("seq"), doc.get("_o")
            hit = self._split.get(doc_id)
            if hit is None or hit[0] != version or hit[1] != seq or hit[2] is not o:
                clear, mine = split(doc)
                mine["_v"] = version
                visitor = mine.get("visitor") or {}
                row = [version, visitor.get("name"), visitor.get("phone"), (mine.get("summary") or "")[:BRIEF]]
                hit = (version, seq, o, orjson.Fragment(orjson.dumps(clear)), orjson.Fragment(orjson.dumps(mine)),
                       orjson.Fragment(orjson.dumps(row)))
            cache[doc_id] = hit
            clear_docs[doc_id], personal[doc_id], rows[doc_id] = hit[3], hit[4], hit[5]
        self._split = cache
        return {TABLE: clear_docs, ROWS: self.cipher.seal(rows, rows_aad(self.path)),
                SEALED: self.cipher.seal(personal, shard_aad(self.path))}


def read_rows(path: Path, cipher: Cipher) -> tuple[bool, dict[str, dict[str, Any]]]:
    """(sealed?, {doc_id: document}) of a shard for building list rows at unlock: the
    clear parts with only what a row shows filled in (name, phone, the start of the
    summary), from the small `_rows` value. The full personal part, 20 times larger,
    stays sealed until a record is opened or search is prepared (off the UI thread);
    that is what keeps an unlock at 50 000 records under a second."""
    storage = SealedStorage(path, cipher)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return True, {}
    doc = orjson.loads(raw) if raw else {}
    if not is_sealed_file(doc) or ROWS not in doc:
        data = storage._decode(doc) if raw else {}
        return not storage.plain_on_disk, (data or {}).get(TABLE) or {}
    try:
        rows = cipher.open(doc[ROWS], rows_aad(path))
    except Exception:  # SealBroken, by duck typing
        raise StoreCorrupt(f"数据文件无法解密：{path} (shard cannot be decrypted: {path})") from None
    docs = doc.get(TABLE) or {}
    for doc_id, clear in docs.items():
        row = rows.get(doc_id)
        if row is None or row[0] != clear.get("version"):
            raise StoreCorrupt(f"数据文件内容不一致：{path} 记录 {doc_id} "
                               f"(shard {path.name}: list part of record {doc_id} does not match)")
        visitor = clear.get("visitor")
        if visitor.__class__ is dict:
            visitor["name"], visitor["phone"] = row[1], row[2]
        clear["summary"] = row[3]
    return True, docs


def _join_into(clear: dict[str, Any], personal: dict[str, Any]) -> None:
    """domain.personal.join, in place: both parts were just parsed and belong to us,
    and copying 50 000 documents at unlock cost a tenth of the time to open."""
    for outer in ("visitor", "clue"):
        part = personal.pop(outer, None)
        if part:
            inner = clear.get(outer)
            if isinstance(inner, dict):
                inner.update(part)
            else:
                clear[outer] = dict(part)
    clear.update(personal)

