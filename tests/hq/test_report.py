"""`liaison hq report`: the figures of a hand-counted office, exactly, in every form
(JSON, text, XLSX read back with openpyxl), and clear refusals with documented codes."""

from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook

from liaison.cli import exitcodes as ec
from liaison.cli import main
from tests.hq._report_world import END, FQ, RIDER, START, build
from tests.sync._sync_world import AS_OFFICE, PIN

PERIOD = ["--from", START.isoformat(), "--to", END.isoformat()]


@pytest.fixture(autouse=True)
def _office_pin(monkeypatch):
    monkeypatch.setenv("LIAISON_PIN", PIN)  # with AS_OFFICE: the office officer unlocks


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    world, ids = build(tmp_path_factory.mktemp("report"))
    return world, ids


def report(capsys, world, *extra: str) -> tuple[int, str, str]:
    code = main(["hq", "report", "--home", str(world.hq), *extra, *AS_OFFICE])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_figures_exact(office, capsys):
    world, ids = office
    code, out, _ = report(capsys, world, *PERIOD, "--json")
    assert code == ec.OK
    rep = json.loads(out)
    assert rep["period"] == {"from": "2026-11-01", "to": "2026-11-20", "as_of": "2026-11-20"}
    assert rep["totals"]["per_station"] == {FQ: 4, RIDER: 2}  # the October visit is outside the period
    assert rep["weeks"] == ["2026-W45", "2026-W46"]
    assert rep["weekly"] == [
        {"station": FQ, "category": "labour", "week": "2026-W45", "count": 2},
        {"station": FQ, "category": "neighbour", "week": "2026-W46", "count": 1},
        {"station": FQ, "category": "relocation", "week": "2026-W46", "count": 1},
        {"station": RIDER, "category": "rider", "week": "2026-W45", "count": 1},
        {"station": RIDER, "category": "rider", "week": "2026-W46", "count": 1},
    ]
    assert rep["station_weeks"] == {FQ: [2, 2], RIDER: [1, 1]}
    assert rep["by_category"] == {"labour": 2, "rider": 2, "relocation": 1, "neighbour": 1}
    assert rep["referrals"] == [
        {"referral": "labour_inspection", "count": 2, "resolved": 1},
        {"referral": "public_interest", "count": 2, "resolved": 1},
        {"referral": "admin_resolution", "count": 1, "resolved": 1},
        {"referral": "legal_aid", "count": 1, "resolved": 0},
    ]
    # Overdue is a state on --to, for every visit up to it (the October one included).
    assert rep["overdue_counts"] == {FQ: 1, RIDER: 2}
    assert [(o["id"], o["days_overdue"]) for o in rep["overdue"][FQ]] == [(ids[FQ][1], 10)]
    assert [(o["id"], o["days_overdue"]) for o in rep["overdue"][RIDER]] == [(ids[RIDER][2], 24), (ids[RIDER][0], 15)]
    assert rep["resolution"]["per_station"] == {FQ: {"resolved": 2, "median_days": 7.0},
                                                RIDER: {"resolved": 1, "median_days": 2.0}}
    assert rep["resolution"]["all"] == {"resolved": 3, "median_days": 4.0}
    assert "近似" in rep["resolution"]["method"] and "approximated" in rep["resolution"]["method"]
    sync = {s["station"]: s for s in rep["sync"]}
    assert (sync[FQ]["bundles"], sync[FQ]["last_bundle"], sync[FQ]["gaps"]) == (2, 3, [2])
    assert (sync[RIDER]["bundles"], sync[RIDER]["last_bundle"], sync[RIDER]["gaps"]) == (1, 1, [])
    assert rep["quarantined"] == 0
    assert rep["station_names"] == {FQ: "枫桥远坊", RIDER: "骑手友好站"}


def test_without_period_counts_everything(office, capsys):
    world, _ = office
    code, out, _ = report(capsys, world, "--to", "2026-11-20", "--json")
    rep = json.loads(out)
    assert code == ec.OK and rep["totals"]["consultations"] == 7
    assert rep["weeks"] == ["2026-W43", "2026-W45", "2026-W46"] and rep["station_weeks"][RIDER] == [1, 1, 1]


