"""The office workbook's layout (`hq/report_xlsx.py`), read back with openpyxl: the weekly
cross table holds every weekly count where its station, category and week meet, and the
overdue sheets count every follow-up while listing each station's oldest (all on request)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from openpyxl import load_workbook

from liaison.domain.vocab import CATEGORIES, label
from liaison.hq.report_xlsx import OLDEST_PER_STATION, write_xlsx

AS_OF = date(2026, 11, 30)


def _overdue(station: str, days: list[int]) -> list[dict]:
    items = [{"id": f"{station}-{d}", "ref": f"R-{station}-{d:03d}", "station": station, "category": "labour",
              "status": "following_up", "visited_on": (AS_OF - timedelta(days=d + 7)).isoformat(),
              "follow_up_on": (AS_OF - timedelta(days=d)).isoformat(), "days_overdue": d} for d in days]
    return sorted(items, key=lambda o: (o["follow_up_on"], o["ref"]))  # as build_report sorts them


def _rep(weekly: list[dict], overdue: dict[str, list[dict]]) -> dict:
    stations = ["a", "b"]
    return {"station_names": {"a": "甲站", "b": "乙站"}, "weekly": weekly, "referrals": [],
            "overdue": overdue, "resolution": {"per_station": {}, "method": "近似"},
            "totals": {"per_station": {s: 1 for s in stations}}, "sync": []}


def _rows(path, sheet: str) -> list[list]:
    return [list(r) for r in load_workbook(path)[sheet].iter_rows(values_only=True)]


def test_the_cross_table_holds_every_weekly_count(tmp_path):
    rng = random.Random(7)
    weeks = [f"2026-W{w:02d}" for w in range(1, 54)]
    weekly = [{"station": s, "category": c, "week": w, "count": rng.randint(1, 40)}
              for s in ("a", "b") for c in ("labour", "rider", "family") for w in weeks if rng.random() < 0.8]
    path = tmp_path / "r.xlsx"
    write_xlsx(_rep(weekly, {}), path)
    table = _rows(path, "周统计")
    head, body = table[0], table[1:]
    assert head[:2] == ["站点", "类别"] and head[-1] == "合计"
    assert head[2:-1] == sorted({w["week"] for w in weekly})
    cells = {(r[0], r[1], head[i]): v for r in body for i, v in enumerate(r[2:-1], 2) if v is not None}
    names = {"a": "甲站", "b": "乙站"}
    assert cells == {(names[w["station"]], label(CATEGORIES, w["category"]), w["week"]): w["count"] for w in weekly}
    assert all(r[-1] == sum(v for v in r[2:-1] if v) for r in body)
    assert len(body) == 6


def test_overdue_counts_all_and_lists_each_stations_oldest(tmp_path):
    days = list(range(5, 130, 5))  # 25 follow-ups, 5 to 125 days overdue
    rep = _rep([], {"a": _overdue("a", days)})
    path = tmp_path / "r.xlsx"
    write_xlsx(rep, path)
    summary = _rows(path, "逾期回访")
    assert summary[1][:6] == ["甲站", 25, sum(d > 30 for d in days), sum(d > 90 for d in days), 125,
                              (AS_OF - timedelta(days=125)).isoformat()]
    assert summary[2][:6] == ["乙站", 0, 0, 0, None, None]  # a station with none is listed too
    listed = _rows(path, "逾期明细")[1:]
    assert [r[4] for r in listed] == sorted(days, reverse=True)[:OLDEST_PER_STATION]
    assert str(OLDEST_PER_STATION) in summary[1][6]

    write_xlsx(rep, path, all_overdue=True)
    assert [r[4] for r in _rows(path, "逾期明细")[1:]] == sorted(days, reverse=True)
    assert _rows(path, "逾期回访")[1][6] == "逾期明细列出全部逾期回访"
