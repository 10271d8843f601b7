"""Each shard file authenticates all of its own bytes, clear fields included.

A shard ends with an `_auth` member written last:

    {..., "_auth": {"gen": 7, "count": 100, "k": "3f9c…", "mac": "…"}}

`mac` is HMAC-SHA256 over the shard's name, `gen` and `count` and every byte of the
file before `_auth` (the JSON as written, re-closed), under the station's integrity
key — derived from the data key, so only an unlocked station can write one, and a
thief or a meddler with the folder cannot make an edited shard verify. `gen` counts
the writes of that shard; the manifest (store.manifest) remembers the last `gen` of
every shard, which is how a shard rolled back to an older copy is found. `k` names
the key (after an officer is removed the data key, and so this key, changes).

A store that has no key yet (no officer set up) writes `k = "-"` and a plain SHA-256:
it finds a damaged or truncated file, not a deliberate edit.

MAC-ing the bytes as written (not a re-serialisation of parsed values) means the
check needs no canonical form and costs one pass of SHA-256 over the file.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any, Sequence

import orjson

AUTH = "_auth"
KEYLESS = "-"
_MARK = b'"_auth":'


def key_id(key: bytes | None) -> str:
    if key is None:
        return KEYLESS
    return hmac.new(key, b"liaison key id", hashlib.sha256).hexdigest()[:16]


def _mac(key: bytes | None, name: str, gen: int, count: int, signed: bytes | memoryview) -> str:
    h = hashlib.sha256() if key is None else hmac.new(key, digestmod=hashlib.sha256)
    h.update(orjson.dumps([name, gen, count]) + b"\x00")
    h.update(signed)
    return h.hexdigest()


def stamp(body: bytes, name: str, gen: int, count: int, key: bytes | None) -> bytes:
    """`body` (a JSON object as bytes) with its `_auth` member appended. What is signed is
    everything before `"_auth":` as written, so checking needs no copy of the file."""
    signed = body.rstrip()[:-1] + (b"," if body.strip() != b"{}" else b"")
    auth = orjson.dumps({"gen": gen, "count": count, "k": key_id(key), "mac": _mac(key, name, gen, count, signed)})
    return signed + _MARK + auth + b"}"


def _signed(raw: bytes) -> memoryview:
    """The bytes `stamp` signed. Inside a JSON string a quote is always escaped, so the
    last `"_auth":` in the file is the member's key."""
    return memoryview(raw)[:raw.rfind(_MARK)]


def body_of(raw: bytes) -> bytes:
    """The file as it was before `_auth` was appended (tests, and migrations by hand)."""
    head = bytes(_signed(raw)).rstrip()
    return (head[:-1] if head.endswith(b",") else head) + b"}"


@dataclass(frozen=True)
class ShardAuth:
    """What a shard says about itself; `ok` is None when it could not be checked (no key)."""

    gen: int
    count: int
    key: str
    ok: bool | None


def check(doc: dict[str, Any], raw: bytes, name: str, keys: Sequence[bytes]) -> ShardAuth | None:
    """Pop `_auth` from the parsed `doc` and check it against `raw` with whichever of
    `keys` it names. None for a shard written before shards carried `_auth`."""
    auth = doc.pop(AUTH, None)
    if auth is None:
        return None
    try:
        gen, count, kid, mac = int(auth["gen"]), int(auth["count"]), str(auth["k"]), str(auth["mac"])
    except (KeyError, TypeError, ValueError):
        return ShardAuth(-1, -1, "?", False)
    if kid == KEYLESS:
        key: bytes | None = None
    else:
        key = next((k for k in keys if key_id(k) == kid), None)
        if key is None:  # with keys in hand, a key that is none of ours is a forgery
            return ShardAuth(gen, count, kid, False if keys else None)
    ok = hmac.compare_digest(_mac(key, name, gen, count, _signed(raw)), mac)
    return ShardAuth(gen, count, kid, ok)


def digest(raw: bytes) -> str:
    """Of a legacy shard (no `_auth`): kept in the authenticated manifest instead."""
    return hashlib.sha256(raw).hexdigest()


def record_digest(clear_json: bytes) -> str:
    """Of one record's clear part as written; sealed in the shard's list rows, so an
    edited clear field can be traced to its record."""
    return hashlib.sha256(clear_json).hexdigest()[:16]
