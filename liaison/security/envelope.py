"""Envelope keys: how a record saved at the station becomes readable by the district
office while the nightly job, which runs with no PIN, never holds the data key.

When an officer saves a record (the station is unlocked), the store seals the
personal parts of the record's shard under a fresh key K and wraps K twice: under
the data key, and under an *envelope key* E (see store/sealed.py). E itself is kept
twice in keys/envelopes.json:

  - `to_office`: E encrypted to the office's X25519 public key (HPKE, see
    hybrid.py; "hpke:" and base64, or plain base64 for one written before) — only
    the office can open it; the export ships it;
  - `local`: E sealed under the data key — so an unlocked station can seal with it.

A thief with the disk has neither the office's private key nor a PIN. The export
ships the shards' sealed parts, their keys wrapped under E and the `to_office`
envelopes, exactly as stored; the office opens each envelope once per bundle and
each shard with two AES-GCM calls. A new office key gets a new envelope (E is never
sent to two offices), and shards wrapped under the old one are rewrapped at the
next unlock.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..domain.timeutil import now
from ..store.atomic import atomic_write
from ..store.sealed import key_aad, shard_aad
from . import hybrid
from .errors import SealBroken
from .keys import OfficePublic, b64d, b64e, keys_dir
from .seal import Sealer

FILE = "envelopes.json"
FORMAT = "liaison-envelopes/1"
# Base64 never holds a colon: a blob without this mark is one written before HPKE.
HPKE_MARK = "hpke:"


def _info(env_id: str) -> bytes:
    return b"liaison-envelope/1\x00" + env_id.encode()


def seal_to_office(office: X25519PublicKey, env_id: str, key: bytes) -> str:
    return HPKE_MARK + b64e(hybrid.seal(key, office, _info(env_id)))


def open_at_office(office: X25519PrivateKey, env_id: str, blob: str) -> bytes:
    """The envelope key E, opened with the office's private key (SealBroken if not ours)."""
    try:
        if isinstance(blob, str) and blob.startswith(HPKE_MARK):  # a bundle's envelopes are untrusted
            return hybrid.open_sealed(b64d(blob[len(HPKE_MARK):]), office, _info(env_id))
        raw = b64d(blob)
        epk, nonce, ct = raw[:hybrid.EPK], raw[hybrid.EPK:hybrid.EPK + hybrid.NONCE], raw[hybrid.EPK + hybrid.NONCE:]
        return hybrid.open_legacy(epk, nonce, ct, office, _info(env_id))
    except (InvalidTag, ValueError, TypeError):
        raise SealBroken(f"信封密钥 {env_id} 无法用本院密钥打开 (envelope {env_id} does not open with this office's key)") from None


class Envelope(Sealer):
    """The office's envelope key E as a cipher (the store's OfficeCipher): the store
    wraps each shard's key with it. `current` names E in keys/envelopes.json."""

    def __init__(self, env_id: str, key: bytes):
        super().__init__(key)
        self.current = env_id


def _path(home: Path) -> Path:
    return keys_dir(home) / FILE


def _load(home: Path) -> dict[str, Any]:
    try:
        doc = orjson.loads(_path(home).read_bytes())
    except FileNotFoundError:
        return {"format": FORMAT, "current": None, "envelopes": {}}
    except (orjson.JSONDecodeError, OSError) as e:
        raise SealBroken(f"信封密钥文件无法读取：{_path(home)} (unreadable envelope file: {e})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or not isinstance(doc.get("envelopes"), dict):
        raise SealBroken(f"信封密钥文件格式不对：{_path(home)} (unexpected envelope file)")
    return doc


def for_office(home: Path, sealer: Sealer, office: OfficePublic, *, renew: bool = False) -> Envelope:
    """The envelope for `office` (made on first use; needs the unlocked data key).
    `renew`: a new one even if the current one fits — after the data key is replaced,
    since the current envelope key is sealed under the old data key."""
    doc = _load(home)
    cur = doc["envelopes"].get(doc.get("current") or "")
    if cur is not None and cur.get("office_key") == office.key_id and not renew:
        key = b64d(sealer.open(cur["local"], _info(doc["current"])))
        return Envelope(doc["current"], key)
    env_id = secrets.token_hex(8)
    key = AESGCM.generate_key(bit_length=256)
    doc["envelopes"][env_id] = {"office_key": office.key_id, "created_at": now().isoformat(timespec="seconds"),
                                "to_office": seal_to_office(office.x25519, env_id, key),
                                "local": sealer.seal(b64e(key), _info(env_id))}
    doc["current"] = env_id
    atomic_write(_path(home), orjson.dumps(doc, option=orjson.OPT_INDENT_2))
    os.chmod(_path(home), 0o600)
    return Envelope(env_id, key)


def shipped(home: Path, env_ids: set[str]) -> dict[str, str]:
    """{envelope id: to_office} for the envelopes the exported records use (no key needed)."""
    envs = _load(home)["envelopes"]
    missing = sorted(env_ids - envs.keys())
    if missing:
        raise SealBroken(f"缺少信封密钥 {', '.join(missing)}：keys/{FILE} 被改动或丢失 "
                         f"(envelope keys {', '.join(missing)} are missing from keys/{FILE})")
    return {e: envs[e]["to_office"] for e in sorted(env_ids)}


@dataclass
class OfficeOpener:
    """At the office: the personal parts of one bundle's records. Each envelope is
    opened once (X25519), each shard's key and sealed part once (AES-GCM)."""

    office: X25519PrivateKey
    to_office: dict[str, str]  # envelope id -> E sealed to the office
    shards: dict[str, dict[str, Any]]  # shard name -> {"e", "w", "sealed"} (store.sealed.read_for_office)

    def __post_init__(self) -> None:
        self._envs: dict[str, Envelope] = {}
        self._personal: dict[str, dict[str, Any]] = {}

    def _envelope(self, env_id: str) -> Envelope:
        env = self._envs.get(env_id)
        if env is None:
            if env_id not in self.to_office:
                raise SealBroken(f"数据包缺少信封密钥 {env_id} (the bundle lacks envelope {env_id})")
            env = self._envs[env_id] = Envelope(env_id, open_at_office(self.office, env_id, self.to_office[env_id]))
        return env

    def personal(self, shard: str, doc_id: str) -> dict[str, Any]:
        """The personal part of one document (with its `_v`, the version it belongs to)."""
        got = self._personal.get(shard)
        if got is None:
            part = self.shards.get(shard)
            if not isinstance(part, dict):
                raise SealBroken(f"数据包缺少分片 {shard} 的密文 (the bundle lacks the sealed part of {shard})")
            env = self._envelope(part["e"])
            key = b64d(env.open(part["w"], key_aad(shard, part["e"])))
            got = self._personal[shard] = env.with_key(key).open(part["sealed"], shard_aad(shard))
        mine = got.get(doc_id)
        if not isinstance(mine, dict):
            raise SealBroken(f"分片 {shard} 中没有记录 {doc_id} (no document {doc_id} in {shard})")
        return mine
