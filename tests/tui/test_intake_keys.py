"""Issue 13, cases 13 and 14 on the intake form: one key to status, referrals,
follow-up, clue and related visits; the referral list filtered by typing; the clue
once; a quick resolved neighbour walk-in in at most 12 keys beyond its text; the
category fields and what they tell the officer; one labour head-count; anonymous and
no name given shown apart."""

from __future__ import annotations

from datetime import date

from textual.widgets import Checkbox, Label, SelectionList, Static
from unlocked import opened, session_for, settle, widgets_text

from liaison.domain.intake import fields_from_input
from liaison.domain.vocab import CATEGORIES, STATUSES
from liaison.tui.app import build_app
from liaison.tui.screens.detail import DetailScreen
from liaison.tui.screens.intake import IntakeScreen

TODAY = date(2026, 11, 28)
SIZE = (80, 24)


class Keys:
    """pilot.press that counts the keys, apart from the characters of free text."""

    def __init__(self, pilot):
        self.pilot, self.count = pilot, 0

    async def press(self, *keys: str) -> None:
        self.count += len(keys)
        await self.pilot.press(*keys)

    async def text(self, text: str) -> None:  # characters of what the visitor said: not counted
        await self.pilot.press(*text)


def digit(table: dict, code: str) -> str:
    return str(list(table).index(code) + 1)


async def new_form(app, pilot, category: str, keys: Keys | None = None) -> Keys:
    keys = keys or Keys(pilot)
    await settle(app, pilot)
    await keys.press("n")
    await settle(app, pilot)
    assert isinstance(app.screen, IntakeScreen)
    await keys.press(digit(CATEGORIES, category))
    await pilot.pause()
    return keys


def saved(home):
    store = opened(home)
    try:
        return [store.get(r.id) for r in store.index.newest_first()]
    finally:
        store.close()


async def test_quick_resolved_neighbour_walk_in_in_twelve_keys(home):
    app = build_app(home, session=session_for(home), today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        keys = await new_form(app, pilot, "neighbour")
        await keys.press("ctrl+a")  # anonymous: focus moves on to the head-count
        await keys.press("tab", "tab", "tab")  # 对方, 地点, 事由摘要
        assert app.focused.id == "f-summary"
        await keys.text("楼上装修噪音扰民经调解双方同意限时施工")
        await keys.press("f2", digit(STATUSES, "resolved"))  # status: one key, then its number
        await keys.press("ctrl+s")
        await settle(app, pilot)
        assert not isinstance(app.screen, IntakeScreen)
    (c,) = saved(home)
    assert (c.category, c.status, c.visitor.anonymous) == ("neighbour", "resolved", True)
    assert c.summary == "楼上装修噪音扰民经调解双方同意限时施工"
    assert keys.count <= 12, keys.count


async def test_one_key_to_each_far_field_shown_beside_it(home):
    app = build_app(home, session=session_for(home), today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await new_form(app, pilot, "other")
        form = app.screen.query_one("#step-form")
        for key, wid in (("f2", "f-status"), ("f3", "f-ref-filter"), ("f4", "f-follow"),
                         ("f7", "f-clue-note"), ("f8", "f-related-search")):
            await pilot.press("f2" if key != "f2" else "f4")  # from somewhere else in the form
            await pilot.press(key)
            assert app.focused.id == wid, key
            label = form.query_one(f"#l-{wid}" if wid != "f-clue-note" else "#l-f-clue-note", Label)
            assert key.upper() in str(label.render()), key
        bar = str(app.screen.query_one("KeyBar").render())
        assert "状态" in bar and "转介" in bar  # in the key bar too


async def test_referrals_filtered_by_typing_and_the_clue_once(home):
    app = build_app(home, session=session_for(home), today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await new_form(app, pilot, "fraud")
        refs = app.screen.query_one("#f-referrals", SelectionList)
        prompts = [str(refs.get_option_at_index(i).prompt) for i in range(refs.option_count)]
        assert not any("公益诉讼" in p for p in prompts)  # the clue is the clue box only
        assert "公益诉讼线索" in str(app.screen.query_one("#f-clue", Checkbox).label)
        await pilot.press("f3", *"公安")
        assert str(refs.get_option_at_index(0).prompt).startswith("公安报警")
        await pilot.press("enter")  # ticks the first match, the filter starts again
        await pilot.press("f3", *"gaj")
        assert str(refs.get_option_at_index(0).prompt).startswith("公安报警")
        await pilot.press("ctrl+u", *"fl", "enter")  # 法律援助 too
        assert app.screen.form.values()["referrals"] == ["police", "legal_aid"]


async def test_old_public_interest_referral_opens_as_the_clue(home, seeded):
    s12 = next(c for c in seeded.values() if "public_interest" in c.referrals)
    app = build_app(home, session=session_for(home), today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.push_screen(IntakeScreen(edit=s12))
        await settle(app, pilot)
        assert app.screen.query_one("#f-clue", Checkbox).value
        assert "public_interest" not in app.screen.form.values()["referrals"]


async def test_fraud_money_gone_within_72_hours_shows_the_urgent_steps(home):
    app = build_app(home, session=session_for(home), today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await new_form(app, pilot, "fraud")
        hint = app.screen.query_one("#advice-hint", Static)
        assert not hint.display
        yesterday = app.now().date().toordinal() - 1
        paid = date.fromordinal(yesterday).isoformat() + " 21:30"
        app.screen.query_one("#f-d-paid_at").focus()
        await pilot.press(*paid)
        assert hint.display
        text = str(hint.render())
        assert "96110" in text and "紧急止付" in text and "110" in text


async def test_administrative_and_labour_deadlines_labelled_as_guidance(home):
    app = build_app(home, session=session_for(home), today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await new_form(app, pilot, "administrative")
        app.screen.query_one("#f-d-decision_known_on").focus()
        await pilot.press(*"2026-11-03")
        text = str(app.screen.query_one("#advice-hint", Static).render())
        assert "参考" in text and "行政复议 2027-01-02" in text and "行政诉讼 2027-05-03" in text and "天" in text


async def test_labour_asks_one_head_count(home):
    app = build_app(home, session=session_for(home), today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await new_form(app, pilot, "labour")
        screen = app.screen
        assert not screen.query_one("#row-f-d-workers").display
        assert screen.query_one("#row-f-d-dispute_on").display
        assert "涉及人数" in str(screen.query_one("#l-f-party", Label).render())
        labels = [str(w.render()) for w in screen.query(Label) if w.display and w.parent.display
                  and w.parent.parent.display]
        assert not any("来访人数" in t for t in labels)


async def test_no_name_given_is_not_anonymous(home):
    store = opened(home)
    try:
        c = store.create(fields_from_input({"category": "其他", "summary": "电话咨询后来访"}, officer="王检察官"))
    finally:
        store.close()
    app = build_app(home, session=session_for(home), today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.push_screen(DetailScreen(c.id))
        await settle(app, pilot)
        text = widgets_text(app.screen)
        assert "未留姓名" in text and "（匿名）" not in text
