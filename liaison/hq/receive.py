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


async def receive(content: StreamReader, claims: Claims, folder: Path, chunk_timeout: float = CHUNK_TIMEOUT) -> Path:
    """The path of a temp file holding exactly the signed bytes; the caller deletes it.
    Raises BodyRefused (temp file already gone) otherwise."""
    fd, name = tempfile.mkstemp(dir=folder, suffix=".part")
    path = Path(name)
    h, n = hashlib.sha256(), 0
    try:
        with os.fdopen(fd, "wb") as f:
            while True:
                try:
                    chunk = await asyncio.wait_for(content.read(CHUNK), chunk_timeout)
                except asyncio.TimeoutError:
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
