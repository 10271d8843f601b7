"""Issue 13, case 15: records linked by `related_to` end up in one cluster at the office,
whatever their summaries say; a reference is only looked up within its own station."""

from __future__ import annotations

from liaison.reports.clusters import find_clusters


def rec(i: int, station: str, ref: str, day: str, summary: str, related=()) -> dict:
    return {"id": f"id{i}", "ref": ref, "station": station, "visited_at": f"{day}T10:00:00+08:00",
            "category": "other", "summary": summary, "details": {}, "related_to": list(related)}


def test_related_visits_are_one_cluster():
    records = [
        rec(1, "fengqiao-yuanfang", "FQYF-20260301-001", "2026-03-01", "楼道堆放杂物，消防通道被占用"),
        # Months later, told differently: no key and no similarity would link them.
        rec(2, "fengqiao-yuanfang", "FQYF-20261101-004", "2026-11-01", "与前三起相同，再次反映",
            related=["FQYF-20260301-001"]),
        rec(3, "fengqiao-yuanfang", "FQYF-20261102-001", "2026-11-02", "家中老人走失求助"),
        # Another station's record with the same reference is not the one named.
        rec(4, "fengqiao-ban", "FQYF-20260301-001", "2026-03-01", "完全无关的咨询事项"),
    ]
    clusters = find_clusters(records, window_days=30)
    assert len(clusters) == 1
    (c,) = clusters
    assert sorted(m["id"] for m in c.members) == ["id1", "id2"]
    assert {"kind": "related", "label": "关联来访", "value": "FQYF-20260301-001"} in c.keys


def test_records_without_links_are_unchanged():
    records = [rec(1, "s", "FQYF-20260301-001", "2026-03-01", "楼道堆放杂物"),
               rec(2, "s", "FQYF-20261101-004", "2026-11-01", "家中老人走失求助")]
    assert find_clusters(records) == []
