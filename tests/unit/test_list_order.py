"""The newest-first list the index keeps between changes (issue 14: opening the list at
50 000 records makes no pass over them) stays right after every kind of change, and
the order a reopened store sorts its rows into is the one saves keep."""

from __future__ import annotations

from datetime import datetime, timedelta

from liaison.domain.intake import fields_from_input
from liaison.domain.timeutil import TZ
from liaison.store import Store


def fields(summary: str, visited: datetime):
    return fields_from_input({"category": "labour", "summary": summary, "visited_at": visited.isoformat(),
                              "visitor": {"name": "张三", "consent": True}}, officer="王检察官")


def expected(store: Store) -> list[str]:
    rows = [r for r in store.index.by_id.values() if not r.deleted]
    return [r.ref for r in sorted(rows, key=lambda r: (r.visited_at, r.ref), reverse=True)]


def refs(rows) -> list[str]:
    return [r.ref for r in rows]


def test_newest_first_follows_saves_edits_and_deletes(home):
    base = datetime(2025, 3, 3, 9, 0, tzinfo=TZ)
    s = Store.open(home)
    try:
        made = [s.create(fields(f"第{i}条", base + timedelta(hours=(i * 7) % 11))) for i in range(12)]
        # same visit time, several records: the reference decides
        made += [s.create(fields(f"同时{i}", base + timedelta(hours=3))) for i in range(3)]
        first = s.index.newest_first()
        assert refs(first) == expected(s)
        assert s.index.newest_first() is first  # kept while nothing changes
        assert refs(s.index.search("")) == expected(s)

        s.edit(made[0].ref, {"visited_at": (base + timedelta(days=2)).isoformat()})  # now the newest
        assert refs(s.index.newest_first())[0] == made[0].ref
        assert refs(s.index.newest_first()) == expected(s)

        s.delete(made[5].ref)
        assert made[5].ref not in refs(s.index.newest_first())
        assert refs(s.index.newest_first()) == expected(s)
        assert made[5].ref in refs(s.index.newest_first(include_deleted=True))

        s.create(fields("最新", base + timedelta(days=3)))
        assert refs(s.index.newest_first()) == expected(s)
        assert refs(s.index.search("")) == expected(s)
        before = refs(s.index.newest_first(include_deleted=True))
    finally:
        s.close()
    again = Store.open(home)  # rows sorted at open, in one go
    try:
        assert refs(again.index.newest_first(include_deleted=True)) == before
        assert refs(again.index.newest_first()) == expected(again)
    finally:
        again.close()
