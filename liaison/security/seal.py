"""Sealing one value under the data key: the primitive the store will use for personal fields.

Layout of a sealed value:  version (1 byte) | nonce (12 bytes) | AES-GCM ciphertext+tag.
The version byte is also part of the authenticated data, so it cannot be flipped to
make a reader try another layout. Nonces are random: with 96 bits, the chance of a
repeat stays negligible far beyond the few million values a station will ever seal
under one key (NIST's limit for random nonces is 2**32 messages per key).

`aad` is what the value belongs to — e.g. b"consultation:<id>:visitor.name" — so a
sealed phone number copied into another record's field, or into another field, fails
to open instead of silently showing the wrong person's data.

`seal_json`/`open_json` wrap a JSON value into a base64 string that can sit in a JSON
document (the store's shards, the audit log) where bytes cannot.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from typing import Any, Sequence, TypeGuard

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .errors import SealBroken

VERSION = 1
NONCE = 12
TAG = 16
KEY_BYTES = 32
PREFIX = "s1:"  # marks a sealed string, so a reader can tell it from a clear legacy value


def _check_key(data_key: bytes) -> None:
    if not isinstance(data_key, (bytes, bytearray)) or len(data_key) != KEY_BYTES:
        raise ValueError("data key must be 32 bytes")


def _aad(aad: bytes) -> bytes:
    return bytes([VERSION]) + b"\x00" + bytes(aad)


def seal(data_key: bytes, plaintext: bytes, aad: bytes = b"") -> bytes:
    """Encrypt and authenticate `plaintext`, bound to `aad` (which is not stored)."""
    _check_key(data_key)
    nonce = os.urandom(NONCE)
    return bytes([VERSION]) + nonce + AESGCM(bytes(data_key)).encrypt(nonce, bytes(plaintext), _aad(aad))


def open_sealed(data_key: bytes, sealed: bytes, aad: bytes = b"") -> bytes:
    """The plaintext, or SealBroken if the bytes, the key or the aad are not the sealed ones."""
    _check_key(data_key)
    return _open(AESGCM(bytes(data_key)), sealed, aad)


def _open(aead: AESGCM, sealed: bytes, aad: bytes) -> bytes:
    if len(sealed) < 1 + NONCE + TAG:
        raise SealBroken("加密数据不完整 (sealed value is truncated)")
    if sealed[0] != VERSION:
        raise SealBroken(f"未知的加密格式版本 {sealed[0]} (unknown sealed-value version {sealed[0]})")
    nonce, body = sealed[1:1 + NONCE], sealed[1 + NONCE:]
    try:
        return aead.decrypt(nonce, body, _aad(aad))
    except InvalidTag:
        raise SealBroken("加密数据校验失败：已被改动，或密钥/所属记录不符 "
                         "(sealed value failed authentication: altered, or wrong key or context)") from None


def is_sealed(value: Any) -> TypeGuard[str]:
    return isinstance(value, str) and value.startswith(PREFIX)


def seal_json(data_key: bytes, value: Any, aad: bytes = b"") -> str:
    """A JSON value sealed into a printable string ("s1:" + base64)."""
    return Sealer(data_key).seal(value, aad)


def open_json(data_key: bytes, text: str, aad: bytes = b"") -> Any:
    return Sealer(data_key).open(text, aad)


class Sealer:
    """seal_json/open_json under one data key, with the cipher built once: the store
    opens hundreds of shards at unlock, and building AESGCM per value costs more
    than the decryption itself. The store takes any object with these two methods,
    so it never imports this package. `open` also tries the retired keys, so the
    store reads shards sealed before an officer was removed without knowing it."""

    def __init__(self, data_key: bytes, retired: Sequence[bytes] = ()):
        _check_key(data_key)
        self._aead = AESGCM(bytes(data_key))
        # Keys the station had before an officer was removed (keyring.py): what was
        # sealed under them still opens; nothing new is sealed under them.
        for k in retired:
            _check_key(k)
        self._retired = [AESGCM(bytes(k)) for k in retired]
        # The store's MAC keys (store.integrity): derived, so they change with the data
        # key and are never the AES key itself; the retired ones check what was signed
        # before a removal until it is signed again.
        self._integrity = [hmac.new(bytes(k), b"liaison integrity key/1", hashlib.sha256).digest()
                           for k in (data_key, *retired)]

    def integrity_keys(self) -> list[bytes]:
        return list(self._integrity)

    def with_key(self, key: bytes) -> "Sealer":
        return Sealer(key)

    def seal(self, value: Any, aad: bytes = b"") -> str:
        nonce = os.urandom(NONCE)
        raw = bytes([VERSION]) + nonce + self._aead.encrypt(nonce, orjson.dumps(value), _aad(aad))
        return PREFIX + base64.b64encode(raw).decode("ascii")

    def open(self, text: str, aad: bytes = b"") -> Any:
        if not is_sealed(text):
            raise SealBroken("不是加密值 (not a sealed value)")
        try:
            raw = base64.b64decode(text[len(PREFIX):], validate=True)
        except (binascii.Error, ValueError):
            raise SealBroken("加密值编码损坏 (sealed value is not valid base64)") from None
        try:
            return orjson.loads(_open(self._aead, raw, aad))
        except SealBroken:
            for aead in self._retired:
                try:
                    return orjson.loads(_open(aead, raw, aad))
                except SealBroken:
                    continue
            raise
