"""The station ledger (台账): rows, totals and summary for a seeded month; XLSX read back
cell by cell with openpyxl; CSV read back (BOM included); the command's exit codes."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from liaison.cli import exitcodes as ec
from liaison.cli import main
from liaison.demo_data import scenarios
from liaison.domain.intake import fields_from_input
from liaison.reports import ledger as lg
from liaison.security.keyring import Keyring
from liaison.security.session import open_store, unlock
from liaison.store import Store

PIN = "ks83jd-x"

NAME = "枫桥远坊·行政争议实质性化解综合履职检察联络站"


@pytest.fixture
def station(tmp_path: Path, monkeypatch) -> Path:
    """The twelve scenarios (14 visits, 2026-11-06 … 11-23), one October visit and one
    November visit that was deleted: neither may appear in November's ledger. A sealed
    station, as `liaison init` makes it; the commands unlock with --officer + LIAISON_PIN."""
    home = tmp_path / "station"
    Store.init(home, station="fengqiao-yuanfang", code="FQYF", officer="王检察官").close()
    Keyring.create(home, "fengqiao-yuanfang", "王检察官", PIN)
    monkeypatch.setenv("LIAISON_PIN", PIN)
    store = open_store(unlock(home, "王检察官", PIN))
    batch = [m for _, m in scenarios(date(2026, 11, 25))]
    batch.append({"visited_at": "2026-10-30T10:00:00+08:00", "category": "other", "summary": "十月的来访，不属于本月台账。"})
    batch.append({"visited_at": "2026-11-12T10:00:00+08:00", "category": "other", "summary": "误录后删除的记录。"})
    made = store.create_many([fields_from_input(m, officer="王检察官") for m in batch])
    store.delete(made[-1].id)
    store.close()
    return home


def _records(home: Path) -> list[dict]:
    store = open_store(unlock(home, "王检察官", PIN))
    try:
        return [c.to_dict() for c in store.load(store.index.by_id.values())]
    finally:
        store.close()


def test_rows_totals_and_summary_of_a_finished_month(station):
    led = lg.build(_records(station), "2026-11", NAME, today=date(2026, 12, 5))
    assert len(led.rows) == 14 and [r[0] for r in led.rows] == list(range(1, 15))
    dates = [r[1] for r in led.rows]
    assert dates == sorted(dates) and dates[0] == "2026-11-06" and dates[-1] == "2026-11-23"
    by_summary = {r[4][:4]: r for r in led.rows}
    s2 = by_summary["工头刘师"]
    assert s2[2] == "刘** 139****5678 等27人" and s2[3] == "劳资/欠薪" and s2[7] == "已转介" and s2[8] == "2026-11-27"
    assert s2[6].endswith("转介：劳动监察")
    assert by_summary["一名不愿"][2] == "匿名"
    assert "转介：公安报警(96110/110)、司法救助、心理疏导" in by_summary["邵女士本"][6]
    assert all("13900005678" not in str(c) for r in led.rows for c in r)  # phones masked
    assert dict(led.by_category) == {"动迁/征收": 1, "劳资/欠薪": 2, "骑手/新就业形态": 5, "邻里纠纷": 2,
                                     "婚恋家庭": 1, "电信网络诈骗": 1, "行政争议": 1, "其他": 1}
    assert dict(led.by_status) == {"待处理": 1, "已转介": 6, "跟进中": 4, "已化解": 1, "已办结": 2}
    assert ("按类别合计", "合计", 14) in led.totals() and ("按状态合计", "合计", 14) in led.totals()
    # Month over: follow-ups due by 11-30 and not done are late (S1, S2, S4, S6, S7).
    assert len(led.overdue_refs) == 5
    assert led.summary.startswith(f"2026年11月，{NAME}共接待来访咨询14件，涉及42人（其中群体来访3件）。")
    assert "已化解或办结3件，占21.4%；转介相关部门9件；尚在处理中11件。" in led.summary
    assert "截至2026-11-30，逾期未回访5件" in led.summary


def test_current_month_counts_overdue_as_of_today(station):
    led = lg.build(_records(station), "2026-11", NAME, today=date(2026, 11, 25))
    assert "截至2026-11-25，逾期未回访2件" in led.summary  # S1 (due 11-20) and S7 (due 11-24)


def test_empty_month_and_bad_months():
    led = lg.build([], "2026-02", "某站", today=date(2026, 11, 1))
    assert led.rows == [] and led.summary == "2026年2月，某站无来访咨询登记。"
    for bad in ("2026-13", "2026-00", "11/2026", "", "2026-1-1"):
        with pytest.raises(lg.BadMonth):
            lg.parse_month(bad)
    assert lg.parse_month("2024-2") == (date(2024, 2, 1), date(2024, 2, 29))


def test_xlsx_read_back_cell_by_cell(station, tmp_path, capsys):
    out = tmp_path / "ledger.xlsx"
    assert main(["--home", str(station), "report", "--officer", "王检察官", "--month", "2026-11", "--xlsx", str(out)]) == ec.OK
    std = capsys.readouterr()
    assert "共接待来访咨询14件" in std.out and "ledger written, 14 rows" in std.err
    ws = openpyxl.load_workbook(out).active
    assert ws["A1"].value == f"{NAME} 来访咨询台账（2026年11月）"
    assert [ws.cell(row=2, column=c).value for c in range(1, 10)] == list(lg.HEADERS)
    assert ws.freeze_panes == "A3"
    assert ws.column_dimensions["E"].width == 48 and ws.column_dimensions["A"].width == 6
    data = [[ws.cell(row=r, column=c).value for c in range(1, 10)] for r in range(3, 17)]
    assert [row[0] for row in data] == list(range(1, 15))
    s2 = next(row for row in data if row[4].startswith("工头刘师傅"))
    assert s2[1:4] == ["2026-11-20", "刘** 139****5678 等27人", "劳资/欠薪"] and s2[7] == "已转介"
    assert next(row for row in data if row[4].startswith("一名不愿"))[2] == "匿名"
    assert ws.cell(row=3, column=5).alignment.wrap_text
    assert ws.cell(row=17, column=1).value is None  # a blank line, then the totals
    totals = {(ws.cell(row=r, column=2).value, ws.cell(row=r, column=3).value): ws.cell(row=r, column=4).value
              for r in range(18, ws.max_row + 1) if ws.cell(row=r, column=2).value}
    assert totals[("按类别合计", "骑手/新就业形态")] == 5 and totals[("按类别合计", "合计")] == 14
    assert totals[("按状态合计", "已转介")] == 6 and totals[("按状态合计", "合计")] == 14
    assert ws.cell(row=ws.max_row, column=1).value.startswith("2026年11月，")  # the summary paragraph


def test_csv_has_bom_and_the_same_rows(station, tmp_path, capsys):
    out = tmp_path / "ledger.csv"
    assert main(["--home", str(station), "report", "--officer", "王检察官", "--month", "2026-11", "--csv", str(out)]) == ec.OK
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(out, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    led = lg.build(_records(station), "2026-11", NAME, today=date(2026, 11, 28))
    assert rows[0] == list(lg.HEADERS)
    assert rows[1:15] == [[str(c) for c in r] for r in led.rows]
    assert rows[15] == []
    assert ["", "按类别合计", "合计", "14"] in rows and ["", "按状态合计", "已办结", "2"] in rows


def test_command_table_errors_and_empty_month(station, tmp_path, capsys):
    assert main(["--home", str(station), "report", "--officer", "王检察官", "--month", "2026-11"]) == ec.OK
    out = capsys.readouterr().out
    assert "来访咨询台账（2026年11月）" in out and "刘** 139****5678" in out and "13900005678" not in out
    assert "按状态合计" in out and "共接待来访咨询14件" in out
    assert main(["--home", str(station), "report", "--officer", "王检察官", "--month", "2026-13"]) == ec.INVALID
    err = capsys.readouterr().err
    assert "月份格式应为 YYYY-MM" in err and "month must be YYYY-MM" in err and "Traceback" not in err
    empty = tmp_path / "empty.xlsx"
    assert main(["--home", str(station), "report", "--officer", "王检察官", "--month", "2025-01", "--xlsx", str(empty)]) == ec.OK
    std = capsys.readouterr()
    assert "no consultations in 2025-01" in std.err and "无来访咨询登记" in std.out
    ws = openpyxl.load_workbook(empty).active
    assert [ws.cell(row=2, column=c).value for c in range(1, 10)] == list(lg.HEADERS) and ws["A3"].value is None
    assert main(["--home", str(station), "report", "--officer", "王检察官", "--month", "2026-11", "--csv",
                 str(tmp_path / "no" / "such" / "dir.csv")]) == ec.STORAGE
    assert "cannot write" in capsys.readouterr().err
    with pytest.raises(SystemExit) as e:
        main(["--home", str(station), "report", "--officer", "王检察官", "--xlsx", "a.xlsx", "--csv", "a.csv"])
    assert e.value.code == ec.USAGE
    assert main(["--home", str(tmp_path / "nowhere"), "report", "--officer", "王检察官", "--month", "2026-11"]) == ec.NOT_SET_UP


def test_summary_counts_referrals_as_the_totals_do():
    """Issue 13 case 10/12: a status 已转介 with no referral ticked, and a referral on a
    record still being followed up: the totals and the paragraph give the same count."""
    def rec(ref, status, referrals):
        return {"ref": ref, "visited_at": "2026-11-05T10:00:00+08:00", "category": "other",
                "summary": "来访", "status": status, "referrals": referrals, "visitor": {"name": "张三"}}

    led = lg.build([rec("A-1", "referred", []), rec("A-2", "following_up", ["mediation"]), rec("A-3", "open", [])],
                   "2026-11", "某站", today=date(2026, 12, 5))
    assert dict(led.by_status)["已转介"] == 1
    totals = {(sec, lab): n for sec, lab, n in led.totals()}
    assert totals[("转介合计", "转介相关部门")] == 2
    assert "转介相关部门2件" in led.summary
