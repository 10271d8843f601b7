"""An unlocked station: which officer, and the sealer built from the data key.

`unlock` is the one door every interface goes through (the TUI's unlock screen, the
CLI's PIN prompt, `LIAISON_PIN` for scripts): it checks the PIN against the keyring
(with its growing delays) and writes `unlock` or `unlock_failed` to the audit log.
`open_store` then opens the records sealed with the session's key, with the
office's envelope when an office key is installed, so every save is also readable
by the office without a PIN at export time.

While scrypt derives the key (it releases the GIL), `unlock` has the shards' clear
parts read and their list rows built in a thread (store.heads.PreRead): what needs
no key, about half of opening 50 000 records. `open_store` takes what it read and
checks it under the key as if it were read then; a wrong PIN drops it unused. The
app starts that read earlier still, once its unlock screen is painted (`read_ahead`),
so it is done while the officer types the PIN; it is then the screen's, kept for the
next try after a wrong PIN, and checked under the key like any other.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from ..store import Store
from ..store.drafts import Drafts
from ..store.heads import Heads, PreRead
from . import keys
from .audit import AuditLog
from .envelope import Envelope, for_office
from .errors import WrongPin
from .keyring import Keyring
from .seal import Sealer


@dataclass
class Session:
    home: Path
    officer: str
    data_key: bytes = field(repr=False)
    retired: tuple[bytes, ...] = field(default=(), repr=False)  # keys before the last officer removal
    preread: PreRead | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.sealer = Sealer(self.data_key, self.retired)

    def take_heads(self) -> Heads | None:
        """What the pre-read found (once; None without one)."""
        pre, self.preread = self.preread, None
        return pre.take() if pre is not None else None

    def audit(self, action: str, target: str = "", details: Mapping[str, Any] | None = None) -> None:
        """Append to the audit log; the details are sealed (they may name a resident)."""
        AuditLog(self.home).record(self.officer, action, target, details, data_key=self.data_key)


def unlock(home: Path, officer: str, pin: str, read_ahead: bool | PreRead = False,
           **keyring_kw: Any) -> Session:
    """A session, or WrongPin (after the back-off delay; logged as unlock_failed).
    `read_ahead`: the records' clear parts are read in a thread while scrypt checks the
    PIN (it releases the GIL), for a caller that opens them next (open_store): the app
    and the record commands; a command that only needs the key skips it. A PreRead
    already started by the caller (`read_ahead(home)`) is used instead, and left to
    the caller after a wrong PIN."""
    home = Path(home)
    ring = Keyring.open(home, **keyring_kw)
    given = read_ahead if isinstance(read_ahead, PreRead) else None
    pre = given or (_preread(home) if read_ahead else None)
    try:
        key = ring.unlock(officer, pin)
    except BaseException as e:
        if pre is not None and pre is not given:
            pre.cancel()  # nothing read for a wrong PIN outlives it
        if isinstance(e, WrongPin):
            record_failed_unlock(home, ring, officer, delay_s=round(e.delay, 1))
        raise
    session = Session(home, unicodedata.normalize("NFC", officer).strip(), key, tuple(ring.retired(key)),
                      preread=pre)
    session.audit("unlock")
    return session


def read_ahead(home: Path) -> PreRead | None:
    """The records' clear parts read from now on, in a thread, for an unlock to come
    (pass it to `unlock`); None when there is nothing to read (see _preread)."""
    return _preread(Path(home))


def _preread(home: Path) -> PreRead | None:
    """Not when this process has the records open already (the app locked and unlocked
    again: nothing to read), nor for a folder without records (an office)."""
    folder = home / "consultations"
    if Store.open_here(home) or not folder.is_dir():
        return None
    return PreRead(folder)


def record_failed_unlock(home: Path, ring: Keyring, officer: str, target: str = "", **details: Any) -> None:
    """The `unlock_failed` entry. A known officer is named (a reviewer wants to see who
    was tried); an unknown name is not written at all: it may be a PIN typed into the
    wrong field, and the log is shipped to the office."""
    name = unicodedata.normalize("NFC", officer or "").strip()
    if not ring.has_officer(name):
        name, details = "", {**details, "reason": "unknown officer"}
    AuditLog(home).record(name, "unlock_failed", target, details)


def office_envelope(session: Session) -> Envelope | None:
    try:
        office = keys.office_public(session.home)
    except keys.KeyProblem:
        return None  # no office key yet: records are resealed for it at the first unlock after
    return for_office(session.home, session.sealer, office)


def open_store(session: Session, **kw: Any) -> Store:
    """The records, sealed under the session's key (a plain store is sealed now)."""
    store = Store.open(session.home, cipher=session.sealer, office=office_envelope(session),
                       officer=session.officer, heads=session.take_heads(), **kw)
    Drafts(session.home, session.sealer).reseal()
    return store


def drafts(session: Session) -> Drafts:
    return Drafts(session.home, session.sealer)
