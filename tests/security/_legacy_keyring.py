"""A keyring in the first file format (version 1), as stations set up before issue 11
have it: one top-level "kdf", and each wrap holding the data key itself under the
PIN-derived key. Written the way keyring.py version 1 wrote it."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from liaison.security.keys import b64e
from liaison.security.pins import derive

V1_KDF = {"name": "scrypt", "n": 2**14, "r": 8, "p": 1, "length": 32}


def _wrap(secret: str, key: bytes, aad: list) -> dict:
    salt, nonce = os.urandom(16), os.urandom(12)
    ct = AESGCM(derive(secret, salt, V1_KDF)).encrypt(nonce, key, orjson.dumps(aad))
    return {"salt": b64e(salt), "nonce": b64e(nonce), "wrapped": b64e(ct), "created_at": "2026-01-05T09:00:00+08:00"}


def write_v1(home: Path, station: str, pins: dict[str, str], recovery_normalised: str) -> bytes:
    """Write keys/officers.json in format 1; returns the data key."""
    key = AESGCM.generate_key(bit_length=256)
    tag = "liaison-keyring/1"
    doc = {"format": "liaison-keyring", "version": 1, "station": station, "kdf": V1_KDF,
           "officers": {n: _wrap(p, key, [tag, station, "officer", n]) for n, p in pins.items()},
           "recovery": _wrap(recovery_normalised, key, [tag, station, "recovery", ""])}
    folder = Path(home) / "keys"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    (folder / "officers.json").write_bytes(orjson.dumps(doc))
    return key
