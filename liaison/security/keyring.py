"""The station's data key, wrapped once per officer and once under a recovery code.

The data key is 32 random bytes that will encrypt the personal fields of every
consultation. It is never written down in clear: keys/officers.json holds, for each
officer, the data key encrypted (AES-GCM) under a key derived from that officer's PIN
(scrypt, see pins.py), plus one more copy under the recovery code printed at set-up.
Adding or removing an officer therefore rewrites one small file, never the data.

The AAD of every wrap names the station and the officer, so a wrap copied to another
name or another station's file does not open. Removing an officer deletes their
wrap; it does not help against someone who kept a copy of the old file AND knows the
old PIN — that needs a new data key (re-encryption), which is a later step.
"""

from __future__ import annotations

import os
import secrets
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..domain.timeutil import now
from ..store.atomic import atomic_write
from ..sync.keys import b64d, b64e, keys_dir
from .backoff import Backoff
from .errors import (KeyringCorrupt, KeyringExists, LastOfficer, NoKeyring, OfficerExists,
                     UnknownOfficer, WrongPin)
from .pins import KDF, check_officer_name, check_pin, derive, new_recovery_code, normalise_recovery_code

FILE = "officers.json"
FORMAT, VERSION = "liaison-keyring", 1
RECOVERY = "recovery"


@dataclass(frozen=True)
class Officer:
    name: str
    created_at: str


def _aad(station: str, role: str, name: str = "") -> bytes:
    # A JSON array: unambiguous however the names are spelled.
    return orjson.dumps([f"{FORMAT}/{VERSION}", station, role, name])


def _name(officer: str) -> str:
    return unicodedata.normalize("NFC", officer or "").strip()


def _wrap(secret: str, data_key: bytes, aad: bytes) -> dict:
    salt, nonce = os.urandom(16), os.urandom(12)
    wrapped = AESGCM(derive(secret, salt)).encrypt(nonce, data_key, aad)
    return {"salt": b64e(salt), "nonce": b64e(nonce), "wrapped": b64e(wrapped),
            "created_at": now().isoformat(timespec="seconds")}


def _unwrap(entry: dict, secret: str, aad: bytes, kdf: dict) -> bytes | None:
    try:
        kek = derive(secret, b64d(entry["salt"]), kdf)
        return AESGCM(kek).decrypt(b64d(entry["nonce"]), b64d(entry["wrapped"]), aad)
    except InvalidTag:
        return None