def test_text_table(office, capsys):
    world, _ = office
    code, out, _ = report(capsys, world, *PERIOD)
    assert code == ec.OK
    assert "枫桥远坊" in out and "劳资/欠薪" in out and "2026-W45" in out and "公益诉讼线索" in out
    assert "近似" in out and "缺号 Gaps" in out


def test_xlsx_read_back(office, capsys, tmp_path):
    world, ids = office
    target = tmp_path / "report.xlsx"
    code, out, _ = report(capsys, world, *PERIOD, "--xlsx", str(target))
    assert code == ec.OK and out.strip() == str(target)
    wb = load_workbook(target)
    assert wb.sheetnames == ["周统计", "转介", "逾期回访", "逾期明细", "化解用时", "数据包"]
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2" and ws["A1"].font.bold
    rows = lambda name: [list(r) for r in wb[name].iter_rows(values_only=True)]  # noqa: E731
    # A cross table: station and category down, the period's weeks across, the total last.
    assert rows("周统计") == [["站点", "类别", "2026-W45", "2026-W46", "合计"],
                             ["枫桥远坊", "劳资/欠薪", 2, None, 2], ["枫桥远坊", "邻里纠纷", None, 1, 1],
                             ["枫桥远坊", "动迁/征收", None, 1, 1], ["骑手友好站", "骑手/新就业形态", 1, 1, 2]]
    assert rows("转介")[1:] == [["劳动监察", 2, 1], ["公益诉讼线索", 2, 1], ["行政争议化解", 1, 1], ["法律援助", 1, 0]]
    summary = rows("逾期回访")
    assert summary[0] == ["站点", "逾期件数", "逾期超过30天", "逾期超过90天", "最长逾期天数", "最早回访日期", "说明"]
    assert [r[:6] for r in summary[1:]] == [["枫桥远坊", 1, 0, 0, 10, "2026-11-10"],
                                            ["骑手友好站", 2, 0, 0, 24, "2026-10-27"]]
    assert "20" in summary[1][6] and summary[2][6] is None
    overdue = rows("逾期明细")
    assert overdue[0] == ["站点", "编号", "来访日期", "回访日期", "逾期天数", "状态"]
    assert [(r[0], r[3], r[4], r[5]) for r in overdue[1:]] == [
        ("枫桥远坊", "2026-11-10", 10, "已转介"), ("骑手友好站", "2026-10-27", 24, "待处理"),
        ("骑手友好站", "2026-11-05", 15, "跟进中")]
    res = rows("化解用时")
    assert [r[:4] for r in res[1:]] == [["枫桥远坊", 4, 2, 7.0], ["骑手友好站", 2, 1, 2.0]] and "近似" in res[1][4]
    assert [r[:7] for r in rows("数据包")[1:]] == [["枫桥远坊", 2, 3, r_at(world, FQ), "2", 0, 4],
                                                 ["骑手友好站", 1, 1, r_at(world, RIDER), None, 0, 3]]


def test_all_overdue_is_for_the_workbook_only(office, capsys, tmp_path):
    world, _ = office
    got, out, err = report(capsys, world, "--json", "--all-overdue")
    assert got == ec.USAGE and out == "" and "--all-overdue" in err and "Traceback" not in err
    code, out, _ = report(capsys, world, *PERIOD, "--xlsx", str(tmp_path / "all.xlsx"), "--all-overdue")
    assert code == ec.OK
    wb = load_workbook(tmp_path / "all.xlsx")
    # three overdue follow-ups: all listed either way; the note says which list this is
    assert wb["逾期明细"].max_row == 4 and wb["逾期回访"]["G2"].value == "逾期明细列出全部逾期回访"


def r_at(world, station: str) -> str:
    with world.office() as o:
        return o.db.station_status(station)["last_received_at"]


