"""The attack on an office inbox used by `python -m liaison.bench inbox` and by
tests/sync/test_inbox_load.py: garbage requests, slow heads, slow bodies, gzip bombs,
and a /health poller, all on 127.0.0.1 and all bounded in count and time. Honest
stations upload beside it (`upload_all`, the stations' own HttpTarget).
"""

from __future__ import annotations

import asyncio
import os
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ..sync.targets import HttpTarget, Unreachable
from ..sync.upload_auth import sign_headers

HOST = "127.0.0.1"
BOMB_BYTES = 250 * 1024 * 1024  # what one gzip bomb expands to


@dataclass
class Outcome:
    statuses: dict[str, list[str]] = field(default_factory=dict)  # kind -> first line / "closed" / "held"

    def add(self, kind: str, what: str) -> None:
        self.statuses.setdefault(kind, []).append(what)


async def _exchange(port: int, payload: bytes | Callable, within: float = 15.0) -> str:
    """Send, then the server's status line ("408", ...), "closed" without one, or "held"."""
    try:
        r, w = await asyncio.wait_for(asyncio.open_connection(HOST, port), 5)
    except (OSError, asyncio.TimeoutError):
        return "refused"
    try:
        async def talk() -> str:
            if callable(payload):
                await payload(w)
            else:
                w.write(payload)
                await w.drain()
            line = await r.readline()
            return line.split(b" ")[1].decode() if line.startswith(b"HTTP/1.") else "closed"

        return await asyncio.wait_for(talk(), within)
    except asyncio.TimeoutError:
        return "held"
    except (OSError, IndexError):
        return "closed"
    finally:
        w.close()


def _garbage(i: int) -> bytes:
    junk = os.urandom(512)
    kinds = [
        junk,
        b"GET /bundles HTTP/1.1\r\nHost: x\r\n\r\n",
        b"POST /bundles HTTP/1.1\r\nHost: x\r\nContent-Length: 512\r\n\r\n" + junk,
        b"POST /bundles HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000000\r\n\r\n",
        b"BREW /pot HTCPCP/1.0\r\n\r\n",
        b"POST /bundles HTTP/1.1\r\nHost: x\r\nX-Long: " + b"a" * 9000 + b"\r\n\r\n",
        b"GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n",
        b"POST /bundles HTTP/1.1\r\nHost: x\r\nContent-Length: 512\r\nX-Liaison-Station: nobody\r\n"
        b"X-Liaison-Signature: AAAA\r\n\r\n" + junk,
    ]
    return kinds[i % len(kinds)]


async def garbage(port: int, out: Outcome, n: int = 200, at_once: int = 20) -> None:
    gate = asyncio.Semaphore(at_once)

    async def one(i: int) -> None:
        async with gate:
            out.add("garbage", await _exchange(port, _garbage(i)))

    await asyncio.gather(*(one(i) for i in range(n)))


async def slow_heads(port: int, out: Outcome, n: int = 25, every: float = 0.5, within: float = 25.0) -> None:
    async def drip(w: asyncio.StreamWriter) -> None:
        w.write(b"POST /bundles HTTP/1.1\r\nHost: x\r\n")
        for _ in range(int(within / every)):
            await asyncio.sleep(every)
            if w.is_closing():
                return
            w.write(b"X")  # never a complete header line
            await w.drain()

    await asyncio.gather(*(_slow(port, out, "slow-head", drip, within + 5) for _ in range(n)))


async def _slow(port: int, out: Outcome, kind: str, drip: Callable, within: float, until_slot: bool = False) -> None:
    """Drip in the background and wait for the server's answer (or its closing). With
    `until_slot`, a 503 (every upload slot taken) is tried again, as a patient attacker would."""
    end = time.monotonic() + within
    while until_slot:
        got = Outcome()
        await _slow(port, got, kind, drip, max(1.0, end - time.monotonic()))
        if got.statuses[kind] != ["503"] or time.monotonic() > end - 1:
            out.add(kind, got.statuses[kind][0])
            return
        await asyncio.sleep(0.5)
    try:
        r, w = await asyncio.wait_for(asyncio.open_connection(HOST, port), 5)
    except (OSError, asyncio.TimeoutError):
        out.add(kind, "refused")
        return
    dripping = asyncio.ensure_future(drip(w))
    try:
        line = await asyncio.wait_for(r.readline(), within)
        out.add(kind, line.split(b" ")[1].decode() if line.startswith(b"HTTP/1.") else "closed")
    except asyncio.TimeoutError:
        out.add(kind, "held")
    except (OSError, IndexError):
        out.add(kind, "closed")
    finally:
        dripping.cancel()
        await asyncio.gather(dripping, return_exceptions=True)
        w.close()


