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


TAIL_SIG = 40  # bytes of the unsigned tail's end that are signed: its AES-GCM tag lies there


def _mac(key: bytes | None, name: str, gen: int, count: int, at: int, signed: bytes | memoryview,
         tail_end: bytes) -> str:
    h = hashlib.sha256() if key is None else hmac.new(key, digestmod=hashlib.sha256)
    h.update(orjson.dumps([name, gen, count, at]) + b"\x00")
    h.update(signed)
    h.update(b"\x00" + tail_end)
    return h.hexdigest()


def _tail_end(raw: bytes, at: int) -> bytes:
    """The last TAIL_SIG bytes before `,"_auth":` that lie past `at` (see stamp)."""
    j = raw.rfind(_MARK)
    while j > 0 and raw[j - 1:j].isspace():
        j -= 1
    if raw[j - 1:j] == b",":
        j -= 1
    return raw[max(at, j - TAIL_SIG):j] if j > at else b""


def stamp(body: bytes, name: str, gen: int, count: int, key: bytes | None, unsigned_tail: bytes = b"") -> bytes:
    """`body` (a JSON object as bytes) with its `_auth` member appended. What is signed
    is the file's first `at` bytes as written, so checking needs no copy of the file.
    `unsigned_tail` names a last member that carries its own authentication (a sealed
    shard's `_sealed`: AES-GCM under the shard key, which `_key` — signed — binds to
    this write): it is left out, so an unlock reads only the first `at` bytes — all but
    its last TAIL_SIG bytes, which hold the GCM tag, so another `_sealed` pasted in is
    still found at unlock, not only when a record is read."""
    close = body.rstrip()[:-1]
    cut = close.rfind(unsigned_tail) if unsigned_tail else -1
    at = cut if cut > 0 else len(close)
    tail_end = close[at:][-TAIL_SIG:]
    auth = orjson.dumps({"gen": gen, "count": count, "k": key_id(key), "at": at,
                         "mac": _mac(key, name, gen, count, at, close[:at], tail_end)})
    return close + (b"," if close.strip() != b"{" else b"") + _MARK + auth + b"}"


def body_of(raw: bytes) -> bytes:
    """The file as it was before `_auth` was appended (tests, and migrations by hand).
    Inside a JSON string a quote is always escaped, so the last `"_auth":` is the key."""
    head = raw[:raw.rfind(_MARK)].rstrip()
    return (head[:-1] if head.endswith(b",") else head) + b"}"


def read_signed(path: Any) -> tuple[dict[str, Any], bytes, bytes] | None:
    """(the shard parsed without its unsigned tail, `_auth` included; the signed bytes;
    the signed end of the tail), reading only those bytes and the last kilobyte; None
    when the file does not say where its tail starts (a legacy shard: read it whole)."""
    try:
        with open(path, "rb") as f:
            return read_signed_from(f, f.seek(0, 2))
    except OSError:
        return None


def read_signed_from(f: Any, size: int) -> tuple[dict[str, Any], bytes, bytes] | None:
    """read_signed of a file already open (`size` bytes long), so the caller can stamp
    exactly the file it read (store.heads)."""
    try:
        f.seek(max(0, size - 1024))
        end = f.read()
        i = end.rfind(_MARK)
        if i < 0:
            return None
        auth = orjson.loads(end[i + len(_MARK):].rstrip()[:-1])
        at = auth.get("at") if isinstance(auth, dict) else None
        if not isinstance(at, int) or not 0 < at <= size:
            return None
        f.seek(0)
        head = f.read(at)
        doc = orjson.loads(head + b"}")
    except (OSError, orjson.JSONDecodeError):
        return None  # read whole, where the error is reported as usual
    if not isinstance(doc, dict):
        return None
    doc[AUTH] = auth
    return doc, head, _tail_end(end, at - (size - len(end)))


@dataclass(frozen=True)
class ShardAuth:
    """What a shard says about itself; `ok` is None when it could not be checked (no key)."""

    gen: int
    count: int
    key: str
    ok: bool | None


def check(doc: dict[str, Any], raw: bytes, name: str, keys: Sequence[bytes],
          tail_end: bytes | None = None) -> ShardAuth | None:
    """Pop `_auth` from the parsed `doc` and check it against `raw` (the whole file, or
    its signed bytes with `tail_end` from read_signed) with whichever of `keys` it
    names. None for a shard written before shards carried `_auth`."""
    auth = doc.pop(AUTH, None)
    if auth is None:
        return None
    try:
        gen, count, kid, mac = int(auth["gen"]), int(auth["count"]), str(auth["k"]), str(auth["mac"])
        at = int(auth["at"])
    except (KeyError, TypeError, ValueError):
        return ShardAuth(-1, -1, "?", False)
    if kid == KEYLESS:
        key: bytes | None = None
    else:
        key = next((k for k in keys if key_id(k) == kid), None)
        if key is None:  # with keys in hand, a key that is none of ours is a forgery
            return ShardAuth(gen, count, kid, False if keys else None)
    if tail_end is None:
        tail_end = _tail_end(raw, at)
    ok = len(raw) >= at and hmac.compare_digest(_mac(key, name, gen, count, at, memoryview(raw)[:at], tail_end),
                                                mac)
    return ShardAuth(gen, count, kid, ok)


def digest(raw: bytes) -> str:
    """Of a legacy shard (no `_auth`): kept in the authenticated manifest instead."""
    return hashlib.sha256(raw).hexdigest()


def record_digest(clear_json: bytes) -> str:
    """Of one record's clear part as written; sealed in the shard's list rows, so an
    edited clear field can be traced to its record."""
    return hashlib.sha256(clear_json).hexdigest()[:16]
