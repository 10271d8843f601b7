"""Issue 11: a record stored before today's rules (a year-1 visit, NUL / BEL / ESC / bidi
characters, over-long text) opens on every screen the officer uses without an
exception, and no control character reaches the terminal."""

from __future__ import annotations

from liaison.store import Store  # noqa: E402
from liaison.tui.app import build_app  # noqa: E402
from liaison.tui.screens.detail import DetailScreen  # noqa: E402
from tests.cli.test_old_data import OFFICER, SID, plant_old_records
from tests.tui.test_list import list_lines, open_list, settle
from tests.tui.unlocked import seal, session_for, widgets_text

CONTROL = "\x00\x07\x1b\u202e\x85"


async def test_old_records_list_and_open_on_screen(tmp_path):
    home = tmp_path / "station"
    Store.init(home, station=SID, code="FQYF", officer=OFFICER).close()
    refs = plant_old_records(home)
    seal(home, SID, OFFICER)
    app = build_app(home, session=session_for(home))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert not any(ch in widgets_text(app.screen) for ch in CONTROL)  # the dashboard
        rl = await open_list(app, pilot)
        lines = list_lines(rl)
        assert len(rl.rows) == len(refs)
        assert not any(ch in line for line in lines for ch in CONTROL), lines
        rows = list(rl.rows)
        for i in range(len(rows)):
            rl.focus()
            rl.cursor = i
            await pilot.press("enter")
            await settle(app, pilot)
            assert isinstance(app.screen, DetailScreen), app.screen
            text = widgets_text(app.screen)
            assert rows[i].ref in text and not any(ch in text for ch in CONTROL), text
            await pilot.press("escape")
            await settle(app, pilot)
