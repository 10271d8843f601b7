"""Issue 13, cases 10 and 11: one numbering for statuses and categories in every place
that offers them (read from the rendered screen at 80×24), and destructive prompts
that default to No (a plain Enter keeps the record / the typed text)."""

from __future__ import annotations

import re
from datetime import date

from liaison.domain.vocab import CATEGORIES, STATUSES
from liaison.tui.app import build_app
from liaison.tui.i18n import category, status
from liaison.tui.screens.consultations import ConsultationsScreen
from liaison.tui.screens.detail import DetailScreen
from liaison.tui.screens.detail_dialogs import TextPrompt
from liaison.tui.screens.intake import IntakeScreen
from liaison.tui.screens.modals import ConfirmScreen, PickScreen
from tests.tui.unlocked import opened, session_for, settle, widgets_text

TODAY = date(2026, 11, 28)
SIZE = (80, 24)



def numbers(text: str, labels: list[str]) -> dict[str, str]:
    """label → the digit shown just before it on the screen."""
    found = {}
    for lab in labels:
        m = re.search(r"(\d)\.?\s+" + re.escape(lab), text)
        if m:
            found[lab] = m.group(1)
    return found


async def test_statuses_and_categories_have_one_numbering_everywhere(home, seeded):
    app = build_app(home, session=session_for(home), today=TODAY)
    status_labels = [status(c, "zh") for c in STATUSES]
    category_labels = [category(c, "zh") for c in CATEGORIES]
    seen_status, seen_category = [], []
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("l")
        await settle(app, pilot)
        assert isinstance(app.screen, ConsultationsScreen)
        await pilot.press("f2")
        assert isinstance(app.screen, PickScreen)
        text = widgets_text(app.screen, with_lists=True)
        assert re.search(r"0\.?\s+全部状态", text)  # "all" never shifts the others
        seen_status.append(numbers(text, status_labels))
        await pilot.press("escape", "f3")
        text = widgets_text(app.screen, with_lists=True)
        assert re.search(r"0\.?\s+全部类别", text)
        seen_category.append(numbers(text, category_labels))
        await pilot.press("escape")

        app.open_detail(seeded["S2"].id)
        await settle(app, pilot)
        assert isinstance(app.screen, DetailScreen)
        await pilot.press("s")
        assert isinstance(app.screen, PickScreen)
        seen_status.append(numbers(widgets_text(app.screen, with_lists=True), status_labels))
        await pilot.press("escape", "escape", "escape")  # dialog, detail, list
        await settle(app, pilot)

        await pilot.press("n")
        await settle(app, pilot)
        assert isinstance(app.screen, IntakeScreen)
        seen_category.append(numbers(widgets_text(app.screen, with_lists=True), category_labels))
        await pilot.press("2")  # the form: its category and status fields show their numbers too
        await settle(app, pilot)
        text = widgets_text(app.screen, with_lists=True)
        in_form = (numbers(text, category_labels), numbers(text, status_labels))

    expected_status = {lab: str(i + 1) for i, lab in enumerate(status_labels)}
    expected_category = {lab: str(i + 1) for i, lab in enumerate(category_labels)}
    assert all(seen == expected_status for seen in seen_status), seen_status
    assert all(seen == expected_category for seen in seen_category), seen_category
    assert in_form == ({category_labels[1]: "2"}, {status_labels[0]: "1"}), in_form


async def test_f2_digit_picks_the_status_with_that_number(seeded, station_app):
    async with station_app(notifications=False) as (app, pilot):
        await pilot.press("l")
        await settle(app, pilot)
        await pilot.press("f2", "2")
        await settle(app, pilot)
        assert app.screen.status == "referred"  # 2 is 已转介, as in the status dialog
        await pilot.press("f2", "0")
        await settle(app, pilot)
        assert app.screen.status is None


async def test_enter_on_the_delete_prompt_keeps_the_record(home, seeded, station_app):
    s9 = seeded["S9"]
    async with station_app(notifications=False) as (app, pilot):
        app.open_detail(s9.id)
        await settle(app, pilot)
        await pilot.press("delete")
        assert isinstance(app.screen, ConfirmScreen)
        assert "取消" in widgets_text(app.screen, with_lists=True)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DetailScreen)
        await pilot.press("delete", "y")
        await settle(app, pilot)
    store = opened(home)
    try:
        assert store.get(s9.id).deleted
    finally:
        store.close()


async def test_enter_on_a_discard_prompt_keeps_the_typed_text(seeded, station_app):
    async with station_app(notifications=False) as (app, pilot):
        app.open_detail(seeded["S2"].id)
        await settle(app, pilot)
        await pilot.press("n", *"写了一半", "escape")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")  # no: back to the note, the text kept
        assert isinstance(app.screen, TextPrompt)
        assert app.screen.query_one("Input").value == "写了一半"
        await pilot.press("escape", "y")
        assert isinstance(app.screen, DetailScreen)

