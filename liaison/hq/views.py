"""What the office's two views share (referral_view: a report's referral counts;
cluster_view: `hq clusters`' features): both keep, sealed, what a whole-history read
found in each block of 2**BLOCK_BITS consecutive batch numbers, and both are kept by
a reader, after its read, without waiting for a busy office.

Why a block can be trusted without its rows (each view's docstring says what it
checks): only the merge that wrote a row's current version gives the row its batch
number, and a later merge that replaces the row gives it its own; so a block's current
rows are always some of those it held when the view was kept, as long as no batch newer
than the view has a row in it. Rows only ever leave a block, and SQL counting the same
number of current rows (and the same sum of their versions) says none has.

A view is a reader's cache of what the records hold, and so is each merge's sealed index
(hq/sealed_index.py): a blob of either that does not open (altered or damaged on disk) is
not used and not refused either. The reader counts from the merges' indexes, or from the
records, as if it were not there, names it (`altered_view`) for its caller to say and to
audit, and keeps the view again. Only a record's own sealed part is the truth itself: one
that does not open refuses the read.
"""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from ..security.records_key import BatchSealer
from .lock import OfficeBusy, office_lock

BLOCK_BITS = 8  # 256 batch numbers: a merge takes one (under `hq serve` its kept bundle another)
WAIT_S = 0.5  # for the office's lock: a reader does not wait for a merge to keep its view


def altered_view(zh: str, en: str, parts: list[int] | None = None, unit: tuple[str, str] = ("个块", "block")) -> str:
    """What a caller says of a view or index (or of these `parts` of it: blocks, or
    merges' batches) whose blob did not open."""
    if parts:
        shown = [str(b) for b in parts[:10]] + (["…"] if len(parts) > 10 else [])
        zh = f"{zh}的 {len(parts)} {unit[0]}（{'、'.join(shown)}）"
        en = f"{en}, {len(parts)} {unit[1]}{'s' if len(parts) > 1 else ''} ({', '.join(shown)})"
    return (f"院本部的{zh}未通过校验（磁盘上被改动或损坏），本次未使用，已从各批次记录重新统计 "
            f"({en}: did not pass the check, altered or damaged on disk; not used, counted from the records instead)")


def keep(conn: Any, write: Callable[[sqlite3.Connection, int, BatchSealer], None]) -> bool:
    """Run `write(db, batch, sealer)` in a write transaction of the office (`conn`: its
    OfficeDB), under a new batch of the writer's key, if the office's lock comes within
    WAIT_S: False, and nothing written, when a merge holds it or the copy is read-only
    (the next reader keeps the view then)."""
    try:
        with office_lock(conn.home, WAIT_S), conn.db:
            conn.db.execute("BEGIN IMMEDIATE")
            batch, sealer = conn.sealer()
            write(conn.db, batch, sealer)
    except (OfficeBusy, sqlite3.OperationalError, OSError):  # busy, or a read-only copy
        return False
    return True


@contextmanager
def kept_meanwhile(later: list[Callable[[], bool]]) -> Iterator[None]:
    """Run the `later` writes (each a view's `keep`) in a thread while the body runs, and
    wait for them when it ends, however it ends; an error of theirs is raised then.

    Why: a first whole-history `hq clusters` keeps ~200 MB of sealed view, and most of
    that second is SQLite writing pages and syncing them, and AES-GCM, both with the GIL
    released: on a second core it overlaps the clustering instead of preceding it. The
    body must not touch the office's connection meanwhile (the writes use it: it is made
    with check_same_thread=False, not for two threads at once), nor clear what the
    writes read."""
    if not later:
        yield
        return
    with ThreadPoolExecutor(1, thread_name_prefix="liaison-view") as pool:
        done = pool.submit(lambda: [keep() for keep in later])
        yield  # on an error here the pool's exit still waits for the writes, then it is raised
    done.result()
