"""Screens as an officer sees them, in Chinese and English, compared with reviewed
snapshots (pytest-textual-snapshot). Data and "today" are fixed so the pictures are
stable. After a deliberate change: look at the report, then `pytest --snapshot-update`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from liaison.demo import DEMO_PIN, seed_demo
from liaison.security.session import unlock
from liaison.tui.app import build_app

TODAY = date(2026, 11, 28)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    return seed_demo(tmp_path_factory.mktemp("snap"), on=TODAY)["fengqiao-yuanfang"]


@pytest.fixture(scope="module")
def session(demo):
    """The demo's officer, unlocked (the app then starts past its unlock screen)."""
    return unlock(demo, "王检察官", DEMO_PIN)


async def _ready(pilot) -> None:
    app = pilot.app
    while app.store is None:
        await pilot.pause(0.05)
    await app.workers.wait_for_complete()
    await pilot.pause()


def _then(*steps):
    """run_before: wait for the records, then do `steps` (keys, or callables on the app)."""
    async def run(pilot) -> None:
        await _ready(pilot)
        for step in steps:
            if callable(step):
                step(pilot.app)
            else:
                await pilot.press(step)
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
    return run


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_dashboard(snap_compare, demo, session, lang):
    assert snap_compare(build_app(demo, session=session, today=TODAY, lang=lang), terminal_size=(120, 36), run_before=_then())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_list(snap_compare, demo, session, lang):
    assert snap_compare(build_app(demo, session=session, today=TODAY, lang=lang), terminal_size=(120, 36), run_before=_then("l"))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_list_searched_at_80x24(snap_compare, demo, session, lang):
    assert snap_compare(build_app(demo, session=session, today=TODAY, lang=lang), terminal_size=(80, 24),
                        run_before=_then("l", *"chen"))


def _open_s2(app) -> None:
    row = next(r for r in app.store.index.newest_first() if r.party_size == 27)
    app.open_detail(row.id)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_detail(snap_compare, demo, session, lang):
    assert snap_compare(build_app(demo, session=session, today=TODAY, lang=lang), terminal_size=(120, 40), run_before=_then(_open_s2))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_help(snap_compare, demo, session, lang):
    assert snap_compare(build_app(demo, session=session, today=TODAY, lang=lang), terminal_size=(100, 40), run_before=_then("f1"))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_new_consultation_category_picker(snap_compare, demo, session, lang):
    assert snap_compare(build_app(demo, session=session, today=TODAY, lang=lang), terminal_size=(120, 40), run_before=_then("n"))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_new_consultation_labour_form(snap_compare, demo, session, lang):
    """After picking 劳资/欠薪 (key 2): the visitor block and the labour details."""
    assert snap_compare(build_app(demo, session=session, today=TODAY, lang=lang), terminal_size=(120, 40), run_before=_then("n", "2"))


def test_unlock_screen(snap_compare, demo):
    """The app as it opens (no session): the station, 已锁定, the form and the demo's hint."""
    async def ready(pilot) -> None:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(build_app(demo, today=TODAY, lang="zh"), terminal_size=(100, 30), run_before=ready)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_dashboard_light_at_80x24(snap_compare, demo, session, lang):
    """The light theme at the smallest size: the 逾期回访 card and the overdue row in
    readable colours, F1 and the language switch at the start of the key bar."""
    def light(app) -> None:
        app.theme = "textual-light"

    assert snap_compare(build_app(demo, session=session, today=TODAY, lang=lang), terminal_size=(80, 24),
                        run_before=_then(light))
