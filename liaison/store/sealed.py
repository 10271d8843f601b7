"""A shard storage whose personal fields are sealed: for the station, and for the office.

On disk a sealed shard is

    {"consultations": {doc_id: clear part, ...},
     "_key":    {"d": K sealed under the data key,
                 "o": {"e": envelope id, "w": K sealed under the office envelope key}},
     "_rows":   list rows (name, phone, start of the summary) sealed under K,
     "_sealed": the personal part of every document (domain.personal) sealed under K}

K is a fresh random key per write of the shard (envelope encryption): one AES-GCM
value holds the personal parts of all ~100 documents, so opening 50 000 records
costs 500 decryptions, not 50 000, and a save re-seals ~40 KB, which AES-GCM does in
microseconds. K is wrapped twice: under the data key, which only an officer's PIN
opens, and under the office's envelope key (security.envelope), which only the
district office can open. The nightly export, which runs with no PIN, can therefore
ship `_key.o` and `_sealed` as they are, and the office reads them; a thief with the
disk opens neither. Every value is bound (AES-GCM associated data) to the shard's
file name, so a part pasted from another shard does not open.

`_rows` is small and apart so an unlock reads only what the list shows; the full
`_sealed` part is opened when a record is read or search is prepared (off the UI
thread).

The ciphers are passed in (objects with `seal(value, aad)` / `open(text, aad)`, e.g.
security.seal.Sealer; the office one also has `current`, its envelope id), so the
store never handles PINs or key files. Without a cipher a sealed shard reads as its
clear parts only.

One concept, one module (~300 lines): the storage that writes this format and the
readers that take a shard apart without opening it as a table (the list rows at
unlock, the office's parts for the export) must agree on every key and AAD here.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any, Protocol, Sequence

import orjson

from ..domain.personal import join_into, split
from .atomic import AtomicJSONStorage
from .errors import StoreCorrupt, StoreLocked
from .integrity import ShardAuth, check, digest, read_signed, record_digest, stamp
from .manifest import Found
from .ondisk import ENVELOPE, OFFICE_WRAP, SEALED_VERSION, STATION_WRAP, WRAPPED

SEALED = "_sealed"
ROWS = "_rows"
KEY = "_key"
TABLE = "consultations"
BRIEF = 60  # characters of the summary a list row shows (store.index.Row.brief)


class Cipher(Protocol):
    def seal(self, value: Any, aad: bytes = b"") -> str: ...
    def open(self, text: str, aad: bytes = b"") -> Any: ...
    def with_key(self, key: bytes) -> "Cipher": ...  # the same kind of cipher under another key
    def integrity_keys(self) -> list[bytes]: ...  # store.integrity's MAC keys, the current one first


class Written(Protocol):
    """Told of every shard write (store.watch.Watch, which keeps the manifest)."""

    def prepare(self) -> None: ...
    def written(self, shard: str, gen: int, count: int, docs: dict[str, Any]) -> None: ...


def integrity_keys(cipher: Cipher | None) -> list[bytes]:
    return cipher.integrity_keys() if cipher is not None else []


class OfficeCipher(Cipher, Protocol):
    current: str  # envelope id: shards wrapped under another are rewrapped at unlock


def shard_aad(name: str) -> bytes:
    return b"liaison-shard/1\x00" + name.encode()


def rows_aad(name: str) -> bytes:
    return shard_aad(name) + b"\x00rows"


def key_aad(name: str, holder: str) -> bytes:
    """`holder` is "station" or the office envelope's id."""
    return shard_aad(name) + b"\x00key\x00" + holder.encode()


def is_sealed_file(doc: Any) -> bool:
    return isinstance(doc, dict) and SEALED in doc


def _corrupt(path: Path, what: str) -> StoreCorrupt:
    return StoreCorrupt(f"数据文件无法解密或内容不一致：{path}（{what}）"
                        f"(shard cannot be decrypted or does not match: {path.name}: {what})")


def _altered(path: Path, auth: ShardAuth, bad: list[str]) -> StoreCorrupt:
    who = f"：记录 {'、'.join(bad)}" if bad else ""
    return StoreCorrupt(f"数据文件在 liaison 之外被改动过{who}：{path}。请从备份恢复该文件，或运行 liaison verify 查看处理办法 "
                        f"(shard {path.name} was altered outside liaison"
                        + (f": records {', '.join(bad)}" if bad else "") + "; restore it from a backup, "
                        "or see `liaison verify`)")


def altered_records(doc: dict[str, Any], name: str, cipher: Cipher | None) -> list[str]:
    """References of the records whose clear part no longer matches the digest sealed
    with the list rows (only a sealed shard can tell; [] otherwise)."""
    docs = doc.get(TABLE) or {}
    if cipher is None or ROWS not in doc:
        return []
    try:
        rows = shard_cipher(doc, name, cipher).open(doc[ROWS], rows_aad(name))
    except Exception:  # the key or the rows are broken too: the file as a whole is named
        return []
    bad = [str(clear.get("ref") or doc_id) for doc_id, clear in docs.items()
           if doc_id not in rows or (len(rows[doc_id]) > 4 and rows[doc_id][4] != record_digest(orjson.dumps(clear)))]
    bad += [f"#{doc_id}" for doc_id in rows if doc_id not in docs]  # a whole record removed
    return bad


