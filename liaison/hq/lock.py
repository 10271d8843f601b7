"""One writer at the office, as at the station: `hq serve`, `hq ingest` and `hq enroll`
may run side by side, but only one of them changes office.db at a time.

SQLite alone would serialise them too, but a writer that waits past its busy timeout
gets "database is locked" (which reached the operator as exit 1, an internal error).
A flock on `office.lock`, held for the length of one merge, makes the wait explicit and
bounded and its failure a clear "busy, retry" (exit 5; HTTP 503 for a station, which
keeps its bundle pending and sends it again). The kernel drops the lock of a killed
holder, so a crash never leaves the office locked. It waits the way every liaison lock
does (store.lock.locked_file); the station's WriteLock also carries a generation
counter, which the office has no use for.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import ContextManager

from ..store.lock import locked_file

DEFAULT_WAIT = 5.0  # seconds; the station's lock waits as long
WAIT_ENV = "LIAISON_HQ_LOCK_WAIT"  # tests (and a slow office disk) can change it
LOCK_FILE = "office.lock"  # each holder opens it afresh: flock then also keeps two threads apart


class OfficeBusy(Exception):
    """Another office process held the write lock longer than we wait."""


def lock_wait() -> float:
    raw = os.environ.get(WAIT_ENV, "")
    try:
        return max(0.0, float(raw)) if raw else DEFAULT_WAIT
    except ValueError:
        return DEFAULT_WAIT  # a typo in the environment must not stop the inbox


def busy_message(wait: float) -> str:
    return (f"院本部数据正被另一个程序写入（如 liaison hq serve 正在合并数据包），等待 {wait:g} 秒后仍未结束，"
            f"请稍后再试 (office busy: another office process is writing; gave up after {wait:g} s, retry later)")


def office_lock(home: Path, wait: float | None = None) -> ContextManager[None]:
    wait = lock_wait() if wait is None else wait
    return locked_file(Path(home) / LOCK_FILE, wait, lambda: OfficeBusy(busy_message(wait)))
