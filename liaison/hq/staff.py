"""Office staff: the PINs that open the office's records, and the audit of what they read.

The same model as the station (security.keyring, security.audit): each officer's PIN
(scrypt) opens the office data key, a recovery code opens it too, and the data key
opens the records key's private half (security.records_key). `liaison hq list`,
`report`, `clusters`, `restore-kit` and the dashboard unlock first; the unlock, a
failed one and each read are entries in <hq home>/audit/log.jsonl.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from ..security import records_key
from ..security.audit import AuditLog
from ..security.errors import KeyringExists, WrongPin
from ..security.keyring import Keyring
from ..security.seal import Sealer
from ..security.session import record_failed_unlock
from .office import Office

BINDING = "district-office"  # the keyring's "station": binds every wrap to an office keyring


def set_up(home: Path, officer: str, pin: str) -> str:
    """The first office officer, the records key, and rows kept in clear by an older
    version sealed; returns the recovery code (shown once by the caller)."""
    home = Path(home)
    if Keyring.exists(home):
        raise KeyringExists(home / "keys" / "officers.json")
    code = Keyring.create(home, BINDING, officer, pin)
    name = unicodedata.normalize("NFC", officer).strip()
    data_key = Keyring.open(home).unlock(name, pin)
    records_key.create(home, data_key)
    office = Office(home)
    try:
        sealed = office.db.seal_plain_rows()
    finally:
        office.close()
    AuditLog(home).record(name, "officer_add", name, {"first": True, "sealed_rows": sealed}, data_key=data_key)
    return code


@dataclass
class Staff:
    """An unlocked office: who, and the key that opens the records."""

    office: Office
    officer: str
    data_key: bytes = field(repr=False)
    retired: tuple[bytes, ...] = field(default=(), repr=False)

    def __post_init__(self) -> None:
        self.sealer = Sealer(self.data_key, self.retired)
        self.opener = self.office.db.opener(records_key.private(self.office.home, self.sealer))

    def audit(self, action: str, target: str = "", **details: Any) -> None:
        AuditLog(self.office.home).record(self.officer, action, target, details or None, data_key=self.data_key)

    def records(self, include_deleted: bool = False, station: str | None = None) -> Iterator[dict[str, Any]]:
        return self.office.db.records(self.opener, include_deleted=include_deleted, station=station)


def unlock(office: Office, officer: str, pin: str) -> Staff:
    """Staff, or WrongPin after the back-off (logged as unlock_failed)."""
    ring = Keyring.open(office.home)
    try:
        key = ring.unlock(officer, pin)
    except WrongPin as e:
        record_failed_unlock(office.home, ring, officer, "hq", delay_s=round(e.delay, 1))
        raise
    staff = Staff(office, unicodedata.normalize("NFC", officer).strip(), key, tuple(ring.retired(key)))
    staff.audit("unlock", "hq")
    return staff


def remove_officer(office: Office, name: str, by: str, pin: str) -> int:
    """Remove an office officer: a new data key (keyring) and a new records key pair, so
    their PIN with an old copy of keys/ opens nothing in the database from now on;
    returns how many batch keys were rewrapped."""
    ring = Keyring.open(office.home)
    old_key = ring.unlock(by, pin)
    old = Sealer(old_key, tuple(ring.retired(old_key)))
    new_key = ring.remove_officer(name, by, pin)
    before, after = records_key.replace(office.home, old, new_key)
    n = office.db.rewrap_batches(before, after.public_key())
    records_key.forget_previous(office.home, Sealer(new_key))
    return n
