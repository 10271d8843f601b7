"""One writer at a time across processes (the TUI, the CLI, the nightly job).

The lock is held only for the length of one save, so the nightly export can run
while the TUI is open. Each writer also bumps a generation number as soon as it holds
the lock, before touching any data file: another process that finds a generation it
did not write knows to re-read the shards before trusting its in-memory counters. The
number is written without fsync on purpose: after a power cut every process starts by
reading the shards anyway.
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from filelock import FileLock, Timeout

from .errors import StoreBusy

DEFAULT_TIMEOUT = 5.0


class WriteLock:
    def __init__(self, home: Path, timeout: float = DEFAULT_TIMEOUT):
        self._flock = FileLock(home / "store.lock", timeout=timeout, thread_local=False)
        self._gen_path = home / "store.gen"
        self._threads = threading.RLock()  # flock is per process; threads queue here
        self.timeout = timeout
        self.known_gen = self.read_gen()

    def read_gen(self) -> int:
        try:
            return int(self._gen_path.read_text() or 0)
        except (FileNotFoundError, ValueError):
            return 0

    @property
    def others_wrote(self) -> bool:
        """Cheap check (no lock): has another process written since we last looked?"""
        return self.read_gen() != self.known_gen

    @contextmanager
    def hold(self) -> Iterator[bool]:
        """Hold the write lock; yields True if another process wrote since last time."""
        with self._threads:
            try:
                self._flock.acquire()
            except Timeout:
                raise StoreBusy(
                    f"另一个 liaison 程序正在写入数据，等待 {self.timeout:.0f} 秒后仍未结束，请稍后再试。"
                    f"(another liaison process is writing to this data folder; gave up after {self.timeout:.0f} s)"
                ) from None
            try:
                gen = self.read_gen()
                stale = gen != self.known_gen
                self.known_gen = gen + 1
                self._gen_path.write_text(str(self.known_gen))
                yield stale
            finally:
                self._flock.release()

    def mark_seen(self) -> None:
        self.known_gen = self.read_gen()
