"""Pausing Python's cycle collector while a bundle's records are built or read.

Parsing 50 000 records makes ~10 containers each; every few hundred allocations the
collector runs, and its full passes walk everything built so far (json.loads of a
night's bundle took three times as long with it on). Records are trees of dicts and
lists: nothing here makes a cycle, so the pause frees nothing late. The same pause is
taken by the store's load (store.consultations).
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def paused() -> Iterator[None]:
    """Collector off for the block; back on after it only if it was on before (nested
    or concurrent blocks never leave it off: the first to enter turns it back on)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
