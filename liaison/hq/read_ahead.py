"""Reading the office's database file ahead, in order, while a read that will touch most
of it in no order runs: the first whole-history report or `hq clusters` after a year's
backlog (hq/views.py: no view yet) reads every merge's index blob and the rows of every
block, pages scattered over the whole file. From a cold disk cache (the machine
restarted since the ingest, or its cache given to something else) those are page-sized
reads one at a time: at 600 000 records the first `hq clusters` took 15.4-16.6 s cold
against 8.3-9.5 s warm, the first report 5.0-5.8 s against 2.3-2.5 s. Read in order
alongside, the 1.9 GB file is in the cache in ~2.5 s: the same cold runs took 10.7-11.1 s
and 3.4-4.0 s, and the warm ones are as before.

The file is read by a child process, not by a thread: a process that opens a SQLite
database file itself and closes it drops every POSIX lock SQLite holds on it in that
process (sqlite.org/howtocorrupt.html, 2.2), and `hq clusters` goes on to write its view.
The child only fills the operating system's cache: it writes nothing, and a file it
cannot read is left alone (the read itself says what is wrong). The POSIX hint for the
same thing (posix_fadvise WILLNEED) returned at once and changed nothing on the machine
measured.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from contextlib import contextmanager
from typing import Iterator

MEMORY_SHARE = 4  # read ahead only a file that takes at most a quarter of the machine's memory


def worth_it(todo: int, blocks: int) -> bool:
    """Whether a whole-history read of `todo` of the office's `blocks` blocks row by row
    touches most of the file: more than half of them (a view that holds most blocks leaves
    a few to read, and those are no reason to read a whole file; a period's read, such as
    a month's report, is never one)."""
    return todo * 2 > blocks


@contextmanager
def reading_ahead(db: sqlite3.Connection, when: bool = True) -> Iterator[None]:
    """Read the database file of `db` ahead while the body runs (if `when`), and stop
    once it ends."""
    path = _file_of(db) if when else None
    reader = _start(path) if path is not None and _fits(path) else None
    try:
        yield
    finally:
        if reader is not None:
            reader.kill()  # done or not: the read it served has ended
            reader.wait()


_READ = "import sys\nb = bytearray(1 << 23)\nwith open(sys.argv[1], 'rb', buffering=0) as f:\n    while f.readinto(b): pass"


def _start(path: str) -> subprocess.Popen[bytes] | None:
    try:
        return subprocess.Popen([sys.executable, "-I", "-S", "-c", _READ, path], stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except OSError:
        return None  # only a hint


def _file_of(db: sqlite3.Connection) -> str | None:
    for _, name, path in db.execute("PRAGMA database_list"):
        if name == "main":
            return str(path) or None  # "" for a database in memory
    return None


def _fits(path: str) -> bool:
    try:
        size = os.stat(path).st_size
        memory = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return False
    return size * MEMORY_SHARE <= memory
