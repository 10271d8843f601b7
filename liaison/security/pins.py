"""PIN rules, recovery codes and the key-derivation function.

Why scrypt with n=2**16, r=8, p=1: each guess needs 64 MiB of memory, which makes a
GPU farm slow, and costs ~0.2 s of one core on this project's 2-core machine
(measured: n=2**15 ~0.11 s, 2**16 ~0.21 s, 2**17 ~0.42 s). An unlock at 50 000
records must stay within 1 s, of which ~0.5 s is opening the store and ~0.1 s the
integrity checks, so 2**16 is the largest n that keeps scrypt within its ~0.25 s share;
2**17 would not. A 6-character numeric PIN still has only a million values: a thief
with the disk pays ~0.2 s and 64 MiB per guess, ~56 core-hours for all of them, so
officers are told to prefer a longer passphrase. Each wrap stores the parameters it
was made with (wraps.py), so raising KDF later changes new wraps only and every older
wrap still opens.

Recovery codes are 30 random base32 characters (150 bits) in six groups of five; the
alphabet has no 0/1/8/9, so a code read back with 0 for O or 1 for I is still accepted.
"""

from __future__ import annotations

import secrets
import unicodedata
from itertools import pairwise
from typing import Any

from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from .errors import BadOfficerName, WeakPin

KDF: dict[str, Any] = {"name": "scrypt", "n": 2**16, "r": 8, "p": 1, "length": 32}
MIN_PIN = 6
MAX_PIN = 128
MAX_NAME = 40

_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_LOOKALIKE = str.maketrans({"0": "O", "1": "I", "8": "B"})
RECOVERY_GROUPS, RECOVERY_GROUP_LEN = 6, 5

# Keyboard runs and words people pick first; digit runs are checked separately.
_OBVIOUS = {"password", "passwd", "qwerty", "qwertz", "azerty", "abcdef", "abc123", "a12345",
            "iloveyou", "admin1", "letmein", "111111a", "woaini", "520520", "147258", "147258369",
            "159753", "123123", "112233", "121212", "654321", "123321", "666888", "888888"}


def derive(secret: str, salt: bytes, params: dict[str, Any] | None = None) -> bytes:
    p = params or KDF
    if p.get("name") != "scrypt":
        raise ValueError(f"unsupported kdf {p.get('name')!r}")
    kdf = Scrypt(salt=salt, length=int(p["length"]), n=int(p["n"]), r=int(p["r"]), p=int(p["p"]))
    return kdf.derive(unicodedata.normalize("NFC", secret).encode("utf-8"))


def _is_run(s: str) -> bool:
    """123456, 234567, 987654, abcdef …: each character one step from the last."""
    steps = {ord(b) - ord(a) for a, b in pairwise(s)}
    return len(steps) == 1 and steps <= {1, -1}


def check_pin(pin: str, officer: str = "") -> None:
    """Raise WeakPin with the reason if `pin` must not be used; return None if it may."""
    if not isinstance(pin, str) or len(pin) < MIN_PIN:
        raise WeakPin(f"PIN 至少需要 {MIN_PIN} 个字符 (a PIN needs at least {MIN_PIN} characters)")
    if len(pin) > MAX_PIN:
        raise WeakPin(f"PIN 不能超过 {MAX_PIN} 个字符 (a PIN may have at most {MAX_PIN} characters)")
    low = pin.lower()
    if len(set(low)) == 1:
        raise WeakPin("PIN 不能全是同一个字符，如 000000 (a PIN cannot repeat one character, e.g. 000000)")
    if _is_run(low) or low in _OBVIOUS or (officer and low == officer.lower()):
        raise WeakPin("PIN 太容易被猜到（如 123456、654321、qwerty），请换一个 "
                      "(this PIN is too easy to guess, e.g. 123456, 654321, qwerty; choose another)")
    if len(set(low)) == 2 and len(low) <= 8:
        raise WeakPin("PIN 只用了两个字符，太容易被猜到 (a PIN of only two distinct characters is too easy to guess)")


def check_officer_name(name: str) -> str:
    """The name as stored (NFC, trimmed); refuse empty, long or control-character names."""
    n = unicodedata.normalize("NFC", name or "").strip()
    if not n:
        raise BadOfficerName("警员姓名不能为空 (officer name cannot be empty)")
    if len(n) > MAX_NAME:
        raise BadOfficerName(f"警员姓名不能超过 {MAX_NAME} 个字符 (officer name longer than {MAX_NAME} characters)")
    if any(unicodedata.category(ch).startswith("C") for ch in n):
        raise BadOfficerName("警员姓名含有控制字符 (officer name contains control characters)")
    return n


def new_recovery_code() -> str:
    chars = "".join(secrets.choice(_B32) for _ in range(RECOVERY_GROUPS * RECOVERY_GROUP_LEN))
    return "-".join(chars[i:i + RECOVERY_GROUP_LEN] for i in range(0, len(chars), RECOVERY_GROUP_LEN))


def normalise_recovery_code(code: str) -> str:
    """The canonical form a typed code is derived from: upper case, no separators."""
    return "".join(ch for ch in (code or "").upper().translate(_LOOKALIKE) if ch in _B32)
