"""TinyDB as it ships (JSONStorage, one file), kept here so that only this package
imports tinydb. Used by the benchmark as an anchor, never by the application."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any


def plain_tinydb_insert_ms(path: Path, docs: list[dict[str, Any]], extra: list[dict[str, Any]], n: int) -> list[float]:
    """Load `docs` into a default TinyDB, then time `n` single inserts (ms each)."""
    from tinydb import TinyDB

    db = TinyDB(path)
    table = db.table("c")
    table.insert_multiple(docs)
    out = []
    for d in extra[:n]:
        t = time.perf_counter()
        table.insert(d)
        out.append((time.perf_counter() - t) * 1000)
    db.close()
    return out
