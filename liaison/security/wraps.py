"""One officer's (or the recovery code's) way to the data key: the entries of keys/officers.json.

Format 2 (a *recipient* wrap, like an age or ssh-agent recipient):

    {"kdf": {...}, "salt", "nonce", "wrapped": X25519 private key under KEK(PIN),
     "public": the X25519 public key, "key": the data key sealed to "public" (HPKE)}

KEK(PIN) is scrypt with the wrap's own "kdf" parameters, so raising pins.KDF changes
new wraps only and every existing wrap still opens with what it was made with. The
data key is sealed to the officer's PUBLIC key (RFC 9180 HPKE base mode, X25519 /
HKDF-SHA256 / AES-256-GCM, from `cryptography`): anyone holding the data key can seal a
NEW data key to every officer without knowing their PINs. That is what lets removing
an officer replace the data key (keyring.py).

Format 1 (a *legacy* wrap): the data key itself under KEK(PIN), parameters in the
file's top-level "kdf". It still opens; its owner's next unlock converts it, since
only their PIN can make the private key's wrap.

Every wrap is bound (AES-GCM associated data / HPKE info) to the station, the role,
the name and — for "key" — the data key's id, so a wrap copied to another name, another
station or an older key does not open.
"""

from __future__ import annotations

import os
from typing import Any

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..domain.timeutil import now
from . import hybrid, pins
from .keys import b64d, b64e, raw_public

TAG_V1, TAG_V2 = "liaison-keyring/1", "liaison-keyring/2"
_NS = {2**k for k in range(14, 21)}  # 16 MiB … 1 GiB, ~0.05 s … ~3 s per guess here


def params_ok(kdf: Any) -> bool:
    """Bounded so an edited file cannot make an unlock take minutes or gigabytes."""
    return (isinstance(kdf, dict) and kdf.get("name") == "scrypt" and kdf.get("n") in _NS
            and kdf.get("r") == 8 and kdf.get("p") in (1, 2, 3, 4) and kdf.get("length") == 32)


def params(entry: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    """The wrap's own parameters; a format-1 wrap has the file's."""
    return entry.get("kdf") or doc.get("kdf") or {}


def is_legacy(entry: dict[str, Any]) -> bool:
    return "public" not in entry


def aad(tag: str, station: str, role: str, name: str = "", key_id: str = "") -> bytes:
    # A JSON array: unambiguous however the names are spelled.
    parts = [tag, station, role, name] + ([key_id] if key_id else [])
    return orjson.dumps(parts)


def new(secret: str, data_key: bytes, station: str, role: str, name: str, key_id: str) -> dict[str, Any]:
    """A format-2 wrap for `secret`, made with today's cost (pins.KDF)."""
    kdf = dict(pins.KDF)
    salt, nonce = os.urandom(16), os.urandom(12)
    private = X25519PrivateKey.generate()
    raw = private.private_bytes_raw()
    wrapped = AESGCM(pins.derive(secret, salt, kdf)).encrypt(nonce, raw, aad(TAG_V2, station, role, name))
    entry = {"kdf": kdf, "salt": b64e(salt), "nonce": b64e(nonce), "wrapped": b64e(wrapped),
             "public": b64e(raw_public(private.public_key())),
             "created_at": now().isoformat(timespec="seconds")}
    return reseal(entry, data_key, station, role, name, key_id)


def reseal(entry: dict[str, Any], data_key: bytes, station: str, role: str, name: str, key_id: str) -> dict[str, Any]:
    """`entry` with `data_key` sealed to its public key: no PIN needed."""
    public = X25519PublicKey.from_public_bytes(b64d(entry["public"]))
    sealed = hybrid.seal(data_key, public, aad(TAG_V2, station, role, name, key_id))
    return {**entry, "key": b64e(sealed)}


def open_wrap(entry: dict[str, Any], doc: dict[str, Any], secret: str, role: str, name: str) -> bytes | None:
    """The data key, or None if `secret` is not the wrap's."""
    station = doc["station"]
    try:
        kek = pins.derive(secret, b64d(entry["salt"]), params(entry, doc))
        if is_legacy(entry):
            return AESGCM(kek).decrypt(b64d(entry["nonce"]), b64d(entry["wrapped"]), aad(TAG_V1, station, role, name))
        raw = AESGCM(kek).decrypt(b64d(entry["nonce"]), b64d(entry["wrapped"]), aad(TAG_V2, station, role, name))
        private = X25519PrivateKey.from_private_bytes(raw)
        return hybrid.open_sealed(b64d(entry["key"]), private, aad(TAG_V2, station, role, name, doc["key_id"]))
    except (InvalidTag, ValueError):  # ValueError: a key of the wrong length
        return None
