"""The report's referral section: how many of the period's visits were referred where,
and how many of those are resolved, read from sealed counts, block by block from the
office's view (referral_view), merge by merge from each merge's tally
(referral_counts), and row by row (referral_index) only for the merges neither
describes any more.

A whole-history report keeps what it gathered in the view, so the next report adds up
every block no merge has changed since: a station edits a third of its visits on a
later day, so most of a year's merges lose a row to a later one, and matching them
row by row each time was most of a whole-year report.
"""

from __future__ import annotations

from collections import Counter
from functools import partial
from typing import Any, Callable, Iterator

from ..security import records_key
from ..security.records_key import Opener
from . import referral_counts, referral_index
from .db import OfficeDB
from .reads import not_sealed
from .referral_counts import Refs
from .referral_view import BLOCK_BITS, Block, View, block_of

Seen = Counter[tuple[Refs, int]]  # (referrals, resolved 0/1) -> visits


def count(db: OfficeDB, opener: Opener, lo: str | None, hi: str | None) -> tuple[Seen, Callable[[], bool]]:
    """(the period's visits by referrals and state, what keeps the office's view once
    the report's snapshot has ended: it writes). `lo`/`hi`: YYYY-MM-DD, inclusive,
    either None: the whole history, whose report alone keeps the view (a block's
    counts must cover every day)."""
    seen: Seen = Counter()
    view = View(db.db, opener)
    whole = lo is None and hi is None
    todo: list[int | None] = []
    high = -1  # the highest batch with a counted row: what the view is kept as of
    for block, n, vsum, done, top in db.block_counts(lo, hi, BLOCK_BITS):
        high = max(high, top if top is not None else -1)
        got = view.counted(block, n, vsum, done, top, lo, hi)
        if got is None:
            todo.append(block)
        else:
            _add(seen, got)
    blocks: dict[int | None, list[tuple[Any, ...]]] = {b: [] for b in todo}
    for row in db.merge_counts(lo, hi, referral_counts.TALLY, todo, BLOCK_BITS) if todo else ():
        blocks[block_of(row[0])].append(row)
    gathered: dict[int, Block] = {}
    rest: list[int | None] = []
    for block, merges in blocks.items():
        gather = None
        if whole and block is not None:
            gather = gathered[block] = Block()
        for batch, n, vsum, done, sealed, wrapped in merges:
            if sealed is None or batch is None:
                rest.append(batch)
                continue
            days, sets = referral_counts.tally_of(opener, batch, sealed, wrapped)
            got = referral_counts.counted(days, sets, n, vsum, done, lo, hi)
            if got is None:
                rest.append(batch)
                continue
            if gather is None:
                _add(seen, got)
            else:  # counted with its block's others below; the tally's lists of referrals as the view's
                gather.add([[*d[:4], [[view.ref(sets[s]), r, c] for s, r, c in d[4]]] for d in days])
    by_rows = Block()  # (a period's: no block is kept)
    for batch, on, versions, resolved, places in _matched(db, opener, rest, view) if rest else ():
        (by_rows if batch is None or not whole else gathered[block_of(batch)]).add_rows(  # type: ignore[index]
            on, versions, resolved, places)
    for gather in (by_rows, *gathered.values()):
        _add(seen, gather.in_period(view.sets, lo, hi))
    for block, gather in gathered.items():
        view.put(block, gather)
    return seen, partial(view.save, db, high) if whole else (lambda: False)


def _add(seen: Seen, got: referral_counts.Counted) -> None:
    for refs, resolved, rows in got:
        seen[(refs, resolved)] += rows


def _matched(db: OfficeDB, opener: Opener, batches: list[int | None], view: View
             ) -> Iterator[tuple[int | None, list[str], list[int], list[int], list[int]]]:
    """(batch, and of its current rows, every day: their visit days, versions, resolved
    0/1s and places of their referrals in the view's list) of these merges, each row's
    referrals from the merge's index blob: compared whole, or looked up row by row in
    its map; a row the index does not describe is opened on its own, as every row once
    was."""
    index = referral_index.Index(db.db, opener)
    aad = records_key.record_aad
    for merge in db.merge_rows(resolved=True, days=True, index=referral_index.INDEX, batches=batches):
        refs: list[Any] | None = index.rows(merge)
        if refs is None:
            keys = list(zip(merge.ids, merge.versions, strict=True))
            refs = list(map(index.batch(merge).get, keys))
            for k, ((rid, version), got) in enumerate(zip(keys, refs, strict=True)):
                if got is not None:
                    continue
                blob, own = db.sealed_of(rid)
                if blob is None or own is None:
                    raise not_sealed(rid)
                # as Tally.add reads a record's own (dict.fromkeys when counted)
                refs[k] = tuple(opener.open(own, blob, aad(rid, version)).get("referrals") or ())
        yield merge.batch, merge.days, merge.versions, merge.resolved, view.places(refs)
