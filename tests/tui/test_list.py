"""The consultation list: `l` from the dashboard, search-as-you-type over the demo
scenarios plus 300 synthetic records (Chinese term, phone tail, pinyin initials),
newest first, masked names and phones, Enter opens the detail."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from textual.widgets import Input

from liaison.domain.masking import mask_name, mask_phone
from liaison.tui.app import build_app
from liaison.tui.screens.consultations import ConsultationsScreen
from liaison.tui.screens.detail import DetailScreen
from liaison.tui.widgets.record_list import RecordList
from tests.tui.unlocked import new_station, opened, session_for, settle, widgets_text

TODAY = date(2026, 11, 28)
SIZE = (120, 40)


SYNTHETIC = 300  # the `seeded` fixture (conftest) adds this many generated records


def all_records(home: Path) -> list:
    s = opened(home)
    try:
        return s.load(s.index.newest_first())
    finally:
        s.close()


def list_lines(rl: RecordList) -> list[str]:
    return [rl.render_line(y).text for y in range(rl.scrollable_content_region.height)]


async def open_list(app, pilot) -> RecordList:
    await settle(app, pilot)
    await pilot.press("l")
    await settle(app, pilot)
    assert isinstance(app.screen, ConsultationsScreen)
    return app.screen.query_one(RecordList)


async def search(app, pilot, text: str) -> list:
    box = app.screen.query_one("#search", Input)
    if box.value:
        box.value = ""
        await settle(app, pilot)
    await pilot.press(*text)
    await settle(app, pilot)
    return list(app.screen.query_one(RecordList).rows)


async def test_list_is_newest_first_and_masks_personal_data(seeded, station_app):
    async with station_app(notifications=False) as (app, pilot):
        rl = await open_list(app, pilot)
        rows = rl.rows
        assert len(rows) == 305
        keys = [(r.visited_at, r.ref) for r in rows]
        assert keys == sorted(keys, reverse=True)
        s2 = seeded["S2"]
        rows = await search(app, pilot, "5678")
        assert s2.id in {r.id for r in rows}
        lines = "\n".join(list_lines(rl))
        assert f"{mask_name('刘建华')} {mask_phone('13900005678')}" in lines  # 刘** 139****5678
        assert "刘建华" not in lines and "13900005678" not in lines
        for r in rows:
            if r.name:
                assert r.name not in lines
            if r.phone:
                assert r.phone not in lines


async def test_search_chinese_term(home, seeded, station_app):
    records = {c.id: c for c in all_records(home)}
    async with station_app(notifications=False) as (app, pilot):
        await open_list(app, pilot)
        rows = await search(app, pilot, "亭子")
        assert seeded["S1"].id in {r.id for r in rows}
        assert len(rows) > 1  # synthetic relocation cases mention 亭子间 too
        for r in rows:
            c = records[r.id]
            text = " ".join([c.summary, c.requests, c.advice, c.clue.note, *map(str, c.details.values()),
                             *(n.text for n in c.notes)])
            assert "亭子" in text
        keys = [(r.visited_at, r.ref) for r in rows]
        assert keys == sorted(keys, reverse=True)
        assert f"共 {len(rows)} 条" in widgets_text(app.screen)


async def test_search_phone_tail(home, seeded, station_app):
    records = all_records(home)
    tail = seeded["S1"].visitor.phone[-4:]
    expected = {c.id for c in records if c.visitor.phone and c.visitor.phone.endswith(tail)}
    async with station_app(notifications=False) as (app, pilot):
        await open_list(app, pilot)
        rows = await search(app, pilot, tail)
        assert {r.id for r in rows} == expected
        assert seeded["S1"].id in expected


async def test_search_pinyin_initials(seeded, station_app):
    async with station_app(notifications=False) as (app, pilot):
        await open_list(app, pilot)
        rows = await search(app, pilot, "cxy")  # 陈秀英
        assert seeded["S1"].id in {r.id for r in rows}
        assert all("cxy" in r.hay for r in rows)
        rows = await search(app, pilot, "liujianhua")  # full pinyin of 刘建华
        assert seeded["S2"].id in {r.id for r in rows}


async def test_enter_opens_the_detail_with_full_name(seeded, station_app):
    s1 = seeded["S1"]
    async with station_app(notifications=False) as (app, pilot):
        rl = await open_list(app, pilot)
        rows = await search(app, pilot, "cxy")
        await pilot.press("enter")  # from the search box to the list
        assert rl.has_focus
        rl.cursor = [r.id for r in rows].index(s1.id)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DetailScreen)
        assert app.screen.consultation_id == s1.id
        text = widgets_text(app.screen)
        assert "陈秀英" in text and "13800001234" in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConsultationsScreen)
        assert app.screen.query_one("#search", Input).value == "cxy"  # the search is still there


async def test_a_large_result_shows_its_newest_rows_first_then_all_of_them(tmp_path):
    """More matches than a first screenful: the newest 200 come at once, then the list
    (and its count) completes; every row shown matches."""
    from liaison.domain.intake import fields_from_input
    from liaison.tui.screens.consultations import FIRST_PAGE

    home = new_station(tmp_path, "fengqiao-yuanfang", "FQYF")
    store = opened(home)
    store.create_many([fields_from_input({"category": "labour", "summary": f"工地欠薪第{i}批",
                                          "visited_at": f"2026-{1 + i % 11:02d}-{1 + i % 28:02d}T10:00:00+08:00"},
                                         officer="王检察官") for i in range(FIRST_PAGE + 150)])
    store.close()
    app = build_app(home, session=session_for(home), today=date(2026, 11, 28))
    async with app.run_test(size=(120, 40)) as pilot:
        while app.store is None or not app.store.index.warm_ready:
            await pilot.pause(0.05)
        await pilot.press("l")
        await pilot.pause()
        await pilot.press(*"欠薪")
        for _ in range(100):  # the completion runs after a repaint, in a worker
            await app.workers.wait_for_complete()
            await pilot.pause(0.02)
            if app.screen.complete:
                break
        rows = app.screen.query_one(RecordList).rows
        expected = app.store.index.search("欠薪")
        assert app.screen.complete and len(rows) == len(expected) == FIRST_PAGE + 150
        assert [r.id for r in rows] == [r.id for r in expected]
        assert f"共 {FIRST_PAGE + 150} 条" in str(app.screen.query_one("#filters").render())


async def test_a_long_station_code_shows_whole_references(tmp_path):
    """A station code may have ten characters (its references 23): the list shows every
    reference whole, at 80 and at 120 columns (it was cut at 17 cells, the length of
    FQYF-20261113-001, hiding the visit's number)."""
    from liaison.domain.intake import fields_from_input

    home = new_station(tmp_path, "fengqiao-yuanfang", "FQYFJDXQ01")
    store = opened(home)
    made = store.create_many([fields_from_input({"category": "labour", "summary": f"工地欠薪第{i}批",
                                                 "visited_at": "2026-11-27T10:00:00+08:00"}, officer="王检察官")
                              for i in range(3)])
    store.close()
    refs = sorted(c.ref for c in made)
    assert len(refs[0]) == 23
    for size in ((80, 24), (120, 40)):
        app = build_app(home, session=session_for(home), today=TODAY)
        async with app.run_test(size=size) as pilot:
            rl = await open_list(app, pilot)
            shown = [line.split()[0] for line in list_lines(rl)[1:] if line.strip()]
            assert sorted(shown) == refs, (size, list_lines(rl))
