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

from ..domain.personal import join, split
from .atomic import AtomicJSONStorage
from .errors import StoreCorrupt, StoreLocked

SEALED = "_sealed"
TABLE = "consultations"


class Cipher(Protocol):
    def seal(self, value: Any, aad: bytes = b"") -> str: ...
    def open(self, text: str, aad: bytes = b"") -> Any: ...


def shard_aad(path: Path) -> bytes:
    return b"liaison-shard/1\x00" + path.name.encode()


def is_sealed_file(doc: Any) -> bool:
    return isinstance(doc, dict) and SEALED in doc


class SealedStorage(AtomicJSONStorage):
    def __init__(self, path, cipher: Cipher | None = None):
        super().__init__(path)
        self.cipher = cipher
        self._saw_sealed = False  # read a sealed file without the key: writing it back would lose data
        self.plain_on_disk = False  # the last file read was not sealed (to be migrated)

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
        out = {}
        for doc_id, clear in docs.items():
            mine = personal.get(doc_id)
            if mine is None or mine.pop("_v", None) != clear.get("version"):
                # A personal part from another version was pasted in, or it is missing.
                raise StoreCorrupt(f"数据文件内容不一致：{self.path} 记录 {doc_id} "
                                   f"(shard {self.path.name}: personal part of record {doc_id} does not match)")
            out[doc_id] = join(clear, mine)
        return {TABLE: out}

    def _encode(self, data: dict[str, Any]) -> Any:
        if self.cipher is None:
            if self._saw_sealed:
                raise StoreLocked()
            return data  # a plain store (no officers set up yet)
        clear_docs, personal = {}, {}
        for doc_id, doc in (data.get(TABLE) or {}).items():
            clear, mine = split(doc)
            mine["_v"] = doc.get("version")
            clear_docs[doc_id] = clear
            personal[doc_id] = mine
        return {TABLE: clear_docs, SEALED: self.cipher.seal(personal, shard_aad(self.path))}
