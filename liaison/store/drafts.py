"""The unsaved intake form, kept on disk so a crash or a closed terminal loses nothing.

One draft per data folder (`drafts/intake.json`): the raw values of the form as the
officer typed them, not a checked record. It is written with `atomic_write` (temp
file, fsync, rename), so a crash mid-write leaves the previous draft, and readable by
the owner only, since it may hold a visitor's name and phone. A draft that cannot be
read (damaged, hand-edited, from a future version) is ignored rather than crashing
the form: it was only ever a convenience.

With a cipher (the station is unlocked) the values are sealed under the data key,
bound to the draft's file: a locked station, or a thief, reads nothing from it.

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
from .sealed import Cipher

FORMAT = 1
AAD = b"liaison-draft/1\x00intake"


class Drafts:
    def __init__(self, home: Path, cipher: Cipher | None = None):
        self.folder = Path(home) / "drafts"
        self.path = self.folder / "intake.json"
        self.cipher = cipher

    def save(self, data: dict[str, Any], *, at: datetime | None = None) -> None:
        """Replace the draft with `data` (JSON-able); raises StoreWriteError on failure."""
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        doc = {"format": FORMAT, "saved_at": iso(at or now()),
               "data": self.cipher.seal(data, AAD) if self.cipher else data}
        atomic_write(self.path, orjson.dumps(doc))

    def load(self) -> tuple[dict[str, Any], datetime] | None:
        """(data, saved_at) of the draft, or None if there is none or it is unreadable."""
        try:
            doc = orjson.loads(self.path.read_bytes())
            if not isinstance(doc, dict) or doc.get("format") != FORMAT:
                return None
            data = doc["data"]
            if isinstance(data, str) and self.cipher is not None:
                data = self.cipher.open(data, AAD)
            if not isinstance(data, dict):
                return None
            return data, parse_datetime(str(doc["saved_at"]))
        except Exception:  # noqa: BLE001 — unreadable or not ours to open (SealBroken): no draft
            return None

    def reseal(self) -> None:
        """Seal a draft kept in clear before the station was first unlocked."""
        if self.cipher is None or not self.exists:
            return
        try:
            plain = isinstance(orjson.loads(self.path.read_bytes()).get("data"), dict)
        except (OSError, orjson.JSONDecodeError, AttributeError):
            return
        got = self.load() if plain else None
        if got is not None:
            self.save(got[0], at=got[1])

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
