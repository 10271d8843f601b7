"""The office's view of its cluster features: for each block of merges (hq/views.py),
the features (reports/cluster_features.py) of its current rows as a whole-history
`hq clusters` last read them, one sealed blob per block, so that the next run reads a
few hundred blobs instead of ~70 000 merges' index blobs matched with their rows. A
station edits a third of its visits on a later day, so most of a city's merges lose a
row to a later one, and each of those had its rows listed and mapped: a city's 600 000
records took 3.0–3.7 s to read that way, 0.75–0.8 s from the view.

Each block's entry keeps in clear what it is checked against — how many current rows
it held, their versions' sum, the highest batch with a row when it was kept, its
latest visit day (a `--since` run skips a block whose visits all came before) and the
blob's form — and binds them into the sealed blob (its AAD): none can be changed on
disk without the blob failing to open (SealBroken, as for any altered sealed part). An
entry is used when SQL counts the block's current rows as it does and no batch newer
than it has a row in it (hq/views.py says why that is enough); any other block is read
merge by merge from the cluster index (hq/cluster_index.py), and the next
whole-history run keeps it again. The features are personal (summaries, employers), so
the blobs are sealed like the index itself, under a batch key of their own: only an
office officer's PIN opens them. A blob that does not open (altered or damaged on disk)
is not used either: its block is read merge by merge, named in `altered` for the caller
to say, and kept again by the next whole-history run.
"""

from __future__ import annotations

import sqlite3
from itertools import chain
from typing import Any, Callable, Iterator, NamedTuple

import orjson

from ..reports.cluster_features import FIELDS
from ..security import records_key
from ..security.errors import SealBroken
from ..security.records_key import BatchSealer, Opener
from .views import Statement, keep_meanwhile

TABLE = "cluster_view"
PURPOSE = "cluster-view"  # bound into every blob: part of the file format, never renamed
FORM = "1 " + " ".join(FIELDS)  # the blob's layout and fields: an entry of another is not used
_VISITED, _SUMMARY = FIELDS.index("visited_at"), FIELDS.index("summary")
_SEP = "\x1e"

Columns = list[list[Any]]


def schema() -> str:
    return (f"CREATE TABLE IF NOT EXISTS {TABLE} (block INTEGER PRIMARY KEY, batch INTEGER NOT NULL, "
            "rows INTEGER NOT NULL, versions INTEGER NOT NULL, high INTEGER NOT NULL, last TEXT NOT NULL, "
            "form TEXT NOT NULL, sealed BLOB NOT NULL)")


class Entry(NamedTuple):
    """A block's entry as kept in clear beside its blob, and bound to it."""

    block: int
    batch: int  # the view's own batch: its key opens the blob
    rows: int
    versions: int  # their versions' sum
    high: int  # the highest batch with a row when it was kept
    last: str  # its latest visit day
    form: str


_ENTRY = ", ".join(Entry._fields)


def _aad(e: Entry) -> bytes:
    return orjson.dumps([records_key.FORMAT, PURPOSE, e.batch, e.block, e.rows, e.versions, e.high, e.last, e.form])


def _copies(texts: list[Any]) -> list[Any]:
    """New str objects equal to `texts`. orjson keeps the UTF-8 form it writes of a
    non-ASCII str inside that str, for as long as it lives, and the summaries outlive the
    view's write (the clusters are made of them): ~110 MB more at the peak of a city's
    first run. Copied in C, by a join and a split, unless a text holds the separator."""
    try:
        joined = _SEP.join(texts)
    except TypeError:  # not all text (a summary left out is None)
        joined = None
    if joined is not None and joined.count(_SEP) == len(texts) - 1:
        return joined.split(_SEP) if texts else []
    return [t[:1] + t[1:] if type(t) is str else t for t in texts]


class View:
    def __init__(self, db: sqlite3.Connection):
        self._entries = {e.block: e for e in map(Entry._make, db.execute(f"SELECT {_ENTRY} FROM {TABLE}"))}
        self.used: list[int] = []  # the blocks `match` found whole in the view
        self.altered: list[int] = []  # of those, the blocks whose blob did not open: read merge by merge

    def match(self, counts: list[tuple[int | None, int, int, int, int | None]]) -> list[int | None]:
        """The blocks the view does not hold as they are now, of `counts`
        (Reads.block_counts: each block's current rows, their versions' sum, the
        resolved ones, its highest batch); the others are `used`."""
        todo: list[int | None] = []
        for block, rows, versions, _, top in counts:
            e = self._entries.get(block) if block is not None else None
            if e is None or top is None or (e.rows, e.versions, e.form) != (rows, versions, FORM) or top > e.high:
                todo.append(block)
            else:
                self.used.append(e.block)
        return todo

    def columns(self, db: sqlite3.Connection, opener: Opener, start: str | None) -> Iterator[Columns]:
        """The features of each used block's rows, as columns: of the rows visited on or
        after `start` (YYYY-MM-DD) if given. A block whose blob does not open moves from
        `used` to `altered`."""
        blocks = [b for b in self.used if start is None or self._entries[b].last >= start]
        for *clear, sealed, wrapped in db.execute(
                f"SELECT {', '.join(f'v.{f}' for f in Entry._fields)}, CAST(v.sealed AS BLOB), k.wrapped "
                f"FROM {TABLE} v LEFT JOIN seal_keys k ON k.id=v.batch WHERE v.block IN "
                "(SELECT value FROM json_each(?))", (orjson.dumps(blocks).decode(),)):
            e = Entry._make(clear)
            try:
                cols: Columns = opener.open(e.batch, sealed, _aad(e), wrapped)["columns"]
            except SealBroken:
                self.used.remove(e.block)
                self.altered.append(e.block)
                continue
            if start is not None:
                at = [i for i, v in enumerate(cols[_VISITED]) if v[:10] >= start]
                if len(at) < len(cols[_VISITED]):
                    cols = [list(map(c.__getitem__, at)) for c in cols]
            yield cols

    def save(self, conn: Any, cols: Columns, spans: dict[int, list[tuple[int, int]]],
             sums: dict[int | None, tuple[int, int]], high: int) -> Callable[[], bool]:
        """After a whole-history read: keep each block it read merge by merge (`spans`:
        where its rows lie in `cols`, the features read; `sums`: each block's rows and
        versions' sum as SQL counted them in the same read; `high`: the highest batch with
        a row then), and drop the entry of a block with no current row left. The blobs
        are made and sealed before it returns, and written by a thread meanwhile
        (views.keep_meanwhile): it returns what waits for that write, True when written."""
        fresh = [b for b, at in spans.items() if b in sums and sum(e - s for s, e in at) == sums[b][0]]
        gone = [b for b in self._entries if b not in sums]
        if not fresh and not gone:
            return lambda: False

        def statements(batch: int, sealer: BatchSealer) -> Iterator[Statement]:
            if gone:
                yield f"DELETE FROM {TABLE} WHERE block IN (SELECT value FROM json_each(?))", (orjson.dumps(gone).decode(),)
            for block in fresh:  # made and sealed one at a time: a city's are ~200 MB in all
                got = [list(chain.from_iterable(c[s:e] for s, e in spans[block])) for c in cols]
                got[_SUMMARY] = _copies(got[_SUMMARY])
                e = Entry(block, batch, *sums[block], high, max(v[:10] for v in got[_VISITED]), FORM)
                yield (f"INSERT OR REPLACE INTO {TABLE} ({_ENTRY}, sealed) VALUES ({', '.join('?' * 8)})",
                       (*e, sealer.seal({"columns": got}, _aad(e))))

        return keep_meanwhile(conn, statements)
