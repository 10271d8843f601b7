"""The report's weekly counts kept as they change: one row per (ISO week, station,
category) of the tallied current records, with its visits, people and latest visit.

A whole year's report grouped 600 000 rows of the records_tally index each time it ran
(half a second at a city's size); this table has one row per group (~72 000 a year)
and gives a week that lies wholly inside the period as it is. A period's first and
last weeks, when it cuts them, are still counted from the records (Reads.tally_groups).

Kept in the writer's transaction, so it always describes the rows
(tests/hq/test_tally_weeks.py): a merge recounts, from the records, the groups of the rows
it replaced and wrote (`recount`, a few thousand index seeks for a bundle of 50 000); SQLite
triggers take a row out of its group and put it in its new one whenever a row is updated
or deleted, whoever does it (a deleted flag, the sealing of rows kept in clear, a
migration, an edit by hand). Rows enter `records` only through a merge, whose INSERT OR
REPLACE fires none of them: a trigger on every insert cost a merge 14–22 µs a record.
(So an older liaison, which merges without recounting, must not write to an office.db
this version has opened: its new rows would be missing from the weekly counts.)
"""

from __future__ import annotations

import sqlite3
from typing import Iterable

TABLE = "tally_weeks"

_SCHEMA = f"""
CREATE TABLE {TABLE} (
  week TEXT NOT NULL, station TEXT NOT NULL, category TEXT NOT NULL, monday TEXT NOT NULL,
  visits INTEGER NOT NULL, people INTEGER NOT NULL, latest TEXT,
  PRIMARY KEY (week, station, category)) WITHOUT ROWID
"""

_COUNTED = "deleted=0 AND tallied=1"
# A week's Monday, from any of its days (SQLite: forward to Sunday, back six days): a
# period is a range of days, and a day sorts as it falls where a week's name may not.
_GROUP = ("SELECT week, station, category, date(min(day), 'weekday 0', '-6 days'), count(*), sum(party), "
          f"max(visited_at) FROM records WHERE {_COUNTED}")

_GROUP_OF = "week={r}.week AND station={r}.station AND category={r}.category"


def _entered(r: str) -> str:
    """A row `r` (NEW) counted into its group: one upsert."""
    return (f"INSERT INTO {TABLE} SELECT {r}.week, {r}.station, {r}.category, date({r}.day, 'weekday 0', '-6 days'), "
            f"1, {r}.party, {r}.visited_at WHERE {r}.deleted=0 AND {r}.tallied=1 "
            "ON CONFLICT (week, station, category) DO UPDATE SET visits=visits+1, people=people+excluded.people, "
            "latest=CASE WHEN latest IS NULL OR excluded.latest > latest THEN excluded.latest ELSE latest END;")


def _left(r: str) -> str:
    """A row `r` (OLD) taken out of its group; the group's latest visit looked up again
    (one seek on records_tally) only when it was that row's, and the group gone with its
    last row."""
    at = _GROUP_OF.format(r=r)
    return (f"UPDATE {TABLE} SET visits=visits-1, people=people-{r}.party, latest=CASE WHEN latest={r}.visited_at "
            f"THEN (SELECT max(visited_at) FROM records WHERE {at} AND {_COUNTED}) ELSE latest END "
            f"WHERE {at} AND {r}.deleted=0 AND {r}.tallied=1; "
            f"DELETE FROM {TABLE} WHERE {at} AND visits<=0;")


# An update fires only for the columns a group is made of or counts: re-sealing rows
# (doc, sealed, batch) fires nothing.
_TRIGGERS = (
    f"CREATE TRIGGER {TABLE}_delete AFTER DELETE ON records WHEN OLD.deleted=0 AND OLD.tallied=1 "
    f"BEGIN {_left('OLD')} END",
    f"CREATE TRIGGER {TABLE}_update AFTER UPDATE OF week, station, category, day, party, visited_at, deleted, tallied "
    "ON records WHEN (OLD.deleted=0 AND OLD.tallied=1) OR (NEW.deleted=0 AND NEW.tallied=1) "
    f"BEGIN {_left('OLD')} {_entered('NEW')} END",
)


def groups_of(db: sqlite3.Connection, ids: Iterable[str]) -> set[tuple[str, str, str]]:
    """The (week, station, category) groups the rows of `ids` are counted in now."""
    q = f"SELECT week, station, category FROM records WHERE id=? AND {_COUNTED}"
    return {g for rid in ids for g in db.execute(q, (rid,))}


def recount(db: sqlite3.Connection, groups: Iterable[tuple[str, str, str]]) -> None:
    """The (week, station, category) `groups` counted again from the records: what a
    merge calls for the groups of the rows it replaced (read before) and wrote (after)."""
    at = "week=? AND station=? AND category=?"
    todo = list(groups)
    db.executemany(f"DELETE FROM {TABLE} WHERE {at}", todo)
    db.executemany(f"INSERT INTO {TABLE} {_GROUP} AND {at} GROUP BY week, station, category", todo)


def ensure(db: sqlite3.Connection) -> None:
    """The table and its triggers, filled from the records, for an office.db from before
    them: in one transaction, so that no merge lands between the fill and the triggers."""
    if _exists(db):
        return
    with db:
        db.execute("BEGIN IMMEDIATE")
        if _exists(db):
            return  # another process made it while we waited
        db.execute(_SCHEMA)
        for trigger in _TRIGGERS:
            db.execute(trigger)
        db.execute(f"INSERT INTO {TABLE} {_GROUP} GROUP BY week, station, category")


def _exists(db: sqlite3.Connection) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (TABLE,)).fetchone() is not None


def whole_weeks(db: sqlite3.Connection, start: str | None, end: str | None, cut: tuple[str, ...]
                ) -> list[tuple[str, str, str, int, int, str]]:
    """(station, category, week, visits, people, latest visit) of the groups whose week
    lies wholly in the period (`start`/`end`: YYYY-MM-DD, inclusive, either may be None),
    `cut` being the weeks of its first and last day, which the caller counts from the records."""
    where, args = [f"week NOT IN ({','.join('?' * len(cut))})"] if cut else [], list(cut)
    if start:
        where.append("monday >= ?")
        args.append(start)
    if end:
        where.append("monday <= ?")
        args.append(end)
    return db.execute(f"SELECT station, category, week, visits, people, latest FROM {TABLE}"
                      + (f" WHERE {' AND '.join(where)}" if where else ""), args).fetchall()