@pytest.mark.parametrize("args, code, words", [
    (["--from", "2026-13-01"], ec.USAGE, ("日期", "YYYY-MM-DD")),
    (["--from", "2026-11-20", "--to", "2026-11-01"], ec.USAGE, ("晚于", "after")),
])
def test_bad_dates_refused(office, capsys, args, code, words):
    world, _ = office
    got, out, err = report(capsys, world, *args)
    assert got == code and out == "" and all(w in err for w in words) and "Traceback" not in err


def test_not_set_up_and_unwritable(office, capsys, tmp_path):
    got, _, err = report(capsys, type("W", (), {"hq": tmp_path / "nowhere"}), "--json")
    assert got == ec.NOT_SET_UP and "liaison hq init" in err
    world, _ = office
    got, _, err = report(capsys, world, "--html", str(tmp_path / "no" / "such" / "dir" / "r.html"))
    assert got == ec.STORAGE and "Traceback" not in err
    got, _, err = report(capsys, world, "--xlsx", str(tmp_path / "no" / "such" / "r.xlsx"))
    assert got == ec.STORAGE and "cannot write" in err


def test_home_before_the_subcommand(office, capsys):
    world, _ = office
    code = main(["hq", "--home", str(world.hq), "report", "--to", "2026-11-20", "--json", *AS_OFFICE])
    assert code == ec.OK and json.loads(capsys.readouterr().out)["totals"]["consultations"] == 7


def test_an_altered_view_is_said_and_audited_and_an_altered_record_refused(tmp_path, capsys):
    """What a meddler with the office's database changes is named: a view whose blob does
    not open is not used (the same report, counted from the records, and a warning on
    stderr, audited); a record's sealed part that does not open, or a value SQLite
    cannot read, refuses the read with a clear message (exit STORAGE), never the crash
    log's "internal error"."""
    import sqlite3

    world, _ = build(tmp_path)
    code, want, _ = report(capsys, world, "--json")  # keeps the referral view
    clusters = ["hq", "clusters", "--home", str(world.hq), "--json", *AS_OFFICE]
    assert code == ec.OK and main(clusters) == ec.OK  # keeps the cluster view
    want_clusters = capsys.readouterr().out
    db = sqlite3.connect(world.hq / "office.db", isolation_level=None)
    db.execute("UPDATE referral_view SET sealed=CAST(substr(sealed, 1, 40) || (CASE substr(sealed, 41, 1) WHEN x'00' THEN x'01' ELSE x'00' END) || substr(sealed, 42) AS BLOB)")
    db.execute("UPDATE cluster_view SET high=high+1")
    code, out, err = report(capsys, world, "--json")
    assert code == ec.OK and out == want and "转介统计视图未通过校验" in err and "the referral view" in err
    assert main(clusters) == ec.OK
    got = capsys.readouterr()
    assert got.out == want_clusters and "类案视图的 1 个块（0）未通过校验" in got.err
    code, out, err = report(capsys, world, "--json")  # kept again by the run before
    assert code == ec.OK and out == want and err == ""
    log = [json.loads(line) for line in (world.hq / "audit" / "log.jsonl").read_text().splitlines()]
    said = [e["target"] for e in log if e["action"] == "view_altered"]
    assert len(said) == 2 and "转介统计视图" in said[0] and "类案视图的 1 个块" in said[1]

    listing = ["hq", "list", "--home", str(world.hq), "--json", *AS_OFFICE]
    for alter, words in (("CAST(substr(sealed, 1, 40) || (CASE substr(sealed, 41, 1) WHEN x'00' THEN x'01' ELSE x'00' END) || substr(sealed, 42) AS BLOB)", "office data cannot be opened"),
                         ("CAST(x'ff00fe' AS TEXT)", "the office database cannot be read")):
        db.execute(f"UPDATE records SET sealed={alter} WHERE rowid=(SELECT min(rowid) FROM records "
                   "WHERE sealed IS NOT NULL)")
        code = main(listing)
        got = capsys.readouterr()
        assert code == ec.STORAGE and got.out == "" and words in got.err, got.err
        assert "内部错误" not in got.err and "internal error" not in got.err
    db.close()
