"""The report's referral section: how many of the period's visits were referred where,
and how many of those are resolved. Read block by block (2**BLOCK_BITS consecutive
batch numbers): from the office's view (referral_view) where SQL still counts a
block's rows as the view does, otherwise from the block's rows, listed in one row of
SQL and matched with its merges' index blobs (referral_index); a row no blob describes
is opened on its own, as every row once was.

A whole-history report keeps what it counted in the view, so the next report adds up
every block no merge has changed since: a station edits a third of its visits on a
later day, so most of a year's merges lose a row to a later one, and listing and
matching every row each time was most of a whole-year report.
"""

from __future__ import annotations

from collections import Counter
from functools import partial
from typing import Callable

import orjson

from ..security import records_key
from ..security.records_key import Opener
from . import referral_index
from .db import OfficeDB
from .read_ahead import reading_ahead, worth_it
from .reads import not_sealed
from .referral_view import Block, Counted, Refs, View
from .views import BLOCK_BITS, altered_view

Seen = Counter[tuple[Refs, int]]  # (referrals, resolved 0/1) -> visits


def count(db: OfficeDB, opener: Opener, lo: str | None, hi: str | None,
          altered: list[str] | None = None) -> tuple[Seen, Callable[[], bool]]:
    """(the period's visits by referrals and state, what keeps the office's view once
    the report's snapshot has ended: it writes). `lo`/`hi`: YYYY-MM-DD, inclusive,
    either None: the whole history, whose report alone keeps the view (a block's
    counts must cover every day). A view or index blob that did not open is named in
    `altered` (hq/views.py)."""
    seen: Seen = Counter()
    view = View(db.db, opener)
    if view.altered and altered is not None:
        altered.append(altered_view("转介统计视图", "the referral view"))
    todo: list[int | None] = []
    high = -1  # the highest batch with a counted row: what the view is kept as of
    blocks = 0
    for block, n, vsum, done, top in db.block_counts(lo, hi, BLOCK_BITS):
        blocks += 1
        high = max(high, top if top is not None else -1)
        got = view.counted(block, n, vsum, done, top, lo, hi)
        if got is None:
            todo.append(block)
        else:
            _add(seen, got)
    whole = lo is None and hi is None
    broken: list[int] = []  # merges whose index blob did not open: their rows opened on their own
    with reading_ahead(db.db, whole and worth_it(len(todo), blocks)):  # a first report after a backlog
        for block, batches, ids, versions, resolved, days in db.block_rows(lo, hi, todo, BLOCK_BITS) if todo else ():
            rows = Block()
            rows.add_rows(days, versions, resolved,
                          view.places(_referrals(db, opener, block, batches, ids, versions, broken)))
            _add(seen, rows.in_period(view.sets, lo, hi))
            if whole and block is not None:
                view.put(block, rows)
    if broken and altered is not None:
        altered.append(altered_view("转介索引", "the referral index", broken, ("个批次", "merge")))
    return seen, partial(view.save, db, high) if whole else (lambda: False)


def _add(seen: Seen, got: Counted) -> None:
    for refs, resolved, rows in got:
        seen[(refs, resolved)] += rows


def _referrals(db: OfficeDB, opener: Opener, block: int | None, batches: list[int], ids: list[str],
               versions: list[int], broken: list[int]) -> list[Refs]:
    """The referrals of each row (of `batches`, `ids` at `versions`) of a block: looked
    up in its merges' index blobs, in C; a row none describes, opened on its own."""
    known = referral_index.block_map(db, opener, block, BLOCK_BITS, broken) if block is not None else {}
    keys = list(zip(batches, ids, versions, strict=True))
    got = list(map(known.get, keys))
    if None in got:
        opened = _opened(db, opener, [k for k, refs in zip(keys, got, strict=True) if refs is None])
        got = [refs if refs is not None else opened[k] for k, refs in zip(keys, got, strict=True)]
    return got  # type: ignore[return-value]  # (no None left)


def _opened(db: OfficeDB, opener: Opener, rows: list[tuple[int, str, int]]) -> dict[tuple[int, str, int], Refs]:
    """The referrals of these rows, each personal part opened (a merge from before the
    index, or a row the index does not describe): one query for them all."""
    got: dict[tuple[int, str, int], Refs] = {}
    aad = records_key.record_aad
    for rid, version, blob, batch in db.db.execute(
            "SELECT id, version, sealed, batch FROM records WHERE id IN (SELECT value FROM json_each(?))",
            (orjson.dumps([rid for _, rid, _ in rows]).decode(),)):
        if blob is None or batch is None:
            raise not_sealed(rid)
        # as Tally.add reads a record's own (dict.fromkeys when counted)
        got[(batch, rid, version)] = tuple(opener.open(batch, blob, aad(rid, version)).get("referrals") or ())
    return got
