"""The body of an upload whose signed headers have verified: streamed to a temp file in
`<hq home>/incoming/` while hashed, so memory per request stays one chunk, and a body
that differs from what the station signed never reaches ingest or the quarantine.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from aiohttp import StreamReader

from ..sync.upload_auth import Claims

CHUNK = 64 * 1024
CHUNK_TIMEOUT = 10.0  # seconds without one byte: a trickle (slowloris) must not hold a slot
# ... nor a body dripped one byte every few seconds: the whole body must arrive within
# max(BODY_FLOOR, length / MIN_RATE) seconds (30 s for anything up to ~2 MB).
BODY_FLOOR = 30.0
MIN_RATE = 64 * 1024  # bytes/s


@dataclass
class BodyRefused(Exception):
    status: int
    kind: str
    reason: str


def incoming(home: Path) -> Path:
    d = Path(home) / "incoming"
    d.mkdir(exist_ok=True, mode=0o700)
    return d


def clear_incoming(home: Path) -> None:
    """Leftovers of a killed server are half-received uploads: never worth keeping."""
    for f in incoming(home).glob("*.part"):
        f.unlink(missing_ok=True)


def body_deadline(length: int, floor: float = BODY_FLOOR, rate: float = MIN_RATE) -> float:
    """Seconds the whole body of `length` bytes may take."""
    return max(floor, length / rate)


async def receive(content: StreamReader, claims: Claims, folder: Path, chunk_timeout: float = CHUNK_TIMEOUT,
                  body_floor: float = BODY_FLOOR) -> Path:
    """The path of a temp file holding exactly the signed bytes; the caller deletes it.
    Raises BodyRefused (temp file already gone) otherwise."""
    loop = asyncio.get_running_loop()
    allowed = body_deadline(claims.length, body_floor)
    end = loop.time() + allowed
    fd, name = tempfile.mkstemp(dir=folder, suffix=".part")
    path = Path(name)
    h, n = hashlib.sha256(), 0
    try:
        with os.fdopen(fd, "wb") as f:
            while True:
                left = end - loop.time()
                try:
                    if left <= 0:
                        raise asyncio.TimeoutError
                    chunk = await asyncio.wait_for(content.read(CHUNK), min(chunk_timeout, left))
                except asyncio.TimeoutError:
                    if end - loop.time() <= 0:
                        raise BodyRefused(408, "slow", f"上传过慢，{allowed:g} 秒内未收完（最低 {MIN_RATE // 1024} KiB/s）"
                                                       f"(upload too slow: body not complete within {allowed:g} s, "
                                                       f"minimum {MIN_RATE // 1024} KiB/s)") from None
                    raise BodyRefused(408, "slow", f"上传过慢，{chunk_timeout:g} 秒内未收到数据 "
                                                   f"(upload too slow: nothing for {chunk_timeout:g} s)") from None
                if not chunk:
                    break
                n += len(chunk)
                if n > claims.length:
                    raise BodyRefused(400, "length", "数据长度与签名不符 (body longer than signed)")
                h.update(chunk)
                f.write(chunk)
        if n != claims.length:
            raise BodyRefused(400, "length", "数据长度与签名不符 (body shorter than signed)")
        if h.hexdigest() != claims.sha256:
            raise BodyRefused(400, "body-hash", "数据 SHA-256 与签名不符 (body SHA-256 differs from the signed one)")
        return path
    except BaseException:
        path.unlink(missing_ok=True)
        raise
