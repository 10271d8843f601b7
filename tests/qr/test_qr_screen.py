"""The QR screen captured through Pilot: the whole screen as the terminal shows it
(`app.export_screenshot()` read back cell by cell, each in its real colours) is
decoded by zxing-cpp."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from liaison.demo_data import SCENARIO_IDS, scenarios
from liaison.domain.intake import fields_from_input
from liaison.profiles import get_station, office_for
from liaison.qr.payloads import receipt_payload, service_payload
from liaison.security.keyring import Keyring
from liaison.security.session import open_store, unlock
from liaison.store import Store
from liaison.tui.app import build_app
from liaison.tui.screens.detail import DetailScreen
from liaison.tui.screens.qr import QrCode, QrScreen
from tests.qr.qr_raster import decode, screenshot_text, screenshot_to_image

STATIONS = ("fengqiao-yuanfang", "fengqiao-ban", "rider-friendly")
TODAY = date(2026, 11, 28)


PIN = "kx-4711-lotus"
_sessions: dict[Path, object] = {}


def make_home(tmp_path: Path, sid: str) -> Path:
    """A sealed station (officer 值班检察官) and its unlocked session (`session_for`)."""
    st = get_station(sid)
    home = tmp_path / sid
    Store.init(home, station=sid, code=st.code, officer="值班检察官").close()
    Keyring.create(home, sid, "值班检察官", PIN)
    _sessions[home] = unlock(home, "值班检察官", PIN)
    return home


def session_for(home: Path):
    """The station's session; a plain station (the shared `home` fixture) gets its
    first officer now."""
    if home not in _sessions:
        Keyring.create(home, get_station("fengqiao-yuanfang").id, "值班检察官", PIN)
        _sessions[home] = unlock(home, "值班检察官", PIN)
    return _sessions[home]


async def settle(app, pilot) -> None:
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


def screen_image(app):
    return screenshot_to_image(app.export_screenshot(), *app.size)


def screen_text(app) -> str:
    return screenshot_text(app.export_screenshot(), *app.size)


@pytest.mark.parametrize("sid", STATIONS)
@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
async def test_q_shows_the_station_code_centred_and_scannable(tmp_path, sid, theme):
    home = make_home(tmp_path, sid)
    st = get_station(sid)
    payload = service_payload(st, office_for(st))
    app = build_app(home, session=session_for(home), today=TODAY)
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(app, pilot)
        app.theme = theme
        await pilot.press("q")
        await settle(app, pilot)
        assert isinstance(app.screen, QrScreen)
        assert decode(screen_image(app)) == [payload.text]
        code = app.screen.query_one(QrCode)
        region = code.region
        assert region.width == len(code.lines[0]) and region.height == len(code.lines)
        group = app.screen.query_one("#qr-layout").region  # the code and the text beside it
        left, right = group.x, 120 - group.right
        assert abs(left - right) <= 1, (left, right)  # centred
        text = screen_text(app)
        assert st.name in text
        assert "微信扫一扫" in text
        await pilot.press("escape")
        assert not isinstance(app.screen, QrScreen)


async def test_too_small_terminal_shows_the_size_not_a_broken_code(tmp_path):
    home = make_home(tmp_path, "fengqiao-ban")
    app = build_app(home, session=session_for(home), today=TODAY)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(app, pilot)
        await pilot.press("q")
        await settle(app, pilot)
        assert isinstance(app.screen, QrScreen)
        text = screen_text(app)
        # The smallest code (a short list, version 4) beside its caption, above the key bar.
        assert "终端窗口太小" in text and "69×22" in text and "60×20" in text
        assert "█" not in text and "▀" not in text and decode(screen_image(app)) == []
        # Enlarging the window brings the code back.
        await pilot.resize_terminal(120, 50)
        await settle(app, pilot)
        assert decode(screen_image(app)) == [app.screen.payload.text]


async def test_english_caption(tmp_path):
    home = make_home(tmp_path, "rider-friendly")
    app = build_app(home, session=session_for(home), today=TODAY, lang="en")
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(app, pilot)
        await pilot.press("q")
        await settle(app, pilot)
        assert "Scan with WeChat" in screen_text(app)


async def test_r_on_the_detail_screen_shows_the_receipt(home):
    store = open_store(session_for(home))
    _, mapping = scenarios(TODAY)[SCENARIO_IDS.index("S1")]
    c = store.create(fields_from_input(mapping, officer="王检察官"))
    store.close()
    st = get_station(c.station)
    payload = receipt_payload(c, st, office_for(st))
    app = build_app(home, session=session_for(home), today=TODAY)
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(app, pilot)
        app.open_detail(c.id)
        await settle(app, pilot)
        assert isinstance(app.screen, DetailScreen)
        await pilot.press("r")
        await settle(app, pilot)
        assert isinstance(app.screen, QrScreen)
        assert decode(screen_image(app)) == [payload.text]
        text = screen_text(app)
        assert c.ref in text
        for secret in ("陈秀英", "13800001234", "亭子间"):
            assert secret not in text