class Keyring:
    def __init__(self, home: Path, *, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.time):
        self.home = Path(home)
        self.keys = keys_dir(self.home)  # 0700
        self.path = self.keys / FILE
        self.backoff = Backoff(self.keys, sleep=sleep, clock=clock)

    # -- set-up ----------------------------------------------------------------------
    @staticmethod
    def exists(home: Path) -> bool:
        return (Path(home) / "keys" / FILE).exists()

    @classmethod
    def open(cls, home: Path, **kw) -> "Keyring":
        ring = cls(home, **kw)
        if not ring.path.exists():
            raise NoKeyring(ring.path)
        return ring

    @classmethod
    def create(cls, home: Path, station: str, first_officer: str, pin: str, **kw) -> str:
        """Make the data key and the first officer's wrap; return the recovery code,
        which exists nowhere else afterwards (the caller shows it once)."""
        ring = cls(home, **kw)
        name = check_officer_name(first_officer)
        check_pin(pin, name)
        code = new_recovery_code()
        data_key = AESGCM.generate_key(bit_length=256)
        with ring.backoff.locked():
            if ring.path.exists():
                raise KeyringExists(ring.path)
            ring._save({"format": FORMAT, "version": VERSION, "station": station, "kdf": dict(KDF),
                        "officers": {name: _wrap(pin, data_key, _aad(station, "officer", name))},
                        RECOVERY: _wrap(normalise_recovery_code(code), data_key, _aad(station, RECOVERY))})
        return code

    # -- reading ---------------------------------------------------------------------
    def _load(self) -> dict:
        try:
            doc = orjson.loads(self.path.read_bytes())
        except FileNotFoundError:
            raise NoKeyring(self.path) from None
        except (orjson.JSONDecodeError, OSError) as e:
            raise KeyringCorrupt(self.path, str(e)) from None
        ok = (isinstance(doc, dict) and doc.get("format") == FORMAT and doc.get("version") == VERSION
              and isinstance(doc.get("officers"), dict) and isinstance(doc.get(RECOVERY), dict)
              and isinstance(doc.get("station"), str) and isinstance(doc.get("kdf"), dict))
        if not ok:
            raise KeyringCorrupt(self.path, "unexpected structure")
        kdf = doc["kdf"]
        # Bounded so an edited file cannot make every unlock take minutes or gigabytes.
        if not (kdf.get("name") == "scrypt" and kdf.get("n") in {2**k for k in range(14, 21)}
                and kdf.get("r") == 8 and kdf.get("p") in (1, 2, 3, 4) and kdf.get("length") == 32):
            raise KeyringCorrupt(self.path, "unexpected kdf parameters")
        return doc

    def _save(self, doc: dict) -> None:
        atomic_write(self.path, orjson.dumps(doc, option=orjson.OPT_INDENT_2))
        os.chmod(self.path, 0o600)

    @property
    def station(self) -> str:
        return self._load()["station"]

    def officers(self) -> list[Officer]:
        doc = self._load()
        return [Officer(n, str(e.get("created_at", ""))) for n, e in sorted(doc["officers"].items())]

    def has_officer(self, officer: str) -> bool:
        try:
            return _name(officer) in self._load()["officers"]
        except (NoKeyring, KeyringCorrupt):
            return False

    # -- unlocking -------------------------------------------------------------------
    def unlock(self, officer: str, pin: str) -> bytes:
        """The data key, or WrongPin after the back-off delay (unknown names alike)."""
        self.backoff.wait_turn()
        doc = self._load()
        name = _name(officer)
        entry = doc["officers"].get(name)
        if entry is None:
            # Same work as a real attempt, so timing does not tell which names exist.
            _unwrap(_wrap(secrets.token_hex(8), os.urandom(32), b""), pin or "", b"x", doc["kdf"])
            key = None
        else:
            key = _unwrap(entry, pin or "", _aad(doc["station"], "officer", name), doc["kdf"])
        if key is None:
            raise WrongPin(self.backoff.failed())
        self.backoff.succeeded()
        return key

    # -- changing officers -----------------------------------------------------------
    def add_officer(self, existing_officer: str, existing_pin: str, new_officer: str, new_pin: str) -> None:
        name = check_officer_name(new_officer)
        check_pin(new_pin, name)  # before unlocking: a weak PIN must not cost an attempt
        data_key = self.unlock(existing_officer, existing_pin)
        with self.backoff.locked():
            doc = self._load()
            if name in doc["officers"]:
                raise OfficerExists(name)
            doc["officers"][name] = _wrap(new_pin, data_key, _aad(doc["station"], "officer", name))
            self._save(doc)

    def remove_officer(self, officer: str, by_officer: str, by_pin: str) -> None:
        officer = _name(officer)
        self.unlock(by_officer, by_pin)
        with self.backoff.locked():
            doc = self._load()
            if officer not in doc["officers"]:
                raise UnknownOfficer(officer)
            if len(doc["officers"]) == 1:
                raise LastOfficer(officer)
            del doc["officers"][officer]
            self._save(doc)

    def reset_pin(self, officer: str, recovery_code: str, new_pin: str) -> None:
        """Give `officer` a new PIN, proven by the recovery code instead of the old PIN."""
        officer = _name(officer)
        check_pin(new_pin, officer)
        self.backoff.wait_turn()
        doc = self._load()
        data_key = _unwrap(doc[RECOVERY], normalise_recovery_code(recovery_code),
                           _aad(doc["station"], RECOVERY), doc["kdf"])
        if data_key is None:
            raise WrongPin(self.backoff.failed(), what="recovery code")
        self.backoff.succeeded()
        with self.backoff.locked():
            doc = self._load()
            if officer not in doc["officers"]:
                raise UnknownOfficer(officer)
            doc["officers"][officer] = _wrap(new_pin, data_key, _aad(doc["station"], "officer", officer))
            self._save(doc)
