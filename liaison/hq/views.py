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
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, suppress
from queue import Queue
from typing import Any, Callable, Iterable, Iterator, Sequence

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


NOT_KEPT = (OfficeBusy, sqlite3.OperationalError, OSError)  # busy, or a read-only copy: the next reader keeps it


@contextmanager
def _transaction(conn: Any) -> Iterator[tuple[int, BatchSealer]]:
    """A write transaction of the office (`conn`: its OfficeDB) and a new batch of the
    writer's key, if the office's lock comes within WAIT_S (NOT_KEPT otherwise)."""
    with office_lock(conn.home, WAIT_S), conn.db:
        conn.db.execute("BEGIN IMMEDIATE")
        yield conn.sealer()


def keep(conn: Any, write: Callable[[sqlite3.Connection, int, BatchSealer], None]) -> bool:
    """Run `write(db, batch, sealer)` in a `_transaction`: False, and nothing written,
    when a merge holds the office or the copy is read-only."""
    try:
        with _transaction(conn) as (batch, sealer):
            write(conn.db, batch, sealer)
    except NOT_KEPT:
        return False
    return True


Statement = tuple[str, Sequence[Any]]


def keep_meanwhile(conn: Any, statements: Callable[[int, BatchSealer], Iterable[Statement]]
                   ) -> Callable[[], bool]:
    """Keep a view as `keep` does, its rows written by a thread of its own: the thread
    takes the office's lock, holds the write transaction and runs each (SQL, arguments)
    that `statements(batch, sealer)` yields here, on the caller's thread, as they come.
    Returns once the last is made (at once when the office is busy), with what waits for
    the commit: True when the view was kept; an error of the thread's is raised there.
    Until it has been called the caller must not use the office's connection (the thread
    does: it is made with check_same_thread=False, not for two threads at once).

    Why: a first whole-history `hq clusters` keeps ~200 MB of sealed view, and most of
    that second is SQLite writing pages and syncing them, with the GIL released: on a
    second core it overlaps the clustering instead of preceding it. The rows are made
    and sealed here, so the features they are made from can be let go before the
    clustering starts (the thread reading them meanwhile held ~80 MB more at a city's
    peak), and a few made rows wait in the queue at most."""
    made: Queue[Statement | None] = Queue(maxsize=4)
    ready: Future[tuple[int, BatchSealer] | None] = Future()
    stop = threading.Event()  # the thread will not write: stop making rows

    def write() -> bool:
        ended = False  # the caller's last None taken
        try:
            with _transaction(conn) as got:
                ready.set_result(got)
                while (statement := made.get()) is not None:
                    if stop.is_set():
                        raise _Abandoned
                    conn.db.execute(*statement)
                ended = True
                if stop.is_set():  # the caller failed making them: none is kept
                    raise _Abandoned
            return True
        except (*NOT_KEPT, _Abandoned):
            return False
        finally:
            stop.set()
            if not ready.done():
                ready.set_result(None)
            while not ended and made.get() is not None:  # the caller puts None last, whatever happens
                pass

    pool = ThreadPoolExecutor(1, thread_name_prefix="liaison-view")
    done = pool.submit(write)
    pool.shutdown(wait=False)
    try:
        got = ready.result()
        if got is not None:
            for statement in statements(*got):
                if stop.is_set():
                    break
                made.put(statement)
    except BaseException:
        stop.set()
        made.put(None)
        with suppress(Exception):
            done.result()  # rolled back: the office's connection is the caller's again
        raise
    made.put(None)
    return done.result


class _Abandoned(Exception):
    pass


@contextmanager
def written_meanwhile(later: list[Callable[[], Callable[[], bool]]]) -> Iterator[None]:
    """Start each of the `later` writes (keep_meanwhile), run the body, then wait for
    them however it ends: the office's connection is closed only after."""
    waits = [start() for start in later]
    try:
        yield
    except BaseException:
        for wait in waits:
            with suppress(Exception):  # the body's error is the one to raise
                wait()
        raise
    for wait in waits:
        wait()
