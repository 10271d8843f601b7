"""A small synthetic city (the office benchmark's generator) ingested at a real office,
unlocked by its office officer: for tests that compare a fast path with whole records."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, Iterator

END = date(2026, 11, 30)


@contextmanager
def small_city(root: Path, records: int) -> Iterator[tuple[Any, Any]]:
    """(office, its unlocked staff) of a city of `records` consultations up to END."""
    from liaison.bench.office import OFFICER, PIN, build_city
    from liaison.hq.ingest import ingest_folder
    from liaison.hq.office import Office
    from liaison.hq.staff import unlock

    hq, inbox, _, versions = build_city(root, records, end=END)
    o = Office(hq)
    try:
        assert ingest_folder(o, inbox)[0]["accepted"] == versions
        yield o, unlock(o, OFFICER, PIN)
    finally:
        o.close()
