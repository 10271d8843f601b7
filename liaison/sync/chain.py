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

from pathlib import Path
from typing import Any, ContextManager

import orjson

from ..store.atomic import atomic_write
from ..store.lock import locked_file
from .outbox import LOCK_WAIT, OutboxBusy

FILE = "sync_chain.json"
KEYS = ("last_bundle", "last_digest", "checkpoint", "audit_n", "audit_head")


def held(home: Path) -> ContextManager[None]:
    """One export at a time per station, whichever outbox each writes to."""
    return locked_file(Path(home) / "sync_chain.lock", LOCK_WAIT, lambda: OutboxBusy(
        "另一个导出正在进行，请稍后再试 (another export of this station is under way; retry later)"))


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
