"""Removing an officer: a new data key, and everything that can be re-sealed moved to it.

keyring.Keyring.remove_officer replaces the data key in keys/officers.json first (one
atomic write). From then on the removed officer's old PIN, even with a copy of the old
file, yields only the old key. Then, with the new key:

1. a new office envelope (security.envelope): the current one's key is sealed under the
   old data key, and every shard's key is wrapped under it too;
2. every shard re-sealed (Store.reseal_all: a fresh shard key, wrapped under the new data
   key and the new envelope);
3. the draft re-sealed.

A crash between the steps loses nothing: the old key is kept in the keyring (retired,
sealed under the new one), so a shard not yet re-sealed still opens — but stays readable
to the old key until it is next saved; the CLI says so when re-sealing fails. What stays
under the old key for good is the audit log's details (append-only, hash-chained): they
open with the retired key.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..store.drafts import Drafts
from . import keys
from .envelope import for_office
from .keyring import Keyring
from .session import Session, open_store


@dataclass
class Rotated:
    session: Session  # the remover's, under the new key
    shards: int  # re-sealed under the new key


def remove_officer(home: Path, officer: str, by_officer: str, by_pin: str, *,
                   recovery_code: str | None = None, **keyring_kw: Any) -> Session:
    """Delete `officer`'s wrap and replace the data key; the remover's new session."""
    home = Path(home)
    ring = Keyring.open(home, **keyring_kw)
    key = ring.remove_officer(officer, by_officer, by_pin, recovery_code=recovery_code)
    return Session(home, unicodedata.normalize("NFC", by_officer).strip(), key, tuple(ring.retired(key)))


def reseal_everything(session: Session) -> Rotated:
    """Steps 1–3 above, under the session's (new) key."""
    try:
        office = keys.office_public(session.home)
    except keys.KeyProblem:
        office = None  # no office key installed: nothing was wrapped for an office
    if office is not None:
        for_office(session.home, session.sealer, office, renew=True)
    n = 0
    if (session.home / "meta.json").exists():
        store = open_store(session)
        try:
            n = store.reseal_all()
        finally:
            store.close()
    d = Drafts(session.home, session.sealer)
    got = d.load()
    if got is not None:
        d.save(got[0], at=got[1])
    return Rotated(session, n)
