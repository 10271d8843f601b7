"""The app started locked reads the records' clear parts and counts the dashboard's
figures while the PIN is typed (issue 14). What it read early is kept across a wrong
PIN, and is used only for what is still on disk at the unlock: a record saved
meanwhile by another process is listed and counted."""

from __future__ import annotations

from datetime import date

from liaison.domain.intake import fields_from_input
from liaison.tui.app import build_app
from liaison.tui.screens.dashboard import DashboardScreen
from tests.tui.test_screen_lock import unlock_as
from tests.tui.unlocked import OFFICER, PIN, opened, settle, until

TODAY = date(2026, 11, 28)
SIZE = (120, 40)


def _tile(app, name: str) -> str:
    return str(app.screen.query_one(f"#tile-{name}").render())


async def test_a_record_saved_while_the_pin_is_typed_is_listed_and_counted(home, seeded):
    app = build_app(home, today=TODAY)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        await until(pilot, lambda: app._early_figures is not None)  # read and counted before any PIN
        early = app._ahead
        counted = app._early_figures[3][0]
        assert counted.unexported == len(seeded)

        await unlock_as(app, pilot, OFFICER, "not-the-pin-42")
        assert app.locked and app.store is None
        assert app._ahead is early  # nothing in it depends on the PIN: kept for the next try

        other = opened(home)  # `liaison add` meanwhile
        added = other.create(fields_from_input({"category": "other", "summary": "解锁前另一个进程登记的来访"},
                                               officer=OFFICER))
        other.close()

        await unlock_as(app, pilot, OFFICER, PIN)
        await until(pilot, lambda: not app.locked)
        await settle(app, pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert app.store.index.by_id[added.id].brief == "解锁前另一个进程登记的来访"
        assert len(app.store.index) == len(seeded) + 1
        assert f"\n{counted.unexported + 1}\n" in _tile(app, "unexported")


async def test_the_figures_counted_early_are_those_of_the_records_opened(home, seeded):
    from liaison.reports.station_summary import summarise

    app = build_app(home, today=TODAY)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        await until(pilot, lambda: app._early_figures is not None)
        counted = app._early_figures[3][0]
        await unlock_as(app, pilot, OFFICER, PIN)
        await until(pilot, lambda: not app.locked)
        await settle(app, pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert summarise(app.store.index.newest_first(include_deleted=True), TODAY) == counted
        assert f"\n{counted.visits_today}\n" in _tile(app, "today")
        assert f"\n{len(counted.overdue)}\n" in _tile(app, "overdue")
        assert f"\n{counted.unexported}\n" in _tile(app, "unexported")
