"""What the station's dashboard shows of the nightly sync, read without side effects
(no folders created, no crypto loaded): the export checkpoint and the last sync."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson


def sync_status(home: Path) -> dict[str, Any]:
    """{"checkpoint": seq exported so far, "last_sync": {"at", "result", "summary"} | None}"""
    try:
        state = orjson.loads((Path(home) / "outbox" / "state.json").read_bytes())
    except (OSError, orjson.JSONDecodeError):
        state = {}
    return {"checkpoint": int(state.get("checkpoint", 0) or 0), "last_sync": state.get("last_sync")}
