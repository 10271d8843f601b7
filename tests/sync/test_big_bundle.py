"""A bundle larger than the office's bulk threshold (a first export, a station that was
offline for months) is merged by the same rules as a small one: new, updated,
duplicate, conflict, stale. Exercised on the office database directly."""

from __future__ import annotations

import copy
import os

from liaison.hq.db import OfficeDB
from liaison.hq.merge import BULK
from liaison.security import records_key
from liaison.security.seal import Sealer


def _records(n: int) -> list[dict]:
    return [{"id": f"00000000-0000-4000-8000-{i:012d}", "version": 2, "seq": i + 1, "deleted": False,
             "visited_at": "2026-11-20T10:00:00+08:00", "summary": f"第{i}条", "status": "open"}
            for i in range(n)]


def test_bulk_merge_follows_the_rules(tmp_path):
    data_key = os.urandom(32)
    records_key.create(tmp_path, data_key)  # what staff set-up makes: personal parts are sealed to it
    db = OfficeDB(tmp_path / "office.sqlite")
    first = _records(BULK + 300)
    counts, _ = db.merge("fengqiao-yuanfang", 1, "d1", "t", first, lambda c: b"receipt")
    assert counts["accepted"] == BULK + 300

    second = copy.deepcopy(first)
    for r in second[:7]:
        r["version"], r["status"] = 3, "resolved"  # newer: update
    for r in second[7:10]:
        r["summary"] += "（改）"  # same version, other content: conflict
    for r in second[10:12]:
        r["version"] = 1  # older: stale
    counts, _ = db.merge("fengqiao-yuanfang", 2, "d2", "t", second, lambda c: b"receipt")
    assert (counts["accepted"], counts["conflicts"], counts["stale"], counts["duplicates"]) == (7, 3, 2, BULK + 288)
    kept = {r["id"]: r for r in db.records(db.opener(records_key.private(tmp_path, Sealer(data_key))))}
    assert all(kept[r["id"]]["status"] == "resolved" and kept[r["id"]]["version"] == 3 for r in second[:7])
    assert all(kept[r["id"]]["summary"] == f"第{i}条" for i, r in enumerate(second[7:12], 7))
    db.close()