def shard_cipher(doc: dict[str, Any], name: str, cipher: Cipher) -> Cipher:
    """The cipher of K, unwrapped with the data key (SealBroken if it does not open)."""
    return cipher.with_key(base64.b64decode(cipher.open(doc[KEY][STATION_WRAP], key_aad(name, "station"))))


class SealedStorage(AtomicJSONStorage):
    def __init__(self, path: str | os.PathLike[str], cipher: Cipher | None = None, office: OfficeCipher | None = None,
                 on_write: Written | None = None, strict: bool = True):
        super().__init__(path)
        self.cipher = cipher
        self.office = office
        self.keys = integrity_keys(cipher)
        self.on_write = on_write  # the manifest's record of every write
        self.strict = strict  # raise on a shard that fails its check (else only note it in `found`)
        self.found: Found | None = None  # what the last file read said about itself
        self._gen = 0  # write generation of the file last read or written
        self._next: tuple[int, int] = (0, 0)
        self._saw_sealed = False  # read a sealed file without the key: writing it back would lose data
        self.plain_on_disk = False  # the last file read was not sealed (to be migrated)
        # doc_id -> (version, seq, clear, personal, row) of the last write, as orjson
        # Fragments. A save changes one document of the shard, but every write seals
        # the whole shard: splitting and serialising the ~100 unchanged documents
        # again was a quarter of a save's time. A record never changes without a new
        # version and seq; the paths that rewrite documents in place (purge) use a
        # fresh storage.
        self._split: dict[str, tuple[Any, ...]] = {}

    def _from_bytes(self, raw: bytes) -> dict[str, Any] | None:
        doc = orjson.loads(raw)
        auth = check(doc, raw, self.path.name, self.keys)
        self._gen = max(auth.gen, 0) if auth else 0
        bad: list[str] = []
        if auth is not None and auth.ok is False:
            bad = altered_records(doc, self.path.name, self.cipher)
            if self.strict:
                raise _altered(self.path, auth, bad)
        self.found = found_of(doc, raw, auth, bad)
        return self._decode(doc)

    def _to_bytes(self, data: dict[str, Any]) -> bytes:
        body = orjson.dumps(self._encode(data))
        self._next = (self._gen + 1, len(data.get(TABLE) or {}))
        return stamp(body, self.path.name, *self._next, self.keys[0] if self.keys else None,
                     unsigned_tail=b',"' + SEALED.encode() + b'":')

    def write(self, data: dict[str, Any]) -> None:
        if self.on_write is not None:
            self.on_write.prepare()
        super().write(data)
        self._gen, count = self._next
        if self.on_write is not None:
            self.on_write.written(self.path.name, self._gen, count, data.get(TABLE) or {})

    def _decode(self, doc: dict[str, Any]) -> dict[str, Any]:
        self.plain_on_disk = not is_sealed_file(doc)
        if self.plain_on_disk:
            return doc  # a plain shard (before the first unlock migrated it)
        docs = doc.get(TABLE) or {}
        if self.cipher is None:
            self._saw_sealed = True
            return {TABLE: docs}
        name = self.path.name
        try:
            personal = shard_cipher(doc, name, self.cipher).open(doc[SEALED], shard_aad(name))
        except Exception as e:  # SealBroken (by duck typing), a missing or garbled key entry
            raise _corrupt(self.path, str(e)) from None
        for doc_id, clear in docs.items():
            mine = personal.get(doc_id)
            if mine is None or mine.pop(SEALED_VERSION, None) != clear.get("version"):
                # A personal part from another version was pasted in, or it is missing.
                raise _corrupt(self.path, f"record {doc_id}")
            join_into(clear, mine)
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
            version, seq = doc.get("version"), doc.get("seq")
            hit = self._split.get(doc_id)
            if hit is None or hit[0] != version or hit[1] != seq:
                clear, mine = split(doc)
                mine[SEALED_VERSION] = version
                visitor = mine.get("visitor") or {}
                clear_json = orjson.dumps(clear)
                row = [version, visitor.get("name"), visitor.get("phone"), (mine.get("summary") or "")[:BRIEF],
                       record_digest(clear_json)]
                hit = (version, seq, orjson.Fragment(clear_json), orjson.Fragment(orjson.dumps(mine)),
                       orjson.Fragment(orjson.dumps(row)))
            cache[doc_id] = hit
            clear_docs[doc_id], personal[doc_id], rows[doc_id] = hit[2], hit[3], hit[4]
        self._split = cache
        name = self.path.name
        raw = os.urandom(32)
        k = self.cipher.with_key(raw)
        wrapped = base64.b64encode(raw).decode("ascii")
        key: dict[str, Any] = {STATION_WRAP: self.cipher.seal(wrapped, key_aad(name, "station"))}
        if self.office is not None:
            key[OFFICE_WRAP] = {ENVELOPE: self.office.current, WRAPPED: self.office.seal(wrapped, key_aad(name, self.office.current))}
        return {TABLE: clear_docs, KEY: key, ROWS: k.seal(rows, rows_aad(name)), SEALED: k.seal(personal, shard_aad(name))}


