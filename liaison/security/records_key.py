"""The office's records key: what keeps residents' details sealed at rest at the office.

`hq ingest` and `hq serve` run unattended, with no PIN, yet must never leave a name on
the office's disk. So the office has an X25519 *records key* pair, the station's
envelope model turned around:

    keys/records.json   {"format", "key_id", "public": b64 (clear), "private": sealed
                         under the office keyring's data key (only a PIN opens it)}

Each merge is a batch: a row of office.db `seal_keys` holding a 32-byte batch key sealed
to the public key (RFC 9180 HPKE base mode from `cryptography`, X25519 / HKDF-SHA256 /
AES-256-GCM); every personal part of the batch is AES-256-GCM under the batch key, bound
to the record's id and version. One writer's merges of a day share a key (hq.dbconn:
a night's ~200 bundles, one unwrap for a reader), each still a batch of its own. Bundle
copies kept in processed/ and quarantine/ are sealed the same way (a file header names
the batch).
Staff unlock with a PIN → the data key → the private key → each batch key once.

Replacing the pair (an office officer removed) rewraps the batch keys only: once per
key (the batches that share it keep sharing), never the records.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..store.atomic import atomic_write
from . import hybrid
from .errors import SealBroken, SecurityError
from .keys import b64d, b64e, keys_dir, raw_private, raw_public
from .seal import Sealer

FILE = "records.json"
FORMAT = "liaison-office-records/1"
_INFO = b"liaison-office-records/1 batch key"
FILE_MAGIC = b"LOS1"  # a sealed file: magic, batch id (8 bytes), nonce, ciphertext
NONCE = 12


class NoRecordsKey(SecurityError):
    def __init__(self, home: Path):
        super().__init__(f"院本部尚未设置工作人员 PIN，个人信息无法加密保存。请先运行：liaison hq init --officer <姓名> "
                         f"(no office staff PIN is set up at {home}, so personal data cannot be stored sealed; "
                         f"run `liaison hq init --officer NAME` first)")


def _path(home: Path) -> Path:
    return keys_dir(home) / FILE


def exists(home: Path) -> bool:
    return (Path(home) / "keys" / FILE).exists()


def _private_aad(key_id: str) -> bytes:
    return orjson.dumps([FORMAT, "private", key_id])


def _load(home: Path) -> dict[str, Any]:
    try:
        doc = orjson.loads(_path(home).read_bytes())
    except FileNotFoundError:
        raise NoRecordsKey(home) from None
    except (orjson.JSONDecodeError, OSError) as e:
        raise SealBroken(f"院本部记录密钥文件无法读取：{_path(home)} (unreadable records key file: {e})") from None
    if not (isinstance(doc, dict) and doc.get("format") == FORMAT
            and all(isinstance(doc.get(k), str) for k in ("key_id", "public", "private"))):
        raise SealBroken(f"院本部记录密钥文件格式不对：{_path(home)} (unexpected records key file)")
    return doc


def _write(home: Path, private: X25519PrivateKey, sealer: Sealer, previous: Sequence[X25519PrivateKey] = ()) -> None:
    key_id = secrets.token_hex(8)
    doc = {"format": FORMAT, "key_id": key_id, "public": b64e(raw_public(private.public_key())),
           "private": sealer.seal(b64e(raw_private(private)), _private_aad(key_id))}
    if previous:  # until every batch key is rewrapped (a crash may come between)
        doc["previous"] = sealer.seal([b64e(raw_private(k)) for k in previous], _private_aad(key_id + "/previous"))
    atomic_write(_path(home), orjson.dumps(doc, option=orjson.OPT_INDENT_2))
    os.chmod(_path(home), 0o600)


def create(home: Path, data_key: bytes) -> None:
    """A new pair, its private half sealed under the office keyring's data key."""
    _write(home, X25519PrivateKey.generate(), Sealer(data_key))


def public(home: Path) -> X25519PublicKey:
    """What the unattended jobs seal to (NoRecordsKey before staff are set up)."""
    try:
        return X25519PublicKey.from_public_bytes(b64d(_load(home)["public"]))
    except ValueError:
        raise SealBroken(f"院本部记录公钥损坏：{_path(home)} (damaged records public key)") from None


def private(home: Path, sealer: Sealer) -> list[X25519PrivateKey]:
    """The private key, then any earlier ones whose batch keys may not be rewrapped yet."""
    doc = _load(home)
    key = X25519PrivateKey.from_private_bytes(b64d(sealer.open(doc["private"], _private_aad(doc["key_id"]))))
    if raw_public(key.public_key()) != b64d(doc["public"]):
        raise SealBroken(f"院本部记录密钥的公钥与私钥不符：{_path(home)} (records key halves do not match)")
    earlier = sealer.open(doc["previous"], _private_aad(doc["key_id"] + "/previous")) if "previous" in doc else []
    return [key, *(X25519PrivateKey.from_private_bytes(b64d(k)) for k in earlier)]


