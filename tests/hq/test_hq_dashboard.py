"""The office dashboard (`liaison hq`) on a real office folder with two stations'
bundles ingested: sync state, this week's figures, overdue follow-ups, language, keys."""

from __future__ import annotations

from datetime import date

import pytest

from liaison.domain.intake import fields_from_input
from liaison.reports import clusters
from liaison.store import Store
from liaison.sync.export import export
from liaison.tui.hq_app import build_hq_app
from tests.hq._report_world import FQ, RIDER, build
from tests.sync._sync_world import AS_OFFICE, PIN, office_staff

TODAY = date(2026, 11, 12)  # a Thursday of ISO week 46


@pytest.fixture
def office(tmp_path):
    world, ids = build(tmp_path)
    (world.drop / "inbox" / "forged.bundle").write_bytes(b"not a bundle")  # one for the quarantine
    world.ingest()
    return world, ids


def unlocked(world):
    """The office as `liaison hq` hands it to the app: unlocked by its officer."""
    from liaison.hq.office import Office

    return office_staff(Office(world.hq))


async def _ready(app, pilot) -> None:
    while app.store is None or app.screen.figures is None:
        await pilot.pause(0.05)
    await app.workers.wait_for_complete()
    await pilot.pause()


async def _switch_language(app, pilot) -> None:
    """ctrl+g, then the overdue lines laid out again in the new language (a worker)."""
    await pilot.press("ctrl+g")
    await app.workers.wait_for_complete()
    await pilot.pause()


