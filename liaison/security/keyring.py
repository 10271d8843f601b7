"""The station's data key, wrapped once per officer and once under a recovery code.

The data key is 32 random bytes that encrypt the personal fields of every
consultation. It is never written down in clear: keys/officers.json holds, for each
officer, a wrap that their PIN opens (scrypt, see pins.py; the wrap format is in
wraps.py), plus one more under the recovery code printed at set-up. Adding an officer
or resetting a PIN rewrites this one small file, never the data.

Removing an officer replaces the data key. Deleting their wrap alone would not help
against someone who kept a copy of the old file and knows the old PIN; with a new key,
that copy opens only what was written before. The remover knows only their own PIN, so
the new key is sealed to the other officers' and the recovery code's public keys
(wraps.py). The old keys are kept in the file, sealed under the new one ("retired"),
because the audit log's details are append-only and stay sealed under the key of their
day; the CLI then re-seals the shards and the draft under the new key.

A format-1 keyring holds the data key itself in each wrap, which a new key cannot
reach. Each officer's wrap is converted at their next unlock, the recovery wrap when
the code is next used (reset-pin, or given to `officer remove`). Until every remaining
wrap is converted, removal is refused naming who must unlock once (RotationBlocked):
neither a colleague locked out nor a removal that silently keeps the old key.

Run a removal with the app locked or closed: an app left unlocked holds the old key
until its next unlock (it would seal under it, and not open what was re-sealed).
"""

from __future__ import annotations

import base64
import os
import secrets
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import orjson
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..store.atomic import atomic_write
from . import pins, wraps
from .backoff import Backoff
from .errors import (
    KeyringCorrupt,
    KeyringExists,
    LastOfficer,
    NoKeyring,
    OfficerExists,
    RotationBlocked,
    UnknownOfficer,
    WrongPin,
)
from .keys import keys_dir
from .pins import check_officer_name, check_pin, new_recovery_code, normalise_recovery_code
from .seal import Sealer

FILE = "officers.json"
FORMAT, VERSION = "liaison-keyring", 2
RECOVERY = "recovery"


@dataclass(frozen=True)
class Officer:
    name: str
    created_at: str


def _name(officer: str) -> str:
    return unicodedata.normalize("NFC", officer or "").strip()