def replace(home: Path, old: Sealer, new_data_key: bytes) -> tuple[list[X25519PrivateKey], X25519PrivateKey]:
    """A new pair under `new_data_key` (the old ones kept in the file, sealed, until
    `forget_previous`); returns (old privates, new private) for `rewrap`."""
    before = private(home, old)
    after = X25519PrivateKey.generate()
    _write(home, after, Sealer(new_data_key), before)
    return before, after


def forget_previous(home: Path, sealer: Sealer) -> None:
    """Every batch key is wrapped to the current pair: the earlier ones go."""
    _write(home, private(home, sealer)[0], sealer)


def wrap(batch_key: bytes, to: X25519PublicKey) -> bytes:
    return hybrid.seal(batch_key, to, _INFO)


def unwrap(wrapped: bytes, keys: list[X25519PrivateKey]) -> bytes:
    for key in keys:
        try:
            return hybrid.open_sealed(wrapped, key, _INFO)
        except (InvalidTag, ValueError):
            continue
    raise SealBroken("批次密钥无法用本院记录密钥打开 (a batch key does not open with the records key)")


def rewrap(wrapped: bytes, old: list[X25519PrivateKey], new: X25519PublicKey) -> bytes:
    return wrap(unwrap(wrapped, old), new)


def record_aad(record_id: str, version: int) -> bytes:
    return orjson.dumps([FORMAT, "record", record_id, version])


def file_aad(name: str) -> bytes:
    return orjson.dumps([FORMAT, "file", name])


@dataclass
class BatchSealer:
    """Seals for one batch (a merge, a kept bundle): `wrapped` goes to seal_keys."""

    to: X25519PublicKey
    key: bytes = field(default_factory=lambda: AESGCM.generate_key(bit_length=256), repr=False)

    def __post_init__(self) -> None:
        self.wrapped = wrap(self.key, self.to)
        self._aead = AESGCM(self.key)

    def seal(self, value: Any, aad: bytes) -> bytes:
        return self.seal_bytes(orjson.dumps(value), aad)

    def seal_bytes(self, data: bytes, aad: bytes) -> bytes:
        nonce = os.urandom(NONCE)
        return nonce + self._aead.encrypt(nonce, data, aad)

    def seal_file(self, batch: int, data: bytes, name: str) -> bytes:
        return FILE_MAGIC + batch.to_bytes(8, "big") + self.seal_bytes(data, file_aad(name))


class Opener:
    """Opens sealed parts for an unlocked office; each batch key is unwrapped once, and
    batches that share a key (one writer's merges, hq.dbconn) share its one unwrap."""

    def __init__(self, keys: list[X25519PrivateKey], wrapped_of: Callable[[int], bytes | None]):
        self._keys, self._wrapped_of = keys, wrapped_of
        self._batches: dict[int, AESGCM] = {}
        self._unwrapped: dict[bytes, AESGCM] = {}

    def _aead(self, batch: int, wrapped: bytes | None = None) -> AESGCM:
        aead = self._batches.get(batch)
        if aead is None:
            wrapped = wrapped if wrapped is not None else self._wrapped_of(batch)
            if wrapped is None:
                raise SealBroken(f"缺少批次密钥 {batch} (batch key {batch} is missing)")
            # Keyed by the wrap's bytes: a wrap copied onto another batch's row still
            # opens nothing of that batch, whose blobs were sealed under its own key.
            aead = self._unwrapped.get(wrapped)
            if aead is None:
                aead = self._unwrapped[wrapped] = AESGCM(unwrap(wrapped, self._keys))
            self._batches[batch] = aead
        return aead

    def open_bytes(self, batch: int, blob: bytes, aad: bytes, wrapped: bytes | None = None) -> bytes:
        try:
            if len(blob) < NONCE + 16:  # no room for its tag: cut short (AESGCM would refuse the nonce)
                raise InvalidTag
            return self._aead(batch, wrapped).decrypt(blob[:NONCE], blob[NONCE:], aad)
        except InvalidTag:
            raise SealBroken(f"个人信息密文被改动或不属于此记录 (a sealed part was altered or belongs elsewhere; "
                             f"batch {batch})") from None

    def open(self, batch: int, blob: bytes, aad: bytes, wrapped: bytes | None = None) -> Any:
        return orjson.loads(self.open_bytes(batch, blob, aad, wrapped))

    def open_file(self, data: bytes, name: str) -> bytes:
        if not data.startswith(FILE_MAGIC):
            raise SealBroken(f"不是院本部加密保存的文件：{name} (not a file sealed by the office)")
        batch = int.from_bytes(data[4:12], "big")
        return self.open_bytes(batch, data[12:], file_aad(name))
