"""One process-wide pause of Python's cycle collector, shared by every thread.

Loading or parsing tens of thousands of records makes ~10 containers each; every few
hundred allocations the collector runs, and its full passes walk everything built so
far. Records are trees of dicts and lists: nothing they make is a cycle, so the pause
frees nothing late.

`gc.disable()` is process-wide, while the pausers run on worker threads (the heads'
pre-read, the store's load, a bundle's ingest) and overlap. Each pausing on its own
("turn it back on if it was on when I came in") lets the first to leave turn it on
under the others, or a late one find it off and leave it off for good. So the pausers
are counted under a lock: the first in turns it off, the last out turns it back on only
if it was on when the first came in.
"""

from __future__ import annotations

import gc
import threading
from contextlib import contextmanager
from typing import Iterator

_lock = threading.Lock()
_users = 0
_was_enabled = False


@contextmanager
def paused() -> Iterator[None]:
    """Collector off for the block, across every thread's overlapping blocks."""
    global _users, _was_enabled
    with _lock:
        if _users == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _users += 1
    try:
        yield
    finally:
        with _lock:
            _users -= 1
            if _users == 0 and _was_enabled:
                gc.enable()
