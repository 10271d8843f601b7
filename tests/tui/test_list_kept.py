"""The list screen built ahead (once search is warm, off the screen stack) and kept
between visits: `l` shows it with an empty search that has the focus, no filter left
over, the records as they are now and the language of the moment."""

from __future__ import annotations

from datetime import date

from textual.widgets import Input
from unlocked import OFFICER, session_for

from liaison.demo_data import YUANFANG, scenarios
from liaison.domain.intake import fields_from_input
from liaison.tui.app import build_app
from liaison.tui.screens.consultations import ConsultationsScreen
from liaison.tui.screens.dashboard import DashboardScreen
from liaison.tui.widgets.record_list import RecordList

TODAY = date(2026, 11, 28)
SIZE = (120, 40)


async def settle(app, pilot) -> None:
    for _ in range(2):
        await app.workers.wait_for_complete()
        await pilot.pause()


async def built_ahead(app, pilot) -> ConsultationsScreen:
    """Wait (the dashboard starts warming search 0.3 s after its figures) until the
    list screen is built, without the officer having pressed `l`."""
    for _ in range(200):
        await settle(app, pilot)
        if app.is_screen_installed("consultations") and app.get_screen("consultations").is_mounted:
            break
        await pilot.pause(0.05)
    screen = app.get_screen("consultations")
    assert screen.is_mounted and screen not in app.screen_stack
    assert isinstance(app.screen, DashboardScreen)  # nothing of it shown
    return screen


def new_record(app) -> str:
    mapping = next(m for station, m in scenarios(TODAY) if station == YUANFANG)
    c = app.store.create(fields_from_input({**mapping, "summary": "楼上渗水已三个月"}, officer=OFFICER))
    return c.id


async def test_l_shows_the_screen_built_ahead_with_an_empty_focused_search(home, seeded):
    app = build_app(home, session=session_for(home), today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        screen = await built_ahead(app, pilot)
        await pilot.press("l", *"亭子")
        await settle(app, pilot)
        assert app.screen is screen
        search = screen.query_one("#search", Input)
        assert search.has_focus and search.value == "亭子"  # typed straight after `l`
        rows = screen.query_one(RecordList).rows
        assert seeded["S1"].id in {r.id for r in rows}
        assert all("亭子" in r.hay for r in rows)


async def test_records_saved_while_away_are_listed(home, seeded):
    app = build_app(home, session=session_for(home), today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        screen = await built_ahead(app, pilot)
        before = len(app.store.index.newest_first())
        made = new_record(app)
        app.revision += 1  # as after any save (app.save, poll_others)
        await settle(app, pilot)
        await pilot.press("l")
        await settle(app, pilot)
        rows = screen.query_one(RecordList).rows
        assert len(rows) == before + 1 and made in {r.id for r in rows}
        # and again after a visit: search, leave, a save, back
        await pilot.press(*"渗水")
        await settle(app, pilot)
        await pilot.press("escape")
        await settle(app, pilot)
        second = new_record(app)
        app.revision += 1
        await settle(app, pilot)
        await pilot.press("l")
        await settle(app, pilot)
        assert screen.query_one("#search", Input).value == ""
        rows = screen.query_one(RecordList).rows
        assert len(rows) == before + 2 and second in {r.id for r in rows}


async def test_no_filter_is_left_over_on_coming_back(home, seeded):
    app = build_app(home, session=session_for(home), today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        screen = await built_ahead(app, pilot)
        await pilot.press("l")
        await settle(app, pilot)
        everything = len(screen.query_one(RecordList).rows)
        await pilot.press("ctrl+d", *"cxy")
        await settle(app, pilot)
        assert screen.due_only
        screen.query_one(RecordList).focus()
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press("l")
        await settle(app, pilot)
        assert not screen.due_only and screen.status is None and screen.category is None
        search = screen.query_one("#search", Input)
        assert search.value == "" and search.has_focus
        assert len(screen.query_one(RecordList).rows) == everything
        assert screen.query_one(RecordList).cursor == 0


async def test_language_switched_while_away(home, seeded):
    app = build_app(home, session=session_for(home), today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        screen = await built_ahead(app, pilot)
        await pilot.press("ctrl+g")  # English, on the dashboard
        await settle(app, pilot)
        await pilot.press("l")
        await settle(app, pilot)
        assert app.screen is screen
        assert screen.query_one("#search", Input).placeholder.startswith("Search:")
        rl = screen.query_one(RecordList)
        assert rl.render_line(0).text.startswith("Ref")
        assert "All statuses" in str(screen.query_one("#filters").render())
