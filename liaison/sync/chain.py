"""Where the station's chain of bundles stands, kept in its data folder.

The outbox (sync.outbox) holds the bundles and its own state, but an outbox can be
replaced: `liaison export --out NEWDIR`, a new stick, a wiped folder. A new outbox that
started again at bundle 1 would fork the chain the office holds (409, and no way
forward), so every bundle written is also recorded here, and an outbox behind this
record continues from it: the next number, the previous bundle's digest, the change
checkpoint and the audit mark. Bundles left in an old outbox can still be delivered
from there; if they never arrive the office reports their numbers as missing.
"""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import orjson

from ..store.atomic import atomic_write

FILE = "sync_chain.json"
KEYS = ("last_bundle", "last_digest", "checkpoint", "audit_n", "audit_head")


@contextmanager
def held(home: Path) -> Iterator[None]:
    """One export at a time per station, whichever outbox each writes to."""
    fd = os.open(Path(home) / "sync_chain.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _read(home: Path) -> dict[str, Any]:
    try:
        doc = orjson.loads((Path(home) / FILE).read_bytes())
    except (FileNotFoundError, orjson.JSONDecodeError):
        return {}  # nothing recorded yet (a station from before this file): the outbox's own state stands
    return doc if isinstance(doc, dict) else {}


def adopt(home: Path, state: dict[str, Any]) -> dict[str, Any]:
    """`state` (an outbox's), moved on to where the station's chain stands if it is behind."""
    mine = _read(home)
    if isinstance(mine.get("last_bundle"), int) and mine["last_bundle"] > int(state.get("last_bundle", 0)):
        state = {**state, **{k: mine.get(k) for k in KEYS}}
        state["checkpoint"] = int(state.get("checkpoint") or 0)
        state["audit_n"] = int(state.get("audit_n") or 0)
    return state


def remember(home: Path, state: dict[str, Any]) -> None:
    atomic_write(Path(home) / FILE, orjson.dumps({k: state.get(k) for k in KEYS}))