def _load(path: Path) -> tuple[dict[str, Any], bytes]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}, b""
    try:
        return (orjson.loads(raw) if raw else {}), raw
    except orjson.JSONDecodeError as e:
        raise StoreCorrupt(f"数据文件已损坏，无法读取：{path} ({e})") from e


def found_of(doc: dict[str, Any], raw: bytes, auth: ShardAuth | None, bad: Sequence[str] = (),
             count: int | None = None) -> Found:
    """What the manifest compares: a legacy shard (no `_auth`) by its digest. `count`:
    the shard's records, when `doc` no longer holds them (store.heads.slim)."""
    if count is None:
        count = len(doc.get(TABLE) or {})
    if auth is None:
        return Found(0, count, None, digest(raw))
    miscounted = auth.count != count  # visible even without the key
    return Found(auth.gen, auth.count, False if miscounted else auth.ok, bad_records=tuple(bad))


def _checked(path: Path, keys: list[bytes], cipher: Cipher | None,
             signed_only: bool = False) -> tuple[dict[str, Any], Found]:
    got = read_signed(path) if signed_only else None
    if got is not None:
        doc, raw, tail_end = got
        auth = check(doc, raw, path.name, keys, tail_end)
        bad = altered_records(doc, path.name, cipher) if auth is not None and auth.ok is False else []
        return doc, found_of(doc, raw, auth, bad)
    try:
        doc, raw = _load(path)
    except StoreCorrupt:  # cut short or garbled: named by the manifest check, not a crash here
        return {}, Found(-1, -1, False)
    auth = check(doc, raw, path.name, keys)
    bad = altered_records(doc, path.name, cipher) if auth is not None and auth.ok is False else []
    return doc, found_of(doc, raw, auth, bad)


def office_env(doc: dict[str, Any]) -> str | None:
    """The envelope id the shard's key is wrapped under for the office (None: not yet)."""
    o = (doc.get(KEY) or {}).get(OFFICE_WRAP)
    return o.get(ENVELOPE) if isinstance(o, dict) else None


def read_rows(path: Path, cipher: Cipher) -> tuple[bool, str | None, dict[str, dict[str, Any]], Found]:
    """(sealed?, office envelope id, {doc_id: document}) of a shard for building list
    rows at unlock: the clear parts with only what a row shows filled in (name, phone,
    the start of the summary), from the small `_rows` value. The full personal part,
    20 times larger, stays sealed until a record is opened or search is prepared;
    that is what keeps an unlock at 50 000 records well under a second; it is not
    even read from disk (store.integrity.read_signed). A shard that fails its check
    is returned all the same, with `Found.ok` False naming it."""
    doc, found = _checked(path, integrity_keys(cipher), cipher, signed_only=True)
    if not (is_sealed_file(doc) or ROWS in doc):  # read without its `_sealed` tail, if sealed
        return False, None, doc.get(TABLE) or {} if found.ok is not False else {}, found
    if found.ok is False:  # not trusted, not listed: the problem names it (store.watch)
        return True, office_env(doc), {}, found
    name = path.name
    try:
        rows = shard_cipher(doc, name, cipher).open(doc[ROWS], rows_aad(name))
    except Exception as e:  # SealBroken, by duck typing
        raise _corrupt(path, str(e)) from None
    docs = doc.get(TABLE) or {}
    for doc_id, clear in docs.items():
        row = rows.get(doc_id)
        if row is None or row[0] != clear.get("version"):
            raise _corrupt(path, f"record {doc_id}")
        visitor = clear.get("visitor")
        if visitor.__class__ is dict:
            visitor["name"], visitor["phone"] = row[1], row[2]
        clear["summary"] = row[3]
    return True, office_env(doc), docs, found


def read_for_office(path: Path) -> tuple[dict[str, dict[str, Any]], dict[str, Any] | None, Found]:
    """({doc_id: clear part}, what the office needs to read the personal parts: the
    shard's key wrapped for it and the sealed part — or None for a plain shard, whose
    documents are whole, and what the shard says of itself for the manifest check).
    No key is needed: this is what the nightly export reads."""
    doc, found = _checked(path, [], None)
    if not is_sealed_file(doc):
        return doc.get(TABLE) or {}, None, found
    o = (doc.get(KEY) or {}).get(OFFICE_WRAP)
    part = {ENVELOPE: o[ENVELOPE], WRAPPED: o[WRAPPED], "sealed": doc[SEALED]} if isinstance(o, dict) else {}
    return doc.get(TABLE) or {}, part, found
