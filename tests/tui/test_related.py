"""Issue 13, case 15: a visit linked to earlier ones (“与前三起相同”), picked by search in
the form, shown on both records, refused when the reference is not this station's."""

from __future__ import annotations

from datetime import date

from unlocked import opened, session_for, settle, widgets_text

from liaison.domain.intake import fields_from_input
from liaison.tui.app import build_app
from liaison.tui.screens.detail import DetailScreen
from liaison.tui.screens.intake import IntakeScreen

TODAY = date(2026, 11, 28)
SIZE = (80, 24)


def make(home, summary: str):
    store = opened(home)
    try:
        return store.create(fields_from_input({"category": "邻里纠纷", "summary": summary}, officer="王检察官"))
    finally:
        store.close()


async def test_related_visit_picked_by_search_and_shown_on_both(home):
    first = make(home, "楼道堆放杂物占用消防通道")
    make(home, "家中老人走失求助")
    app = build_app(home, session=session_for(home), today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("n")
        await settle(app, pilot)
        await pilot.press("4", "ctrl+a", "tab", "tab", "tab", *"与前次相同")
        await pilot.press("f8", *"杂物")  # part of the earlier summary
        matches = app.screen.query_one("#f-related-matches")
        assert matches.display and matches.option_count == 1
        assert first.ref in str(matches.get_option_at_index(0).prompt)
        await pilot.press("enter")
        assert first.ref in widgets_text(app.screen)  # 已关联：…
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert not isinstance(app.screen, IntakeScreen)
        store = app.store
        later = store.get(max(store.index.newest_first(), key=lambda r: r.seq).id)
        assert later.related_to == (first.ref,)

        app.push_screen(DetailScreen(later.id))
        await settle(app, pilot)
        text = widgets_text(app.screen)
        assert "关联来访" in text and first.ref in text
        await pilot.press("escape")
        app.push_screen(DetailScreen(first.id))
        await settle(app, pilot)
        text = widgets_text(app.screen)
        assert "后续关联来访" in text and later.ref in text  # the earlier one lists the later one


async def test_backspace_takes_a_pick_off(home):
    first = make(home, "楼道堆放杂物占用消防通道")
    app = build_app(home, session=session_for(home), today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("n")
        await settle(app, pilot)
        await pilot.press("4", "f8", *first.ref.lower(), "enter")
        assert app.screen.form.values()["related_to"] == [first.ref]
        await pilot.press("backspace")
        assert app.screen.form.values()["related_to"] == []


async def test_a_reference_that_is_not_there_is_refused(home):
    app = build_app(home, session=session_for(home), today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        draft = {"category": "neighbour", "summary": "再次反映", "anonymous": True,
                 "related_to": ["FQYF-20200101-001"]}  # e.g. a draft older than a purge
        app.push_screen(IntakeScreen(draft=draft))
        await settle(app, pilot)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, IntakeScreen)
        err = app.screen.query_one("#err-f-related-search")
        assert err.display and "FQYF-20200101-001" in str(err.render())