def text(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def test_figures_shown(office):
    world, ids = office
    app = build_hq_app(unlocked(world), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(app, pilot)
        assert "截至 2026-11-12" in text(app, "#hq-title") and "本周（2026-W46）接待 3 件" in text(app, "#hq-title")
        assert text(app, "#hq-sync-head").split() == ["站点", "最后包", "接收时间", "缺号", "冲突", "记录"]
        sync = text(app, "#hq-sync").splitlines()
        fq = next(line for line in sync if line.startswith("枫桥远坊"))
        rider = next(line for line in sync if line.startswith("骑手友好站"))
        assert "#3" in fq and "缺 2" in fq and fq.split()[-2:] == ["0", "4"]
        assert "#1" in rider and "缺" not in rider and rider.split()[-2:] == ["0", "3"]
        assert "隔离区：1 个数据包" in text(app, "#hq-quarantine")
        # This week: 枫桥远坊 2 (relocation 11-10, neighbour 11-11), 骑手友好站 1 (rider 11-12);
        # the sparkline runs over ISO weeks 39…46.
        week = {line.split()[0]: line.split()[1:] for line in text(app, "#hq-week").splitlines()[1:]}
        assert week == {"枫桥远坊": ["2", "······██"], "骑手友好站": ["1", "····█·██"]}
        cats = text(app, "#hq-categories")
        assert "骑手/新就业形态" in cats and "动迁/征收" in cats and "邻里纠纷" in cats and "劳资" not in cats
        # Overdue on 11-12: the October rider visit (16 days), the rider follow-up of 11-05 (7), the labour one of 11-10 (2).
        assert text(app, "#hq-overdue-title") == "逾期未回访 3 件"
        rows = text(app, "#hq-overdue").splitlines()
        assert [r.split()[0] for r in rows] == ["QSYH-20261020-001", "QSYH-20261104-001", "FQYF-20261103-001"]
        assert "16 天" in rows[0] and " 7 天" in rows[1] and " 2 天" in rows[2]
        bar = str(app.screen.query_one("KeyBar").render())
        assert "刷新" in bar and "退出" in bar and "English" in bar


async def test_english_switch_reload_and_quit(office):
    world, _ = office
    app = build_hq_app(unlocked(world), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(app, pilot)
        await _switch_language(app, pilot)
        assert "District office" in text(app, "#hq-title") and "2026-W46: 3 visits" in text(app, "#hq-title")
        assert text(app, "#hq-sync-head").split() == ["Station", "Last", "Received", "Gaps", "Conflicts", "Records"]
        assert f"{FQ}" in text(app, "#hq-sync") and "missing 2" in text(app, "#hq-sync")
        assert text(app, "#hq-overdue-title") == "3 overdue follow-ups" and " 16 d " in text(app, "#hq-overdue")
        bar = str(app.screen.query_one("KeyBar").render())
        assert "Reload" in bar and "Quit" in bar and "中文" in bar
        # A bundle ingested while the dashboard is open shows after r (reload).
        home = world.root / RIDER
        store = Store.open(home)
        store.create(fields_from_input({"category": "rider", "summary": "配送费被扣", "visited_at": "2026-11-12T10:00",
                                        "visitor": {"anonymous": True}}, officer="测试"))
        store.close()
        b = export(home).path
        (world.drop / "inbox" / b.name).write_bytes(b.read_bytes())
        world.ingest()
        await pilot.press("r")
        await _ready(app, pilot)
        rider = next(line for line in text(app, "#hq-sync").splitlines() if line.startswith(RIDER))
        assert "#2" in rider and rider.split()[-1] == "4"
        assert "2026-W46: 4 visits" in text(app, "#hq-title")
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_clusters_panel_hidden_without_module(office, monkeypatch):
    import liaison.tui.screens.hq_dashboard as dash

    world, _ = office
    monkeypatch.setattr(dash, "open_clusters", lambda office, opener, since, altered=None: None)
    app = build_hq_app(unlocked(world), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(app, pilot)
        assert app.screen.query_one("#hq-clusters").display is False
    monkeypatch.setattr(dash, "open_clusters", lambda office, opener, since, altered=None: 2)
    app = build_hq_app(unlocked(world), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(app, pilot)
        assert app.screen.query_one("#hq-clusters").display is True and "待处理类案\n\n2" in text(app, "#hq-clusters")


async def test_an_altered_cluster_view_is_said_and_audited(office):
    """The clusters panel reads the office's cluster view: a block of it whose blob does
    not open is not used (the panel counts from the records) and is said, and audited."""
    import json
    import sqlite3
    from datetime import timedelta

    import liaison.tui.screens.hq_dashboard as dash
    from liaison.hq import cluster_index
    from tests.tui.unlocked import toast_texts

    world, _ = office
    staff = unlocked(world)
    later: list = []
    cluster_index.columns(staff.office.db, staff.opener, None, later)
    assert all(k()() for k in later)  # the view, as `hq clusters` keeps it
    since = (TODAY - timedelta(days=dash.CLUSTER_DAYS)).isoformat()
    want = len(clusters.find_clusters(staff.records(), since=since))  # from the whole records
    assert want > 0
    db = sqlite3.connect(world.hq / "office.db", isolation_level=None)
    db.execute("UPDATE cluster_view SET high=high+1")
    db.close()
    app = build_hq_app(unlocked(world), today=TODAY)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await _ready(app, pilot)
        assert app.screen.clusters == want
        assert any("类案视图的 1 个块（0）未通过校验" in t for t in toast_texts(app))
    log = [json.loads(line) for line in (world.hq / "audit" / "log.jsonl").read_text().splitlines()]
    assert any(e["action"] == "view_altered" and "类案视图" in e["target"] for e in log)


def test_an_office_without_staff_or_a_wrong_pin_opens_no_dashboard(office, tmp_path, monkeypatch, capsys):
    from liaison.cli import exitcodes as ec
    from liaison.cli import main
    from liaison.hq.office import init_office
    from liaison.tui import hq_app

    world, _ = office
    opened = []
    monkeypatch.setattr(hq_app.HqApp, "run", lambda self: opened.append(self.home))
    init_office(tmp_path / "bare", "院本部")  # keys, but no office officer yet
    monkeypatch.setenv("LIAISON_PIN", PIN)
    assert main(["hq", "--home", str(tmp_path / "bare"), *AS_OFFICE]) == ec.NOT_SET_UP
    assert "liaison hq init --officer" in capsys.readouterr().err
    monkeypatch.setenv("LIAISON_PIN", "wrong-pin-83")
    assert main(["hq", "--home", str(world.hq), *AS_OFFICE]) == ec.WRONG_PIN
    assert opened == []


async def test_clusters_count_from_the_clusters_module(office):
    world, _ = office
    want = len(clusters.find_clusters(world.records(include_deleted=False).values(), since="2026-08-14"))
    app = build_hq_app(unlocked(world), today=TODAY)  # 90 days before 2026-11-12 is 2026-08-14
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(app, pilot)
        assert app.screen.query_one("#hq-clusters").display is True
        assert text(app, "#hq-clusters") == f"待处理类案\n\n{want}"


def test_bare_hq_opens_the_dashboard(office, monkeypatch, capsys):
    from liaison.cli import exitcodes as ec
    from liaison.cli import main
    from liaison.tui import hq_app

    world, _ = office
    opened = []
    monkeypatch.setattr(hq_app.HqApp, "run", lambda self: opened.append(self.home))
    monkeypatch.setenv("LIAISON_PIN", PIN)
    assert main(["hq", "--home", str(world.hq), *AS_OFFICE]) == ec.OK and opened == [world.hq]
    assert main(["hq", "--home", str(world.root / "nowhere")]) == ec.NOT_SET_UP
    assert "liaison hq init" in capsys.readouterr().err and len(opened) == 1


def test_ingest_and_report_never_load_textual():
    import subprocess
    import sys

    code = ("import sys; from liaison.cli import build_parser; build_parser(); import liaison.cli.hq_report, "
            "liaison.hq.report, liaison.hq.report_html, liaison.hq.report_xlsx, liaison.hq.ingest\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


async def test_figures_do_not_wait_for_the_clusters(office, monkeypatch):
    """The clusters are counted after the figures, in their own worker: until they are
    there, the panel says so and everything else is already shown."""
    import threading

    import liaison.tui.screens.hq_dashboard as dash

    world, _ = office
    release = threading.Event()
    monkeypatch.setattr(dash, "open_clusters", lambda office, opener, since, altered=None: release.wait(30) and 3)
    app = build_hq_app(unlocked(world), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        while app.screen.figures is None:
            await pilot.pause(0.05)
        await pilot.pause()
        assert "计算中…" in text(app, "#hq-clusters") and app.screen.query_one("#hq-clusters").display is True
        assert "2026-W46" in text(app, "#hq-title")
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert text(app, "#hq-clusters") == "待处理类案\n\n3"


async def test_overdue_lines_are_laid_out_off_the_ui_thread(office, monkeypatch):
    """A city's ~50 000 overdue lines take ~150 ms to lay out: in the figures' worker,
    and in a worker of their own when the language changes, never on the UI thread
    (before, `show` laid them out there on every refresh)."""
    import threading

    from liaison.tui.screens import hq_dashboard as dash

    on_ui: list[tuple[str, bool]] = []
    lay_out = dash.overdue_view

    def watched(rep, lang):
        on_ui.append((lang, threading.current_thread() is threading.main_thread()))
        return lay_out(rep, lang)

    monkeypatch.setattr(dash, "overdue_view", watched)
    world, _ = office
    app = build_hq_app(unlocked(world), today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(app, pilot)
        await _switch_language(app, pilot)
        assert text(app, "#hq-overdue-title") == "3 overdue follow-ups"
        await _switch_language(app, pilot)
        assert text(app, "#hq-overdue-title") == "逾期未回访 3 件"
        assert "QSYH-20261020-001" in text(app, "#hq-overdue").splitlines()[0]
    assert on_ui == [("zh", False), ("en", False), ("zh", False)]


def test_overdue_reference_cells_are_fitted_as_fit_does():
    """The overdue list's quick path for references gives fit()'s cell, cut or padded."""
    import random
    import string

    from liaison.tui.widgets.overdue_lines import _ref
    from liaison.tui.widgets.record_list import fit

    rnd = random.Random(4)
    cases = ["D01S01-20261103-001", "FQYF-20261103-001", "", "x" * 18, "x" * 19, "a\x07b", "张三-1"]
    cases += ["".join(rnd.choice(string.printable) for _ in range(rnd.randint(0, 30))) for _ in range(2000)]
    for width in (1, 2, 5, 18):
        assert [_ref(c, width) for c in cases] == [fit(c, width) for c in cases]


async def test_a_city_of_stations_leaves_the_panels_and_the_overdue_list_in_view(office):
    """At 80x24 with 60 stations the sync table scrolls on its own: the panels, the
    overdue list's title and its first row stay on screen, and tab then page-down
    reaches the last station. (The extra stations are rows in the bundles table, all
    the dashboard reads of a station it has no records from.)"""
    world, _ = office
    staff = unlocked(world)
    db = staff.office.db.db
    for n in range(60):
        db.execute("INSERT INTO bundles VALUES (?, 1, 'd', '2026-11-11T01:00:00+08:00', 0, x'00')", (f"zz-{n:02}",))
    db.execute("INSERT INTO bundles VALUES ('zz-59', 3, 'd', '2026-11-12T01:00:00+08:00', 0, x'00')")  # 2 missing
    db.commit()
    app = build_hq_app(staff, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(app, pilot)
        screen = app.screen
        keybar = screen.query_one("KeyBar").region
        for selector in ("#hq-sync-head", "#hq-quarantine", "#hq-week-box", "#hq-categories-box",
                         "#hq-overdue-title", "#hq-overdue-box"):
            region = screen.query_one(selector).region
            assert region.height > 0 and region.bottom <= keybar.y, (selector, region)
        lines = screen.query_one("#hq-overdue-box").region
        assert screen.get_widget_at(lines.x + 1, lines.y)[0] is screen.query_one("#hq-overdue")  # its first row shows
        assert "切换列表" in str(screen.query_one("KeyBar").render())
        box = screen.query_one("#hq-sync-box")
        assert box.max_scroll_y > 0 and box.scroll_y == 0
        # The stations with a missing bundle come first (sorted by name among themselves),
        # so the last of 62 is in view without scrolling.
        shown = text(app, "#hq-sync").splitlines()[:box.region.height]
        assert [line.split()[0] for line in shown[:2]] == ["枫桥远坊", "zz-59"] and "缺 2" in shown[1]
        await pilot.press("tab")
        while app.focused is not box:
            await pilot.press("tab")
        for _ in range(20):
            await pilot.press("pagedown")
        await pilot.pause()
        assert box.scroll_y == box.max_scroll_y


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_overdue_rows_fit_80_columns_under_named_columns(office, lang):
    """At 80x24 each overdue follow-up is one line with its whole reference, under a
    line naming the columns (before: 93 cells of fixed columns wrapped each row's status
    onto a second line and cut a 19-character reference)."""
    world, _ = office
    app = build_hq_app(unlocked(world), today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(app, pilot)
        if lang == "en":
            await _switch_language(app, pilot)
        screen = app.screen
        assert screen.query_one("#hq-title").size.height == 1  # the title line too, in either language
        head = text(app, "#hq-overdue-head").split()
        assert head == (["编号", "站点", "应回访日", "逾期", "类别", "状态"] if lang == "zh"
                        else ["Ref", "Station", "Due", "Late", "Category", "Status"])
        overdue = screen.query_one("#hq-overdue")
        assert overdue.region.height == 3 and overdue.size.width <= 78  # one screen line per follow-up
        rows = text(app, "#hq-overdue").splitlines()
        assert [r.split()[0] for r in rows] == ["QSYH-20261020-001", "QSYH-20261104-001", "FQYF-20261103-001"]
        late = "16 天" if lang == "zh" else "16 d"
        assert late in rows[0] and "2026-10-27" in rows[0]
        assert ("骑手/新就业形态" in rows[0]) if lang == "zh" else ("Delivery rid" in rows[0])
        # The panels beside each other: a line per station and per category, none wrapped.
        for panel in ("#hq-week", "#hq-categories"):
            widget = screen.query_one(panel)
            assert widget.size.height == len(text(app, panel).splitlines()), panel


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_a_busy_weeks_counts_fit_the_panels_at_80_columns(office, lang):
    """A city's week: 12 000 rider visits at one station. Each panel entry stays one line
    with its whole count, the label cut instead (before, "骑手/新就业形态 ████ 1175"
    wrapped its count onto a line of its own in the 600 000-record city). The copies
    are rows of the report's columns, all the dashboard's figures read."""
    world, _ = office
    staff = unlocked(world)
    db = staff.office.db.db
    cols = [r[1] for r in db.execute("PRAGMA table_info(records)")]
    copied = ", ".join("id || '-' || k" if c == "id" else c for c in cols)
    db.execute(f"WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < 12000) "
               f"INSERT INTO records SELECT {copied} FROM records, n WHERE station=? AND day='2026-11-12'", (RIDER,))
    db.commit()
    app = build_hq_app(staff, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(app, pilot)
        if lang == "en":
            await _switch_language(app, pilot)
        screen = app.screen
        cats = text(app, "#hq-categories").splitlines()
        week = text(app, "#hq-week").splitlines()
        assert any(line.rstrip().endswith(" 12001") for line in cats), cats
        assert any(" 12001 " in line for line in week), week
        for panel, lines in (("#hq-week", week), ("#hq-categories", cats)):
            assert screen.query_one(panel).size.height == len(lines), (panel, lines)
        # the label cut to 13 cells for the count; on a wider screen fitted again, up to 15
        narrow, wide = ("骑手/新就业… ", "骑手/新就业形态 ") if lang == "zh" else ("Delivery rid… ", "Delivery rider… ")
        assert cats[1].startswith(narrow), cats
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        await pilot.pause()
        cats = text(app, "#hq-categories").splitlines()
        assert cats[1].startswith(wide) and cats[1].rstrip().endswith(" 12001"), cats
        assert screen.query_one("#hq-categories").size.height == len(cats)


def test_bars_grow_by_eighths_and_never_vanish():
    from liaison.tui.screens.hq_dashboard import bar

    assert bar(1, 5) == "█████" and bar(0.5, 5) == "██▌" and bar(0.0001, 5) == "▏"
    assert [len(bar(k / 40, 5)) for k in range(1, 41)] == [1] * 7 + [k // 8 + (k % 8 > 0) for k in range(8, 41)]
