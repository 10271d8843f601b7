"""The merge's one-pass split gives personal.split's parts, and the stored hash keeps
its meaning (SHA-256 of the whole record, sorted-key orjson): an office.db written
before still tells a resend (duplicate) from a same-version change (conflict)."""

from __future__ import annotations

import copy
import hashlib
import os
import random

import orjson

from liaison.domain.personal import join, split
from liaison.hq.db import OfficeDB
from liaison.hq.rowform import _parts
from liaison.security import records_key

SID = "fengqiao-yuanfang"


def _record(i: int) -> dict:
    return {"id": f"00000000-0000-4000-8000-{i:012d}", "ref": f"FQYF-20260101-{i + 1:03d}", "station": SID,
            "version": 1, "seq": i + 1, "deleted": False, "visited_at": "2026-11-20T10:00:00+08:00",
            "category": "labour", "status": "open", "summary": f"第{i}条", "requests": "", "advice": "",
            "visitor": {"name": "张三", "phone": None, "party_size": 1, "consent": True, "anonymous": False},
            "clue": {"flag": False, "note": ""}, "details": {"employer": "某公司"}, "referrals": [], "notes": []}


def test_one_pass_split_is_split():
    rng = random.Random(8)
    shapes = [None, "x", 1, [], {}, {"name": "李四"}, {"party_size": 2}, {"note": "线索", "flag": True},
              {"name": None, "phone": "13800000000", "other": 1}]
    for i in range(400):
        r = _record(i)
        for k in rng.sample(["visitor", "clue", "summary", "notes", "_py", "details", "referrals"], 3):
            if rng.random() < 0.3:
                r.pop(k, None)
            else:
                r[k] = copy.deepcopy(rng.choice(shapes))
        before = copy.deepcopy(r)
        clear, personal = _parts(r)
        assert (clear, personal) == split(before)
        assert r == before  # the record is not changed
        assert join(clear, personal) == before


def _old_hash(record: dict) -> str:
    """The hash as every earlier version stored it."""
    return hashlib.sha256(orjson.dumps(record, option=orjson.OPT_SORT_KEYS)).hexdigest()


def test_rows_stored_before_still_tell_duplicates_from_conflicts(tmp_path):
    records_key.create(tmp_path, os.urandom(32))
    db = OfficeDB(tmp_path / "office.db")
    first = [_record(i) for i in range(20)]
    # Rows as an earlier version left them: the hash written by its own formula.
    db.merge(SID, 1, "d1", "t", copy.deepcopy(first), lambda c: b"receipt")
    stored = dict(db.db.execute("SELECT id, hash FROM records").fetchall())
    assert stored == {r["id"]: _old_hash(r) for r in first}

    second = copy.deepcopy(first)
    for r in second[:3]:
        r["summary"] += "（改）"  # same version, other content
    for r in second[3:5]:
        r["visitor"]["name"] = "王五"  # a personal field alone, same version
    counts, _ = db.merge(SID, 2, "d2", "t", second, lambda c: b"receipt")
    assert (counts["duplicates"], counts["conflicts"], counts["accepted"]) == (15, 5, 0)
    conflicts = dict(db.db.execute("SELECT id, hash FROM conflicts").fetchall())
    assert conflicts == {r["id"]: _old_hash(r) for r in second[:5]}
    db.close()