def _retired_aad(station: str, key_id: str) -> bytes:
    return orjson.dumps([f"{FORMAT}/{VERSION}", station, "retired", key_id])


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
    def open(cls, home: Path, **kw: Any) -> "Keyring":
        ring = cls(home, **kw)
        if not ring.path.exists():
            raise NoKeyring(ring.path)
        return ring

    @classmethod
    def create(cls, home: Path, station: str, first_officer: str, pin: str, **kw: Any) -> str:
        """Make the data key and the first officer's wrap; return the recovery code,
        which exists nowhere else afterwards (the caller shows it once)."""
        ring = cls(home, **kw)
        name = check_officer_name(first_officer)
        check_pin(pin, name)
        code = new_recovery_code()
        data_key, key_id = AESGCM.generate_key(bit_length=256), secrets.token_hex(8)
        with ring.backoff.locked():
            if ring.path.exists():
                raise KeyringExists(ring.path)
            ring._save({"format": FORMAT, "version": VERSION, "station": station, "key_id": key_id,
                        "officers": {name: wraps.new(pin, data_key, station, "officer", name, key_id)},
                        RECOVERY: wraps.new(normalise_recovery_code(code), data_key, station, RECOVERY, "", key_id)})
        return code

    # -- reading ---------------------------------------------------------------------
    def _load(self) -> dict[str, Any]:
        try:
            doc = orjson.loads(self.path.read_bytes())
        except FileNotFoundError:
            raise NoKeyring(self.path) from None
        except (orjson.JSONDecodeError, OSError) as e:
            raise KeyringCorrupt(self.path, str(e)) from None
        if not (isinstance(doc, dict) and doc.get("format") == FORMAT and doc.get("version") in (1, 2)
                and isinstance(doc.get("officers"), dict) and isinstance(doc.get(RECOVERY), dict)
                and isinstance(doc.get("station"), str)
                and all(isinstance(e, dict) for e in doc["officers"].values())):
            raise KeyringCorrupt(self.path, "unexpected structure")
        entries = [*doc["officers"].values(), doc[RECOVERY]]
        if not all(wraps.params_ok(wraps.params(e, doc)) for e in entries):
            raise KeyringCorrupt(self.path, "unexpected kdf parameters")
        if not all(wraps.is_legacy(e) for e in entries) and not isinstance(doc.get("key_id"), str):
            raise KeyringCorrupt(self.path, "no key id")
        return doc

    def _save(self, doc: dict[str, Any]) -> None:
        doc["version"] = VERSION
        doc.setdefault("key_id", secrets.token_hex(8))  # a format-1 file gets one when first rewritten
        atomic_write(self.path, orjson.dumps(doc, option=orjson.OPT_INDENT_2))
        os.chmod(self.path, 0o600)

    @property
    def station(self) -> str:
        station: str = self._load()["station"]  # _load checked it is one
        return station

    def officers(self) -> list[Officer]:
        doc = self._load()
        return [Officer(n, str(e.get("created_at", ""))) for n, e in sorted(doc["officers"].items())]

    def has_officer(self, officer: str) -> bool:
        try:
            return _name(officer) in self._load()["officers"]
        except (NoKeyring, KeyringCorrupt):
            return False

    def legacy_recovery(self) -> bool:
        """The recovery wrap is still format 1 (removal will need the code once)."""
        return wraps.is_legacy(self._load()[RECOVERY])

    def retired(self, data_key: bytes) -> list[bytes]:
        """The data keys before this one, newest first: what older sealed values need."""
        doc = self._load()
        if "retired" not in doc:
            return []
        got = Sealer(data_key).open(doc["retired"], _retired_aad(doc["station"], doc["key_id"]))
        return [base64.b64decode(k) for _, k in got]

    # -- unlocking -------------------------------------------------------------------
    def unlock(self, officer: str, pin: str) -> bytes:
        """The data key, or WrongPin after the back-off delay (unknown names alike). A
        format-1 wrap is converted on the way (one more scrypt, once per officer)."""
        self.backoff.wait_turn()
        doc = self._load()
        name = _name(officer)
        entry = doc["officers"].get(name)
        if entry is None:
            # Same work as a real attempt, so timing does not tell which names exist.
            pins.derive(pin or "", os.urandom(16))
            key = None
        else:
            key = wraps.open_wrap(entry, doc, pin or "", "officer", name)
        if key is None:
            raise WrongPin(self.backoff.failed())
        self.backoff.succeeded()
        if wraps.is_legacy(entry):
            self._convert(name, entry, pin, key)
        return key

    def _convert(self, name: str, old: dict[str, Any], pin: str, key: bytes) -> None:
        with self.backoff.locked():
            doc = self._load()
            if doc["officers"].get(name) != old:
                return  # changed meanwhile (reset, removed): leave it
            doc.setdefault("key_id", secrets.token_hex(8))
            doc["officers"][name] = {**wraps.new(pin, key, doc["station"], "officer", name, doc["key_id"]),
                                     "created_at": old.get("created_at", "")}
            self._save(doc)

    def _recovery_key(self, doc: dict[str, Any], recovery_code: str) -> bytes:
        self.backoff.wait_turn()
        key = wraps.open_wrap(doc[RECOVERY], doc, normalise_recovery_code(recovery_code), RECOVERY, "")
        if key is None:
            raise WrongPin(self.backoff.failed(), what="recovery code")
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
            doc.setdefault("key_id", secrets.token_hex(8))
            doc["officers"][name] = wraps.new(new_pin, data_key, doc["station"], "officer", name, doc["key_id"])
            self._save(doc)

    def remove_officer(self, officer: str, by_officer: str, by_pin: str, *,
                       recovery_code: str | None = None) -> bytes:
        """Delete `officer`'s wrap and replace the data key; return the new key."""
        officer = _name(officer)
        key = self.unlock(by_officer, by_pin)  # converts the remover's own wrap if needed
        doc = self._load()
        code = None
        if wraps.is_legacy(doc[RECOVERY]) and recovery_code:
            if self._recovery_key(doc, recovery_code) != key:
                raise KeyringCorrupt(self.path, "the recovery wrap holds another key")
            code = normalise_recovery_code(recovery_code)
        with self.backoff.locked():
            doc = self._load()
            if officer not in doc["officers"]:
                raise UnknownOfficer(officer)
            if len(doc["officers"]) == 1:
                raise LastOfficer(officer)
            del doc["officers"][officer]
            stuck = sorted(n for n, e in doc["officers"].items() if wraps.is_legacy(e))
            if stuck or (wraps.is_legacy(doc[RECOVERY]) and code is None):
                raise RotationBlocked(stuck, wraps.is_legacy(doc[RECOVERY]) and code is None)
            new_key, new_id, station = AESGCM.generate_key(bit_length=256), secrets.token_hex(8), doc["station"]
            old = [[doc["key_id"], base64.b64encode(key).decode()]]
            if "retired" in doc:
                old += Sealer(key).open(doc["retired"], _retired_aad(station, doc["key_id"]))
            doc["officers"] = {n: wraps.reseal(e, new_key, station, "officer", n, new_id)
                               for n, e in doc["officers"].items()}
            doc[RECOVERY] = (wraps.new(code, new_key, station, RECOVERY, "", new_id) if code is not None
                             else wraps.reseal(doc[RECOVERY], new_key, station, RECOVERY, "", new_id))
            doc["key_id"] = new_id
            doc["retired"] = Sealer(new_key).seal(old, _retired_aad(station, new_id))
            self._save(doc)
        return new_key

    def reset_pin(self, officer: str, recovery_code: str, new_pin: str) -> None:
        """Give `officer` a new PIN, proven by the recovery code instead of the old PIN."""
        officer = _name(officer)
        check_pin(new_pin, officer)
        data_key = self._recovery_key(self._load(), recovery_code)
        with self.backoff.locked():
            doc = self._load()
            if officer not in doc["officers"]:
                raise UnknownOfficer(officer)
            doc.setdefault("key_id", secrets.token_hex(8))
            station, key_id = doc["station"], doc["key_id"]
            doc["officers"][officer] = wraps.new(new_pin, data_key, station, "officer", officer, key_id)
            if wraps.is_legacy(doc[RECOVERY]):  # the code is at hand: convert its wrap too
                doc[RECOVERY] = wraps.new(normalise_recovery_code(recovery_code), data_key, station, RECOVERY, "", key_id)
            self._save(doc)
