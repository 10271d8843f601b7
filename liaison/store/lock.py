"""One writer at a time across processes (the TUI, the CLI, the nightly job).

The lock is held only for the length of one save, so the nightly export can run while
the TUI is open. It is a POSIX advisory lock (flock) on `store.lock`, which the kernel
releases when the holder dies, so a killed writer never leaves the folder locked. We
call fcntl directly rather than the filelock package: its acquire path cost ~0.45 ms,
a third of a whole durable save, and one flock call does the same.

The lock file also holds a generation number that each writer bumps twice: when it
takes the lock (before touching any data file) and when it is done. Another process
that finds a generation it did not write knows to re-read the shards before trusting
its counters; a reader that loads shards without the lock accepts what it read only
if the generation was the same before and after (see Store._settle). It is written
without fsync on purpose: after a power cut every process starts by reading the
shards anyway.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from .errors import StoreBusy

DEFAULT_TIMEOUT = 5.0
POLL = 0.01


def flock_within(fd: int, timeout: float, busy: Callable[[], Exception]) -> None:
    """Take an exclusive flock on `fd`, waiting at most `timeout` seconds, else raise
    `busy()`. The one way every liaison lock waits (store, outbox, station chain, office)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise busy() from None
            time.sleep(POLL)


@contextmanager
def locked_file(path: Path, timeout: float, busy: Callable[[], Exception]) -> Iterator[None]:
    """Hold an exclusive flock on `path` for the block. Each holder opens the file anew,
    so two threads of one process exclude each other too; closing releases it."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        flock_within(fd, timeout, busy)
        yield
    finally:
        os.close(fd)


class WriteLock:
    def __init__(self, home: Path, timeout: float = DEFAULT_TIMEOUT):
        self.timeout = timeout
        self._fd = os.open(home / "store.lock", os.O_RDWR | os.O_CREAT, 0o600)
        self._threads = threading.RLock()  # flock is per open file; threads queue here
        self._depth = 0
        self.known_gen = self.read_gen()

    def read_gen(self) -> int:
        raw = os.pread(self._fd, 20, 0)
        try:
            return int(raw.split(b"\n", 1)[0] or 0)
        except ValueError:
            return -1  # torn by a writer that died mid-write: treat as "changed"

    @property
    def others_wrote(self) -> bool:
        """Cheap check (no lock): has another process written since we last looked?"""
        return self.read_gen() != self.known_gen

    def _acquire(self) -> None:
        flock_within(self._fd, self.timeout, lambda: StoreBusy(
            f"另一个 liaison 程序正在写入数据，等待 {self.timeout:g} 秒后仍未结束，请稍后再试。"
            f"(another liaison process is writing to this data folder; gave up after {self.timeout:g} s)"))

    @contextmanager
    def hold(self) -> Iterator[bool]:
        """Hold the write lock; yields True if another process wrote since last time."""
        with self._threads:
            if self._depth:  # re-entered by the same thread: already held
                self._depth += 1
                try:
                    yield False
                finally:
                    self._depth -= 1
                return
            self._acquire()
            self._depth = 1
            gen = max(self.read_gen(), self.known_gen)
            stale = gen != self.known_gen
            self._write_gen(gen + 1)  # "a write is under way"
            ok = False
            try:
                yield stale
                ok = True
            finally:
                self._write_gen(gen + 2)  # "done": readers that loaded meanwhile re-check
                # After a failure our own index may not match the files: stay stale so
                # the next writer re-reads them.
                self.known_gen = gen + 2 if ok else -2
                self._depth = 0
                fcntl.flock(self._fd, fcntl.LOCK_UN)

    def _write_gen(self, gen: int) -> None:
        os.pwrite(self._fd, f"{gen}\n".encode().ljust(20), 0)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
