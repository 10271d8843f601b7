"""The restore kit: what the district office hands a station whose laptop was lost.

`liaison hq restore-kit STATION --to DIR` writes it (office side); `liaison init
--restore DIR` reads it (station side). One file, DIR/restore.kit, owner-only:

    {"format": "liaison-restore-kit/1", "station": ID, "kdf": {scrypt parameters},
     "salt", "nonce", "ciphertext"}                      (binary fields in base64)

The ciphertext is AES-256-GCM of the payload's JSON under scrypt(kit code), with the
format name and the station id as associated data, so a kit renamed to another
station, or a file edited anywhere, does not open. The kit code is read aloud over
the phone to the officer with the new laptop and travels apart from the file: the
file alone (on a stick, in a mail) gives nothing away. The payload holds a private
signing key and every resident's personal data, hence a 150-bit code, not a PIN.

Payload keys (plaintext JSON):
    station      the station id
    signing_key  base64 raw Ed25519 private key: the station's NEW signing key, which
                 the office enrolled (revoking the lost laptop's) when it made the kit
    office_pub   the office.pub.json document, as a dict
    records      full consultation documents as the office holds them (personal
                 fields, id, version, seq, ref, deleted tombstones included)
    chain        {"last_bundle": N, "last_digest": hex digest of bundle N,
                  "audit_n": int, "audit_head": hash of audit entry audit_n}
                 — what the office last received from the station
    made_at      ISO time the kit was made
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path
from typing import Any

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..security import pins, wraps
from ..security.keys import b64d, b64e
from ..store.atomic import atomic_write

FORMAT = "liaison-restore-kit/1"
FILE = "restore.kit"
PAYLOAD_KEYS = ("station", "signing_key", "office_pub", "records", "chain", "made_at")
CHAIN_KEYS = ("last_bundle", "last_digest", "audit_n", "audit_head")
MAX_BYTES = 1 << 30  # a kit for 50 000 records is tens of MB; refuse absurd files before reading them


class KitError(Exception):
    """The kit cannot be used; the message (中文 (English)) says why."""


class KitMissing(KitError):
    pass


class KitWrongCode(KitError):
    pass


class KitDamaged(KitError):
    pass


def new_kit_code() -> str:
    """Same alphabet and grouping as the recovery code (30 base32 characters, 150 bits,
    six groups of five): it is read aloud, and look-alikes (0/O, 1/I, 8/B) are forgiven."""
    return pins.new_recovery_code()


def _normalise(code: str) -> str:
    return pins.normalise_recovery_code(unicodedata.normalize("NFC", code or ""))


def _aad(station: str) -> bytes:
    return orjson.dumps([FORMAT, station])  # a JSON array: unambiguous however the id is spelled


def write_kit(dir: Path, payload: dict[str, Any], code: str) -> Path:
    """Seal `payload` under `code` into dir/restore.kit (dir 0700, file 0600)."""
    missing = [k for k in PAYLOAD_KEYS if k not in payload]
    if missing:
        raise ValueError(f"restore kit payload lacks {missing}")
    station = str(payload["station"])
    secret = _normalise(code)
    if len(secret) < pins.RECOVERY_GROUPS * pins.RECOVERY_GROUP_LEN:
        raise ValueError("restore kit code too short: use new_kit_code()")
    kdf, salt, nonce = dict(pins.KDF), os.urandom(16), os.urandom(12)
    sealed = AESGCM(pins.derive(secret, salt, kdf)).encrypt(nonce, orjson.dumps(payload), _aad(station))
    d = Path(dir)
    d.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(d, 0o700)
    path = d / FILE
    atomic_write(path, orjson.dumps({"format": FORMAT, "station": station, "kdf": kdf, "salt": b64e(salt),
                                     "nonce": b64e(nonce), "ciphertext": b64e(sealed)}))
    os.chmod(path, 0o600)
    return path


def _damaged(path: Path, why: str) -> KitDamaged:
    return KitDamaged(f"恢复包已损坏或不是恢复包：{path}（{why}）(damaged or not a restore kit: {path}: {why})")


def read_kit(dir: Path, code: str) -> dict[str, Any]:
    """The payload of dir/restore.kit; KitMissing, KitWrongCode or KitDamaged otherwise."""
    path = Path(dir) / FILE
    try:
        if path.stat().st_size > MAX_BYTES:
            raise _damaged(path, "too large")
        doc = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        raise KitMissing(f"找不到恢复包：{path} (no restore kit at {path})") from None
    except IsADirectoryError:
        raise _damaged(path, "a folder") from None
    except orjson.JSONDecodeError:
        raise _damaged(path, "not JSON") from None
    except OSError as e:
        raise KitMissing(f"无法读取恢复包：{path}：{e.strerror} (cannot read the restore kit {path}: {e.strerror})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or not isinstance(doc.get("station"), str):
        raise _damaged(path, "unknown format")
    if not wraps.params_ok(doc.get("kdf")):  # an edited file must not cost minutes or gigabytes
        raise _damaged(path, "unexpected kdf parameters")
    try:
        salt, nonce, sealed = b64d(doc["salt"]), b64d(doc["nonce"]), b64d(doc["ciphertext"])
    except (KeyError, TypeError, ValueError):
        raise _damaged(path, "bad fields") from None
    if len(nonce) != 12 or len(salt) < 16:
        raise _damaged(path, "bad fields")
    try:
        plain = AESGCM(pins.derive(_normalise(code), salt, doc["kdf"])).decrypt(nonce, sealed, _aad(doc["station"]))
    except InvalidTag:
        # GCM cannot tell a wrong code from an edited file; the code is by far the likelier.
        raise KitWrongCode("恢复码不对，或恢复包被改动过 (wrong kit code, or the kit was altered)") from None
    try:
        payload = orjson.loads(plain)
    except orjson.JSONDecodeError:
        raise _damaged(path, "payload not JSON") from None
    return _check_payload(path, payload, doc["station"])


def _check_payload(path: Path, p: Any, station: str) -> dict[str, Any]:
    """`p` if it has the shape the station side relies on, so a bad kit is refused
    before anything is written."""
    if not (isinstance(p, dict) and all(k in p for k in PAYLOAD_KEYS) and p["station"] == station
            and isinstance(p["signing_key"], str) and isinstance(p["office_pub"], dict)
            and isinstance(p["records"], list) and all(isinstance(r, dict) for r in p["records"])
            and isinstance(p["chain"], dict) and all(k in p["chain"] for k in CHAIN_KEYS)
            and isinstance(p["chain"]["last_bundle"], int) and isinstance(p["chain"]["audit_n"], int)
            and isinstance(p["chain"]["last_digest"], str) and isinstance(p["chain"]["audit_head"], str)):
        raise _damaged(path, "unexpected payload")
    return p


__all__ = ["FORMAT", "FILE", "PAYLOAD_KEYS", "CHAIN_KEYS", "KitError", "KitMissing", "KitWrongCode", "KitDamaged",
           "new_kit_code", "write_kit", "read_kit"]
