"""Issue 13, case 8: every text on every screen reads at WCAG AA (4.5:1) against its
own background, in the dark and the light theme (the 逾期回访 card was 1.32:1 and the
overdue rows 2.04:1 in the light theme). Colours are read from what is rendered
(Textual's public screenshot); borders and rules are not text and are left out."""

from __future__ import annotations

import pytest
from rendered import contrast, runs
from test_languages import SCREENS, SIZE, TODAY, _show, demo, session  # noqa: F401 — fixtures
from textual.screen import ModalScreen

from liaison.tui.app import build_app

# Not text: box drawing and blocks (borders, scrollbars), a Select's arrow, and the
# faint X of an unticked checkbox (its state: what it says is its label, checked here).
NOT_TEXT = " ─│╭╮╰╯┌┐└┘━┃▔▁▊▎▌▐█▀▄▆▂▃▅▇▉▋▍▏▼▲"
MARKS = {"X"}
AA = 4.5


def low_contrast(app) -> list[str]:
    """Text below 4.5:1. Over a dialog (a modal screen, the command palette) only the
    dialog is read: the screen behind it is dimmed on purpose, to be looked past."""
    screen = app.screen
    areas = [w.region for w in screen.children] if isinstance(screen, ModalScreen) else [screen.region]

    def shown(r) -> bool:
        return any(a.contains(r.col, r.row) for a in areas)
    return [f"{contrast(r.fg, r.bg):.2f}:1 {r.fg} on {r.bg}: {r.text.strip()!r}"
            for r in runs(app.export_screenshot())
            if r.text.strip(NOT_TEXT) not in MARKS | {""} and shown(r) and contrast(r.fg, r.bg) < AA]


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
@pytest.mark.parametrize("name", list(SCREENS))
async def test_text_contrast(demo, session, theme, name):  # noqa: F811
    app = build_app(demo, session=session, today=TODAY, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        app.theme = theme
        await _show(app, pilot, SCREENS[name])
        # the list's cursor row when the list is not focused, and the overdue rows,
        # are what the dashboard shows: checked there with the due list filled in
        assert low_contrast(app) == []


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
async def test_unlock_contrast(demo, theme):  # noqa: F811
    app = build_app(demo, today=TODAY, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        app.theme = theme
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert low_contrast(app) == []
