"""The office's quarantine: refused bundles kept as evidence, within a quota.

Only bytes that passed authentication come here (a stranger's bytes are never
stored); still, an enrolled station gone wrong, or a stick full of junk, must not fill
the office's disk. So the folder holds at most MAX_FILES bundles and MAX_BYTES in all:
the oldest are dropped first, and how many were dropped is counted (`dropped.json`),
so `hq status` can say that evidence was lost, and how much.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from ..store.atomic import atomic_write
from ..sync.fields import safe_file_name

MAX_FILES = 500
MAX_BYTES = 512 * 1024 * 1024
REASON = ".reason.txt"
COUNTER = "dropped.json"


@dataclass
class Quarantine:
    folder: Path
    max_files: int = MAX_FILES
    max_bytes: int = MAX_BYTES

    def bundles(self) -> list[Path]:
        """Kept bundles, oldest first (by the time they were quarantined)."""
        files = [p for p in self.folder.iterdir()
                 if p.is_file() and not p.name.endswith(REASON) and p.name != COUNTER and not p.name.startswith(".")]
        return sorted(files, key=lambda p: (p.stat().st_mtime_ns, p.name))

    def put(self, name: str, data: bytes, reason: str) -> Path:
        """Keep `data` under a free name with its reason, then hold the quota. `name` came
        from outside (an inbox, an HTTP header): used only if it is a plain bundle name."""
        base = Path(name).name if isinstance(name, str) else ""
        if not (base.endswith(".bundle") and safe_file_name(base)):
            base = "unnamed.bundle"
        dest, i = self.folder / base, 1
        while dest.exists():  # every refused copy is evidence: none overwrites another
            dest, i = self.folder / f"{base}.{i}", i + 1
        atomic_write(dest, data)
        atomic_write(dest.with_name(dest.name + REASON), reason.encode())
        self._hold(keep=dest)
        return dest

    def _hold(self, keep: Path) -> None:
        files = self.bundles()
        sizes = {p: p.stat().st_size for p in files}
        total, dropped = sum(sizes.values()), 0
        for p in files:
            if len(files) - dropped <= self.max_files and total <= self.max_bytes:
                break
            if p == keep:
                continue  # the newest stays, even alone over the byte quota: it is what just happened
            p.unlink(missing_ok=True)
            p.with_name(p.name + REASON).unlink(missing_ok=True)
            total -= sizes[p]
            dropped += 1
        if dropped:
            counter = self.folder / COUNTER
            was = self.summary()["dropped"]
            atomic_write(counter, orjson.dumps({"dropped": was + dropped}))

    def summary(self, latest: int = 5) -> dict[str, Any]:
        """Counts for `hq status`: kept bundles and bytes, dropped so far, the newest names."""
        files = self.bundles()
        try:
            dropped = int(orjson.loads((self.folder / COUNTER).read_bytes()).get("dropped", 0))
        except (FileNotFoundError, orjson.JSONDecodeError, AttributeError, ValueError, TypeError):
            dropped = 0
        return {"files": len(files), "bytes": sum(os.path.getsize(p) for p in files), "dropped": dropped,
                "latest": [p.name for p in files[-latest:]][::-1], "max_files": self.max_files,
                "max_bytes": self.max_bytes}
