"""Signed upload headers: what a station's POST carries so the office can refuse it
before reading a single body byte (issue 12).

The station signs, with its Ed25519 key, one canonical line of: station, bundle number,
body length, body SHA-256, a timestamp and a random nonce. The office checks the
signature against the enrolled key, the clock window and that the nonce is new, and
only then streams the body, comparing its length and hash with the signed ones. The
bundle keeps its own signature; this one only says "an enrolled station sent these
exact bytes just now", which is what makes storing or parsing them worth the office's
disk and CPU.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass
from typing import Callable, Mapping

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ..security.keys import b64d, b64e
from .fields import HEX64, station_ok

SCHEME = "liaison-upload/1"
WINDOW = 600  # seconds either side: a station's clock may drift; a replay beyond it is refused anyway
H_STATION, H_BUNDLE, H_LENGTH = "X-Liaison-Station", "X-Liaison-Bundle", "X-Liaison-Length"
H_SHA256, H_TIME, H_NONCE, H_SIG = "X-Liaison-Sha256", "X-Liaison-Time", "X-Liaison-Nonce", "X-Liaison-Signature"
NONCE_HEX = 32


@dataclass(frozen=True)
class Claims:
    station: str
    number: int
    length: int
    sha256: str
    timestamp: int
    nonce: str


@dataclass(frozen=True)
class Refusal:
    status: int
    kind: str
    reason: str


def canonical(c: Claims) -> bytes:
    # One field per line, each already restricted to characters that cannot hold "\n".
    return "\n".join([SCHEME, c.station, str(c.number), str(c.length), c.sha256,
                      str(c.timestamp), c.nonce]).encode()


def sign_headers(key: Ed25519PrivateKey, station: str, number: int, body: bytes,
                 at: float | None = None) -> dict[str, str]:
    c = Claims(station, number, len(body), hashlib.sha256(body).hexdigest(),
               int(time.time() if at is None else at), os.urandom(NONCE_HEX // 2).hex())
    return {H_STATION: c.station, H_BUNDLE: str(c.number), H_LENGTH: str(c.length), H_SHA256: c.sha256,
            H_TIME: str(c.timestamp), H_NONCE: c.nonce, H_SIG: b64e(key.sign(canonical(c)))}


class NonceBook:
    """Nonces seen within the window. Bounded: when full of live nonces the office says
    busy rather than forget one (forgetting would let that request be replayed)."""

    def __init__(self, most: int = 50_000):
        self.most = most
        self.seen: dict[str, float] = {}  # nonce -> when it may be forgotten

    def add(self, nonce: str, now: float) -> bool | None:
        """True: new, recorded; False: a replay; None: the book is full."""
        if nonce in self.seen and self.seen[nonce] > now:
            return False
        if len(self.seen) >= self.most:
            self.seen = {n: t for n, t in self.seen.items() if t > now}
            if len(self.seen) >= self.most:
                return None
        self.seen[nonce] = now + 2 * WINDOW
        return True


def _int(text: str | None, high: int) -> int | None:
    if text is None or not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    v = int(text)
    return v if v <= high else None


def verify_headers(headers: Mapping[str, str], key_lookup: Callable[[str], Ed25519PublicKey | None],
                   now: float, nonces: NonceBook) -> Claims | Refusal:
    def no(status: int, kind: str, zh: str, en: str) -> Refusal:
        return Refusal(status, kind, f"{zh} ({en})")

    station, sig = headers.get(H_STATION), headers.get(H_SIG)
    number, length = _int(headers.get(H_BUNDLE), 10**9), _int(headers.get(H_LENGTH), 2**62)
    ts, sha, nonce = _int(headers.get(H_TIME), 2**40), headers.get(H_SHA256, ""), headers.get(H_NONCE, "")
    if station is None or sig is None or number is None or length is None or ts is None \
            or not station_ok(station) or not HEX64.fullmatch(sha) \
            or len(nonce) != NONCE_HEX or any(ch not in "0123456789abcdef" for ch in nonce):
        return no(403, "unauthenticated", "上传缺少或带有无效的签名头", "upload lacks valid signed headers")
    key = key_lookup(station)
    if key is None:
        return no(403, "unknown-station", f"站点 {station} 未登记", f"station {station} is not enrolled")
    c = Claims(station, number, length, sha, ts, nonce)
    try:
        key.verify(b64d(sig), canonical(c))
    except (InvalidSignature, ValueError):
        return no(403, "bad-signature", "上传签名无效", "upload signature does not verify")
    if abs(now - ts) > WINDOW:
        return no(403, "stale", f"上传时间戳超出 ±{WINDOW // 60} 分钟，请校准站点时钟",
                  f"upload timestamp outside ±{WINDOW // 60} minutes: check the station's clock")
    added = nonces.add(nonce, now)
    if added is False:
        return no(403, "replay", "重复的上传请求（随机数已用过）", "replayed upload: nonce already seen")
    if added is None:
        return no(503, "busy", "院本部繁忙，请稍后重试", "office busy, retry later")
    return c
