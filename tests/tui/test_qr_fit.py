"""Every QR code decodes from an 80×24 terminal (issue 13, cases 4 and 5).

The screen is captured as the terminal shows it — `app.export_screenshot()`, read
back cell by cell with each glyph's real colours — and decoded by zxing-cpp; once more
through a real terminal (tmux). Receipts name the officer who took the visit.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from liaison.demo_data import DEMO_OFFICERS, scenarios
from liaison.domain.intake import fields_from_input
from liaison.profiles import get_station
from liaison.tui.app import build_app
from liaison.tui.screens.detail import DetailScreen
from liaison.tui.screens.qr import QrScreen, ResidentScreen
from tests.qr.qr_raster import ansi_to_image, decode, screenshot_text, screenshot_to_image
from tests.tui.terminal import TMUX, Terminal
from tests.tui.unlocked import PIN, new_station, opened, session_for

TODAY = date(2026, 11, 28)
SIZE = (80, 24)
STATIONS = {"fengqiao-yuanfang": "FQYF", "fengqiao-ban": "FQB", "rider-friendly": "QSYH"}
# Officer-facing words a resident must never read in the resident view.
OFFICER_WORDS = ("放大窗口", "终端窗口太小", "enlarge", "Enlarge", "too small", "Esc", "PIN")


def seed(home: Path, sid: str) -> list:
    """The scenario records of station `sid`, taken by its demo officer."""
    store = opened(home)
    try:
        return [store.create(fields_from_input(mapping, officer=DEMO_OFFICERS[sid]))
                for station, mapping in scenarios(TODAY) if station == sid]
    finally:
        store.close()


async def settle(pilot) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def shot(app):
    svg = app.export_screenshot()
    return decode(screenshot_to_image(svg, *SIZE)), screenshot_text(svg, *SIZE)


def assert_service_code(decoded: list[str], sid: str) -> None:
    st = get_station(sid)
    assert len(decoded) == 1, decoded
    if st.url:
        assert decoded == [st.url]
    else:
        text = decoded[0]
        assert st.short_name in text and st.contacts[0].phone in text and "12309" in text
        assert st.services[0].title in text


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
@pytest.mark.parametrize("sid", list(STATIONS))
async def test_every_code_decodes_at_80x24(tmp_path, sid, theme):
    home = new_station(tmp_path, sid, STATIONS[sid])
    records = seed(home, sid)
    st = get_station(sid)
    app = build_app(home, session=session_for(home), today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.theme = theme
        # The service list, from the dashboard.
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, QrScreen)
        decoded, text = shot(app)
        assert_service_code(decoded, sid)
        assert "放大窗口" not in text and "太小" not in text
        await pilot.press("escape")
        # A receipt for every scenario record, from its detail screen.
        for c in records:
            app.open_detail(c.id)
            await settle(pilot)
            assert isinstance(app.screen, DetailScreen)
            await pilot.press("r")
            await settle(pilot)
            decoded, text = shot(app)
            assert len(decoded) == 1, (c.ref, text)
            receipt = decoded[0]
            for needle in (c.ref, f"{c.visited_at:%Y-%m-%d}", c.officer, st.contacts[0].phone, "12309"):
                assert needle in receipt, (needle, receipt)
            # The officer who took the visit, not the profile's first contact.
            if st.contacts[0].name != c.officer:
                assert st.contacts[0].name not in receipt
            await pilot.press("escape", "escape")
        # The resident view (F9): the code, and nothing meant for the officer.
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, ResidentScreen)
        decoded, text = shot(app)
        assert_service_code(decoded, sid)
        assert st.short_name in text or st.name in text
        for word in OFFICER_WORDS:
            assert word not in text, word


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_resident_view_speaks_to_the_resident_in_both_languages(tmp_path, lang):
    """At 80×24 the code; in a window too small for any code, the station and where the
    poster is — never a size or a key."""
    home = new_station(tmp_path, "fengqiao-ban", "FQB")
    app = build_app(home, session=session_for(home), today=TODAY, lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, ResidentScreen)
        decoded, text = shot(app)
        assert_service_code(decoded, "fengqiao-ban")
        for word in OFFICER_WORDS:
            assert word not in text, word
        await pilot.resize_terminal(40, 12)
        await settle(pilot)
        text = screenshot_text(app.export_screenshot(), 40, 12)
        assert "枫桥办" in text.replace("\n", "")  # the station's name (wrapped or not)
        assert ("海报" if lang == "zh" else "poster") in text
        for word in OFFICER_WORDS:
            assert word not in text, word


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed")
def test_a_real_80x24_terminal_shows_a_code_that_decodes(tmp_path):
    """The app in tmux at 80×24: unlock, q, capture the pane with its colours, decode."""
    home = new_station(tmp_path, "fengqiao-ban", "FQB")
    liaison = Path(sys.executable).with_name("liaison")
    cmd = f"{liaison} --home {home}" if liaison.exists() else f"{sys.executable} -m liaison --home {home}"
    term = Terminal([cmd], {**os.environ, "LIAISON_HOME": str(home)})
    try:
        def wait_for(pred, what: str, limit: float = 30.0) -> str:
            deadline = time.monotonic() + limit
            while time.monotonic() < deadline:
                shown = term.screen("-N")
                if pred(shown):
                    return shown
                time.sleep(0.2)
            pytest.fail(f"{what} never showed:\n{term.screen()}")

        wait_for(lambda s: "PIN" in s, "the unlock form")
        term.text(PIN)
        term.keys("Enter")
        wait_for(lambda s: "二维码" in s, "the dashboard")
        term.keys("q")
        wait_for(lambda s: "▀" in s or "▄" in s, "the QR code")
        time.sleep(0.5)  # let the last frame land
        decoded = decode(ansi_to_image(term.screen("-N", "-e")))
        assert_service_code(decoded, "fengqiao-ban")
        # The resident view: the same code, and nothing meant for the officer.
        term.keys("Escape")
        wait_for(lambda s: "▀" not in s, "the dashboard again")
        term.keys("F9")
        wait_for(lambda s: "▀" in s or "▄" in s, "the resident view")
        time.sleep(0.5)
        assert_service_code(decode(ansi_to_image(term.screen("-N", "-e"))), "fengqiao-ban")
        for word in OFFICER_WORDS:
            assert word not in term.screen(), word
    finally:
        term.close()


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed")
def test_liaison_qr_in_an_80x24_terminal_prints_a_code_that_decodes(tmp_path):
    """`liaison qr` sizes its code to the window it prints in."""
    liaison = Path(sys.executable).with_name("liaison")
    cmd = f"{liaison if liaison.exists() else sys.executable + ' -m liaison'} qr --station fengqiao-ban; sleep 30"
    term = Terminal([cmd], dict(os.environ))
    try:
        deadline, shown = time.monotonic() + 30, ""
        while time.monotonic() < deadline and "QR v" not in shown:
            time.sleep(0.2)
            shown = term.screen()
        assert_service_code(decode(ansi_to_image(term.screen("-e", "-N"))), "fengqiao-ban")
    finally:
        term.close()
