"""The detail screen: the whole record with full name and phone, and every change it
offers (status, note, follow-up, clue, delete) saved as a new version, with the
officer asked first before anything is dropped."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from liaison.store import StoreWriteError
from liaison.tui.screens.detail import DetailScreen
from liaison.tui.screens.detail_dialogs import FollowUpScreen, TextPrompt, resolve_date
from liaison.tui.screens.modals import ConfirmScreen, PickScreen
from tests.tui.unlocked import opened, settle, toast_texts, widgets_text

TODAY = date(2026, 11, 28)
SIZE = (120, 40)


def stored(home: Path, cid: str):
    s = opened(home)
    try:
        return s.get(cid)
    finally:
        s.close()


def notices(app) -> list[str]:
    return toast_texts(app)


async def open_detail(app, pilot, cid: str) -> DetailScreen:
    await settle(app, pilot)
    app.open_detail(cid)
    await settle(app, pilot)
    assert isinstance(app.screen, DetailScreen)
    return app.screen


async def test_shows_the_whole_record_with_full_name_and_phone(seeded, station_app):
    s1 = seeded["S1"]
    async with station_app() as (app, pilot):
        screen = await open_detail(app, pilot, s1.id)
        text = widgets_text(screen)
        for expected in (s1.ref, "陈秀英", "13800001234", "已转介", "动迁/征收", "第1版",
                         "228街坊旧改地块", "亭子间是否计入认定面积", "行政争议化解",
                         "已将材料清单交给陈阿姨女儿", "王检察官"):
            assert expected in text, expected
        # Visited 19 days ago with follow-up two weeks later: 5 days overdue.
        assert "已逾期 5 天" in text
        assert "138****1234" not in text

        await pilot.press("ctrl+g")  # live language switch
        await pilot.pause()
        text = widgets_text(screen)
        assert "Phone" in text and "13800001234" in text and "Referred" in text
        assert "overdue by 5 days" in text


async def test_anonymous_record_shows_no_personal_rows(seeded, station_app):
    async with station_app() as (app, pilot):
        text = widgets_text(await open_detail(app, pilot, seeded["S12"].id))
        labels = {line.split()[0] for line in text.splitlines() if line.strip()}
        assert "（匿名）" in text and "电话" not in labels and "同意记录个人信息" not in labels
        assert "疑似非法采砂" in text  # the clue note


async def test_status_change_by_number_key_makes_version_2(home, seeded, station_app):
    s1 = seeded["S1"]
    async with station_app() as (app, pilot):
        screen = await open_detail(app, pilot, s1.id)
        await pilot.press("s")
        assert isinstance(app.screen, PickScreen)
        await pilot.press("4")  # open, referred, following_up, resolved, closed
        await settle(app, pilot)
        assert app.screen is screen
        assert "已保存为第2版" in notices(app)
        assert "已化解" in widgets_text(screen)
    c = stored(home, s1.id)
    assert (c.version, c.status) == (2, "resolved")


async def test_same_status_or_escape_saves_nothing(home, seeded, station_app):
    s1 = seeded["S1"]
    async with station_app() as (app, pilot):
        await open_detail(app, pilot, s1.id)
        await pilot.press("s", "2")  # already referred
        await settle(app, pilot)
        await pilot.press("s", "escape")
        await settle(app, pilot)
    assert stored(home, s1.id).version == 1


async def test_add_note(home, seeded, station_app):
    s2 = seeded["S2"]
    async with station_app() as (app, pilot):
        screen = await open_detail(app, pilot, s2.id)
        await pilot.press("n")
        assert isinstance(app.screen, TextPrompt)
        await pilot.press("enter")  # empty: refused, the prompt stays
        assert isinstance(app.screen, TextPrompt)
        assert "记录内容不能为空" in widgets_text(app.screen)
        await pilot.press(*"总包已垫付10万元")
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is screen
        assert "总包已垫付10万元" in widgets_text(screen)
        assert "记录 (2)" in widgets_text(screen)
    c = stored(home, s2.id)
    assert c.version == 2
    assert c.notes[-1].text == "总包已垫付10万元"
    assert c.notes[-1].officer == "王检察官"
    assert len(c.notes) == 2


async def test_typed_note_is_not_dropped_without_asking(home, seeded, station_app):
    async with station_app() as (app, pilot):
        await open_detail(app, pilot, seeded["S2"].id)
        await pilot.press("n", *"写了一半")
        await pilot.press("escape")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # keep typing
        assert isinstance(app.screen, TextPrompt)
        assert app.screen.query_one(Input).value == "写了一半"
        await pilot.press("escape", "y")
        assert isinstance(app.screen, DetailScreen)
    assert stored(home, seeded["S2"].id).version == 1


async def test_failed_save_keeps_the_note_for_the_next_try(home, seeded, monkeypatch, station_app):
    s2 = seeded["S2"]
    async with station_app() as (app, pilot):
        screen = await open_detail(app, pilot, s2.id)

        def disk_full(*a, **k):
            raise StoreWriteError("磁盘已满，本次未保存，之前的数据完好。")

        monkeypatch.setattr(app.store, "add_note", disk_full)
        await pilot.press("n", *"回访未接通")
        await pilot.press("enter")
        await settle(app, pilot)
        text = widgets_text(screen)
        assert "磁盘已满" in text and "再按 n 即可重试" in text
        await pilot.press("escape")  # leaving would drop it: asks first
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        monkeypatch.undo()
        await pilot.press("n")
        assert app.screen.query_one(Input).value == "回访未接通"
        await pilot.press("enter")
        await settle(app, pilot)
        assert "磁盘已满" not in widgets_text(screen)
    assert stored(home, s2.id).notes[-1].text == "回访未接通"


async def test_follow_up_two_weeks(home, seeded, station_app):
    s10 = seeded["S10"]  # no follow-up yet
    async with station_app() as (app, pilot):
        screen = await open_detail(app, pilot, s10.id)
        assert "未设" in widgets_text(screen)
        await pilot.press("f")
        assert isinstance(app.screen, FollowUpScreen)
        await pilot.press("2")
        assert "2026-12-12" in widgets_text(app.screen)  # the preview
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is screen
        assert "2026-12-12" in widgets_text(screen) and "14 天后" in widgets_text(screen)
    c = stored(home, s10.id)
    assert c.follow_up_on == TODAY + timedelta(weeks=2)
    assert c.version == 2


async def test_follow_up_before_the_visit_is_refused(home, seeded, station_app):
    s1 = seeded["S1"]
    before = (s1.visited_at.date() - timedelta(days=3)).isoformat()
    async with station_app() as (app, pilot):
        await open_detail(app, pilot, s1.id)
        await pilot.press("f", *before, "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, FollowUpScreen)  # stays open with the message
        assert "回访日期不能早于来访日期" in widgets_text(app.screen)
        await pilot.press("ctrl+u", *"2026-13-40", "enter")
        assert "日期格式不对" in widgets_text(app.screen)
        await pilot.press("escape")
        assert isinstance(app.screen, DetailScreen)
    c = stored(home, s1.id)
    assert c.version == 1 and c.follow_up_on == s1.follow_up_on


async def test_follow_up_empty_clears(home, seeded, station_app):
    s1 = seeded["S1"]
    async with station_app() as (app, pilot):
        await open_detail(app, pilot, s1.id)
        await pilot.press("f", "enter")
        await settle(app, pilot)
    assert stored(home, s1.id).follow_up_on is None


async def test_clue_on_with_note_then_off_after_asking(home, seeded, station_app):
    s2 = seeded["S2"]
    async with station_app() as (app, pilot):
        screen = await open_detail(app, pilot, s2.id)
        await pilot.press("c")
        assert isinstance(app.screen, TextPrompt)
        await pilot.press("enter")  # a clue needs its note
        assert "请写明线索说明" in widgets_text(app.screen)
        await pilot.press(*"同一总包多个工地欠薪 疑为类案", "enter")
        await settle(app, pilot)
        c = stored(home, s2.id)
        assert c.clue.flag and c.clue.note == "同一总包多个工地欠薪 疑为类案" and c.version == 2
        assert "线索说明" in widgets_text(screen)

        await pilot.press("c")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(app, pilot)
        assert stored(home, s2.id).clue.flag
        await pilot.press("c", "y")
        await settle(app, pilot)
    c = stored(home, s2.id)
    assert not c.clue.flag and c.clue.note == "" and c.version == 3


async def test_delete_asks_then_leaves_a_tombstone(home, seeded, station_app):
    s9 = seeded["S9"]
    async with station_app() as (app, pilot):
        await open_detail(app, pilot, s9.id)
        await pilot.press("delete")
        assert isinstance(app.screen, ConfirmScreen)
        assert s9.ref in widgets_text(app.screen)
        await pilot.press("n")
        await settle(app, pilot)
        assert isinstance(app.screen, DetailScreen)
        assert not stored(home, s9.id).deleted

        await pilot.press("delete", "y")
        await settle(app, pilot)
        assert not isinstance(app.screen, DetailScreen)  # back where the officer came from
        assert any(s9.ref in n and "已删除" in n for n in notices(app))
    s = opened(home)
    try:
        c = s.get(s9.id)
        assert c.deleted and c.version == 2
        assert s9.id not in {r.id for r in s.index.search("")}
    finally:
        s.close()


async def test_change_made_elsewhere_is_not_overwritten(home, seeded, station_app):
    s1 = seeded["S1"]
    async with station_app() as (app, pilot):
        screen = await open_detail(app, pilot, s1.id)
        other = opened(home)  # another window
        other.edit(s1.id, {"status": "following_up"})
        other.close()
        await pilot.press("s", "5")
        await settle(app, pilot)
        text = widgets_text(screen)
        assert "已在别处被修改" in text
        assert "跟进中" in text and "第2版" in text  # the latest version, reloaded
    c = stored(home, s1.id)
    assert (c.version, c.status) == (2, "following_up")


async def test_edit_key_opens_the_form_or_says_it_is_missing(seeded, station_app):
    async with station_app() as (app, pilot):
        screen = await open_detail(app, pilot, seeded["S1"].id)
        await pilot.press("e")
        await pilot.pause()
        if app.screen is screen:
            assert "修改表单暂不可用" in notices(app)
        else:
            assert type(app.screen).__name__ == "IntakeScreen"
            assert app.screen.edit.id == seeded["S1"].id


async def test_escape_goes_back(seeded, station_app):
    async with station_app() as (app, pilot):
        await open_detail(app, pilot, seeded["S1"].id)
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "DashboardScreen"


async def test_fits_80_by_24(seeded, station_app):
    async with station_app(size=(80, 24)) as (app, pilot):
        screen = await open_detail(app, pilot, seeded["S1"].id)
        scroll = screen.query_one("#detail")
        assert scroll.max_scroll_y > 0  # the record is longer than the screen: it scrolls
        await pilot.press("end")
        await pilot.pause()
        assert scroll.scroll_y == scroll.max_scroll_y
        for w in screen.query(Static):
            assert w.size.width <= 80


def test_resolve_date():
    assert resolve_date("", TODAY) is None
    assert resolve_date("1", TODAY) == date(2026, 12, 5)
    assert resolve_date("2", TODAY) == date(2026, 12, 12)
    assert resolve_date("+10", TODAY) == date(2026, 12, 8)
    assert resolve_date("3周", TODAY) == date(2026, 12, 19)
    assert resolve_date("2026/12/1", TODAY) == date(2026, 12, 1)
    assert resolve_date("２０２６－１２－０３", TODAY) == date(2026, 12, 3)
    assert resolve_date("12-24", TODAY) == date(2026, 12, 24)
    for bad in ("2026-13-01", "tomorrow", "12"):
        with pytest.raises(ValueError):
            resolve_date(bad, TODAY)
