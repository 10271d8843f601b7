"""The unsaved intake form, kept on disk so a crash or a closed terminal loses nothing.

One draft per data folder (`drafts/intake.json`): the raw values of the form as the
officer typed them, not a checked record. It is written with `atomic_write` (temp
file, fsync, rename), so a crash mid-write leaves the previous draft, and readable by
the owner only, since it may hold a visitor's name and phone. A draft that cannot be
read (damaged, hand-edited, from a future version) is ignored rather than crashing
the form: it was only ever a convenience.

No textual here: the TUI calls this from a worker thread.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from ..domain.timeutil import iso, now, parse_datetime
from .atomic import atomic_write, fsync_dir

FORMAT = 1


class Drafts:
    def __init__(self, home: Path):
        self.folder = Path(home) / "drafts"
        self.path = self.folder / "intake.json"

    def save(self, data: dict[str, Any], *, at: datetime | None = None) -> None:
        """Replace the draft with `data` (JSON-able); raises StoreWriteError on failure."""
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        doc = {"format": FORMAT, "saved_at": iso(at or now()), "data": data}
        atomic_write(self.path, orjson.dumps(doc))

    def load(self) -> tuple[dict[str, Any], datetime] | None:
        """(data, saved_at) of the draft, or None if there is none or it is unreadable."""
        try:
            doc = orjson.loads(self.path.read_bytes())
            if not isinstance(doc, dict) or doc.get("format") != FORMAT:
                return None
            data = doc["data"]
            if not isinstance(data, dict):
                return None
            return data, parse_datetime(str(doc["saved_at"]))
        except (OSError, orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            return None

    def clear(self) -> None:
        """Delete the draft (no error if there is none)."""
        try:
            self.path.unlink()
        except FileNotFoundError:
            return
        fsync_dir(self.folder)

    @property
    def exists(self) -> bool:
        return os.path.exists(self.path)
