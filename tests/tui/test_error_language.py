"""Errors shown on a screen are in the officer's language (issue 15): a refused PIN in
English mode reads in English only; in Chinese mode in Chinese only."""

from __future__ import annotations

from datetime import date

import pytest
from textual.widgets import Input

from liaison.tui.app import build_app
from liaison.tui.screens.unlock import UnlockScreen
from tests.tui.unlocked import OFFICER, settle, type_text, until

TODAY = date(2026, 11, 28)
ZH, EN = "警员或 PIN 不正确", "wrong officer or PIN"


@pytest.mark.parametrize(("lang", "shown", "not_shown"), [("en", EN, ZH), ("zh", ZH, EN)])
async def test_wrong_pin_is_told_in_the_screens_language_only(home, lang, shown, not_shown):
    app = build_app(home, today=TODAY, lang=lang)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, UnlockScreen)
        await until(pilot, lambda: bool(screen.query("#u-officer")))
        screen.query_one("#u-officer", Input).focus()
        await type_text(pilot, OFFICER)
        await pilot.press("enter")
        await type_text(pilot, "not-the-pin-42")
        await pilot.press("enter")
        await until(pilot, lambda: not screen.busy)
        await settle(app, pilot)
        assert app.locked and app.screen is screen
        message = str(screen.query_one("#u-message").render())
        assert shown in message and not_shown not in message, message
        assert "(" not in message  # not the CLI's "中文 (English)"
