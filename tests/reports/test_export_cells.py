"""Every spreadsheet the project writes holds data only (issue 11, case 7): a text
that starts like a formula (= + - @, or a tab / CR) is text in the XLSX and carries
an apostrophe in the CSV; control characters in old records do not crash a writer."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import openpyxl

from liaison.hq.report_xlsx import write_xlsx as write_report_xlsx
from liaison.reports import ledger as lg

EVIL = '=HYPERLINK("http://evil","点我")'
RISKY = (EVIL, "+86 139 0000 4002", "-5", "@SUM(A1)", "\t=1+1", "\r=1+1")


def _record(i: int, **over) -> dict:
    base = {"ref": f"FQYF-2026-{i:04d}", "visited_at": f"2026-11-{i + 1:02d}T10:00:00+08:00",
            "category": "labour", "summary": "欠薪咨询", "requests": "", "advice": "", "referrals": [],
            "status": "open", "follow_up_on": None, "visitor": {"name": "张三", "phone": "13900004002"}}
    return {**base, **over}


def _records() -> list[dict]:
    out = [_record(i, summary=s, requests=s, advice=s) for i, s in enumerate(RISKY, 1)]
    out.append(_record(9, visitor={"name": "=HYPERLINK", "phone": "13900004002"}))
    out.append(_record(10, summary="旧数据\x00含\x07控制\x1b字符", requests="\x0b", advice="a\x01b"))
    return out


def _formula_cells(path: Path) -> list[str]:
    wb = openpyxl.load_workbook(path)
    return [f"{ws.title}!{c.coordinate}={c.value!r}" for ws in wb.worksheets for row in ws.iter_rows()
            for c in row if c.data_type == "f"]


def _texts(path: Path) -> list:
    wb = openpyxl.load_workbook(path)
    return [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


def test_ledger_xlsx_writes_formula_like_text_as_text(tmp_path):
    led = lg.build(_records(), "2026-11", "=站点名", today=date(2026, 12, 5))
    path = tmp_path / "ledger.xlsx"
    lg.write_xlsx(led, path)
    assert _formula_cells(path) == []
    values = _texts(path)
    assert EVIL in values and "-5" in values and "@SUM(A1)" in values  # kept as typed, but as text
    assert any(isinstance(v, str) and v.startswith("=*") for v in values)  # the masked name, as text
    assert any(isinstance(v, int) and v == 1 for v in values)  # numbers stay numbers
    assert any(isinstance(v, str) and "旧数据\ufffd含\ufffd控制\ufffd字符" in v for v in values)


def test_ledger_csv_prefixes_formula_like_text_with_an_apostrophe(tmp_path):
    led = lg.build(_records(), "2026-11", "=站点名", today=date(2026, 12, 5))
    path = tmp_path / "ledger.csv"
    lg.write_csv(led, path)
    with open(path, encoding="utf-8-sig", newline="") as f:
        cells = [c for row in csv.reader(f) for c in row]
    risky = [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert risky == []
    assert "'" + EVIL in cells and "'-5" in cells and "'@SUM(A1)" in cells and "'\t=1+1" in cells
    assert any(c.startswith("'=*") for c in cells)
    assert "1" in cells  # a row number is not text-prefixed
    assert not any(ch in c for c in cells for ch in "\x00\x07\x1b\x0b\x01")


def _report() -> dict:
    st = "=evil-station"
    return {"station_names": {st: EVIL},
            "weekly": [{"station": st, "category": "labour", "week": "-2026-W45", "count": 2}],
            "referrals": [{"referral": "@legal_aid", "count": 1, "resolved": 0}],
            "overdue": {st: [{"station": st, "ref": "+FQYF\x07-1", "visited_on": "2026-11-01",
                              "follow_up_on": "2026-11-05", "days_overdue": 3, "status": "open"}]},
            "resolution": {"per_station": {st: {"resolved": 1, "median_days": 2.0}}, "method": "=1+1"},
            "totals": {"per_station": {st: 2}},
            "sync": [{"station": st, "bundles": 1, "last_bundle": 1, "last_received_at": "\t=2",
                      "gaps": [], "conflicts": 0, "records": 2}]}


def test_office_report_xlsx_writes_formula_like_text_as_text(tmp_path):
    path = tmp_path / "report.xlsx"
    write_report_xlsx(_report(), path)
    assert _formula_cells(path) == []
    values = _texts(path)
    assert EVIL in values and "=1+1" in values and "+FQYF\ufffd-1" in values
    assert 2 in values and 2.0 in values
