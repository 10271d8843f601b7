"""Issue 13 case 16, in the app: `s` on the dashboard lists the stations set up on this
laptop; choosing another closes this station and opens that one at its own unlock
screen (its own officers and PINs)."""

from __future__ import annotations

import re
from datetime import date

from liaison.cli import ui_cmd
from liaison.tui.app import build_app
from liaison.tui.screens.dashboard import DashboardScreen
from liaison.tui.screens.unlock import UnlockScreen
from tests.tui.unlocked import new_station, session_for, settle, widgets_text

TODAY = date(2026, 11, 28)



async def test_switching_station_opens_the_other_at_its_own_unlock_screen(tmp_path, monkeypatch):
    monkeypatch.delenv("LIAISON_HOME", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    stations = tmp_path / "xdg" / "liaison" / "stations"
    yuanfang = new_station(stations, "fengqiao-yuanfang", "FQYF")
    ban = new_station(stations, "fengqiao-ban", "FQB", officer="李检察官")

    app = build_app(yuanfang, session=session_for(yuanfang), today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("s")
        await settle(app, pilot)
        text = widgets_text(app.screen, with_lists=True)
        assert "枫桥远坊" in text and "枫桥办" in text  # both stations on this laptop
        number = re.search(r"(\d)\s+枫桥办", text).group(1)
        await pilot.press(number)
        await settle(app, pilot)
    assert app.return_value == ban

    # What `liaison` does with that answer: the other station's app, locked, asking
    # for one of its own officers.
    opened = []

    class Recorder:
        def __init__(self, home, **kw):
            self.home = home

        def run(self):
            opened.append(self.home)
            return ban if len(opened) == 1 else None

    monkeypatch.setattr("liaison.tui.app.build_app", Recorder)
    assert ui_cmd.open_ui(yuanfang) == 0
    assert opened == [yuanfang, ban]

    other = build_app(ban, today=TODAY)
    async with other.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(other.screen, UnlockScreen) and other.session is None
