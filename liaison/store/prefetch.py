"""Reading the shards while the PIN is being checked.

An unlock spends ~0.2 s in scrypt (security.pins), which runs in C with the GIL
released, and then ~0.5 s reading and parsing 72 MB of shards at 50 000 records. The
second needs no key, so a thread does it during the first: on this 2-core machine the
PIN check is then almost free. What it read is used only if the file is still the one
it read (same inode, size and modification time: shards are only ever replaced whole),
and everything is checked as usual afterwards (store.integrity) — a prefetch saves
time, never a check. Nothing personal is in what it holds: those parts stay sealed.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import orjson

Stamp = tuple[int, int, int]


def read_stamped(path: Path) -> tuple[bytes, Stamp]:
    """The file's bytes and the stamp of exactly the file they came from."""
    with open(path, "rb") as f:
        st = os.fstat(f.fileno())
        return f.read(), (st.st_ino, st.st_size, st.st_mtime_ns)


class Prefetch:
    def __init__(self, folder: Path):
        self._docs: dict[str, tuple[Stamp, dict[str, Any]]] = {}
        self._thread = threading.Thread(target=self._run, args=(Path(folder),), name="liaison-prefetch",
                                        daemon=True)
        self._thread.start()

    def _run(self, folder: Path) -> None:
        try:
            for p in sorted(folder.glob("[0-9]*.json")):
                raw, stamp = read_stamped(p)
                self._docs[p.name] = (stamp, orjson.loads(raw))
        except Exception:  # noqa: BLE001 — only time is lost: the open reads and reports for itself
            pass

    def take(self, path: Path, stamp: Stamp) -> dict[str, Any] | None:
        """The parsed shard if it was read from the file now at `path` (else None). Waits
        for the whole read: measured here, handing over shard by shard made the two
        threads take turns at the GIL and the unlock no faster (1046 ms median of 10
        against 971 ms waiting once, 1045 ms with no prefetch at all)."""
        self._thread.join()
        hit = self._docs.pop(path.name, None)
        return hit[1] if hit is not None and hit[0] == stamp else None

    def drop(self) -> None:
        self._docs.clear()