async def slow_bodies(port: int, out: Outcome, signers: list[tuple[Ed25519PrivateKey, str]], n: int = 25,
                      every: float = 1.0, within: float = 45.0) -> None:
    """`n` bodies dripped one byte per `every` s: unsigned ones (refused before the body)
    and one per signer with valid signed headers (the minimum body rate must end them)."""
    length = 4096
    body = os.urandom(length)

    def opener(headers: dict[str, str]) -> Callable:
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())

        async def drip(w: asyncio.StreamWriter) -> None:
            w.write(f"POST /bundles HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\n{head}\r\n".encode())
            for i in range(length):
                w.write(body[i:i + 1])
                await w.drain()
                await asyncio.sleep(every)

        return drip

    signed = [opener(sign_headers(key, station, 999_999, body)) for key, station in signers]
    unsigned = [opener({}) for _ in range(max(0, n - len(signed)))]
    await asyncio.gather(*(_slow(port, out, "slow-body-signed", d, within, until_slot=True) for d in signed),
                         *(_slow(port, out, "slow-body", d, within) for d in unsigned))


def gzip_bomb(size: int = BOMB_BYTES) -> bytes:
    """A gzip stream of `size` zero bytes (~250 KB for 250 MB), made a megabyte at a time."""
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    mb, parts = bytes(1 << 20), []
    for _ in range(size >> 20):
        parts.append(z.compress(mb))
    parts.append(z.flush())
    return b"".join(parts)


async def gzip_bombs(port: int, out: Outcome, signers: list[tuple[Ed25519PrivateKey, str]], bomb: bytes, n: int = 5) -> None:
    """`bomb` from gzip_bomb(), made beforehand: compressing it would stall this loop (and the /health poller)."""

    async def one(i: int) -> None:
        headers = {"Content-Encoding": "gzip", "Content-Length": str(len(bomb))}
        if signers:  # signed over the compressed bytes: still no reason to inflate anything
            key, station = signers[i % len(signers)]
            headers.update(sign_headers(key, station, 999_998, bomb))
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        out.add("gzip-bomb", await _exchange(port, f"POST /bundles HTTP/1.1\r\nHost: x\r\n{head}\r\n".encode() + bomb))

    await asyncio.gather(*(one(i) for i in range(n)))


async def poll_health(port: int, stop: asyncio.Event, every: float = 0.1, timeout: float = 5.0) -> list[float]:
    """Seconds each GET /health took (a failure counts as `timeout`), every `every` s until `stop`."""
    took: list[float] = []
    while not stop.is_set():
        t = time.perf_counter()
        ok = (await _exchange(port, b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", timeout)) == "200"
        took.append(time.perf_counter() - t if ok else timeout)
        try:
            await asyncio.wait_for(stop.wait(), every)
        except asyncio.TimeoutError:
            pass
    return took


def upload_all(url: str, uploads: list[tuple[Path, str, bytes]], attempts: int = 1, pause: float = 0.5
               ) -> list[bytes | None]:
    """Each station offers its bundle over HTTP at once, as `liaison sync` does: one told
    "busy" (more stations than upload slots) waits the short Retry-After and tries again
    (HttpTarget's own retries). `attempts` > 1 would stand in for later sync runs; the
    load test and the benchmark use 1. Receipts in order (None: still pending)."""
    def one(home: Path, name: str, data: bytes) -> bytes | None:
        target = HttpTarget(url, home)
        target.open()
        for _ in range(attempts):
            try:
                return target.offer(name, data)
            except Unreachable:
                time.sleep(pause)
        return None

    with ThreadPoolExecutor(max_workers=len(uploads) or 1) as pool:
        return list(pool.map(lambda u: one(*u), uploads))


def peak_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def files_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file()) if Path(folder).exists() else 0
