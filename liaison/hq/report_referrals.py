"""The report's referral section: how many of the period's visits were referred where,
and how many of those are resolved, read from sealed counts (referral_counts) merge by
merge, and row by row (referral_index) only for the merges those do not describe.

Those merges' counts are kept in the office's view afterwards, so the next report
adds them up too: a station edits a third of its visits on a later day, so most of a
year's merges lose a row to a later one, and matching them row by row again each time
was most of a whole-year report.
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
from .referral_view import View

Seen = Counter[tuple[Refs, int]]  # (referrals, resolved 0/1) -> visits


def count(db: OfficeDB, opener: Opener, lo: str | None, hi: str | None) -> tuple[Seen, Callable[[], bool]]:
    """(the period's visits by referrals and state, what keeps the office's view once
    the report's snapshot has ended: it writes). `lo`/`hi`: YYYY-MM-DD, inclusive,
    either None."""
    seen: Seen = Counter()
    view = View(db.db, opener)
    rest: list[int | None] = []
    for batch, n, vsum, done, sealed, wrapped in db.merge_counts(lo, hi, referral_counts.TALLY):
        got = view.counted(batch, n, vsum, done, lo, hi)
        if got is None and sealed is not None and batch is not None:
            got = referral_counts.tallied(opener, batch, n, vsum, done, sealed, wrapped, lo, hi)
        if got is None:
            rest.append(batch)
            continue
        for refs, resolved, rows in got:
            seen[(refs, resolved)] += rows
    whole = lo is None and hi is None
    if whole:
        for refs, resolved, rows in view.matched_counts():
            seen[(refs, resolved)] += rows
    for batch, days in _matched(db, opener, rest, view) if rest else ():
        if batch is not None:
            view.put(batch, days)
        for refs, resolved, rows in referral_counts.in_period(days, view.sets, lo, hi)[0]:
            seen[(refs, resolved)] += rows
    return seen, partial(view.save, db, whole)


def _matched(db: OfficeDB, opener: Opener, batches: list[int | None], view: View
             ) -> Iterator[tuple[int | None, list[list[Any]]]]:
    """(batch, its current rows' counts per day, every day) of these merges, each row's
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
        yield merge.batch, referral_counts.days_of(zip(merge.days, merge.versions, merge.resolved,
                                                       map(view.ref, refs), strict=True))
