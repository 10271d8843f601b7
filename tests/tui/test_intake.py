"""New consultation, typed through the real screens: scenarios S1, S2, S6, S7, S12,
unsaved-input protection, draft recovery after a closed app, inline validation, edit."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from liaison.demo_data import SCENARIO_IDS, scenarios
from liaison.domain.intake import fields_from_input
from liaison.domain.pick import referral_choices
from liaison.domain.timeutil import parse_datetime
from liaison.domain.vocab import CATEGORIES, FORM_HIDDEN_DETAILS, LEGACY_REFERRALS, STATUSES
from liaison.store import Store
from liaison.store.drafts import Drafts
from liaison.tui.app import build_app
from liaison.tui.drafting import AUTOSAVE_DELAY
from liaison.tui.screens.intake import IntakeScreen
from liaison.tui.screens.modals import ConfirmScreen
from tests.tui.unlocked import opened, seal, session_for, toast_texts, type_text

TODAY = date(2026, 11, 28)
SIZE = (120, 40)


async def settle(pilot) -> None:
    """Let workers (store, saves, drafts) finish and the screen catch up."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def goto(pilot, widget_id: str, limit: int = 80) -> None:
    """Press Tab (or shift+Tab, whichever is shorter) until `widget_id` has the focus."""
    for _ in range(limit):
        focused = pilot.app.focused
        if focused is not None and focused.id == widget_id:
            return
        chain = [w.id for w in pilot.app.screen.focus_chain]
        here = chain.index(focused.id) if focused is not None and focused.id in chain else 0
        there = chain.index(widget_id) if widget_id in chain else len(chain)
        await pilot.press("tab" if there >= here else "shift+tab")
    raise AssertionError(f"Tab never reached #{widget_id} (focus on {pilot.app.focused!r})")


async def fill(pilot, widget_id: str, text: str) -> None:
    await goto(pilot, widget_id)
    await type_text(pilot, text)


def scenario(sid: str) -> tuple[str, dict]:
    return dict(zip(SCENARIO_IDS, scenarios(TODAY), strict=True))[sid]


def station_home(tmp_path: Path, station: str) -> Path:
    codes = {"fengqiao-yuanfang": ("FQYF", "王检察官"), "fengqiao-ban": ("FQB", "李检察官")}
    code, officer = codes[station]
    h = tmp_path / station
    Store.init(h, station=station, code=code, officer=officer).close()
    seal(h, station, officer)
    return h


def notifications(app) -> list[str]:
    return toast_texts(app)


def error_text(app, widget_id: str) -> str:
    err = app.screen.query_one(f"#err-{widget_id}")
    return str(err.render()) if err.display else ""


async def open_form(pilot, category: str) -> None:
    await pilot.press("n")
    await settle(pilot)
    assert isinstance(pilot.app.screen, IntakeScreen)
    await pilot.press(str(list(CATEGORIES).index(category) + 1))
    await pilot.pause()


async def enter_scenario(pilot, m: dict, follow_up: tuple[str, str] | None) -> None:
    """Type scenario mapping `m` into a new form; `follow_up` is ("key", "f5") or ("type", text)."""
    await open_form(pilot, m["category"])
    visited = parse_datetime(m["visited_at"])
    await fill(pilot, "f-visited", visited.strftime("%Y-%m-%d %H:%M"))  # back-entry from paper
    v = m["visitor"]
    if v.get("anonymous"):
        await pilot.press("ctrl+a")
    else:
        if v.get("consent"):
            await goto(pilot, "f-consent")
            await pilot.press("space")
        await fill(pilot, "f-name", v["name"])
        if v.get("phone"):
            await fill(pilot, "f-phone", v["phone"])
        if v.get("party_size", 1) != 1:
            await fill(pilot, "f-party", str(v["party_size"]))
    for key, value in (m.get("details") or {}).items():
        if key not in FORM_HIDDEN_DETAILS.get(m["category"], ()):  # labour: the head-count is the party size
            await fill(pilot, f"f-d-{key}", str(value))
    for name in ("summary", "requests", "advice"):
        if m.get(name):
            await fill(pilot, f"f-{name}", m[name])
    if m.get("referrals"):
        await goto(pilot, "f-referrals")
        for code in m["referrals"]:
            if code not in LEGACY_REFERRALS:  # the clue box stands for 公益诉讼线索
                await pilot.press("home", *["down"] * referral_choices().index(code), "space")
    clue = m.get("clue") or {}
    if clue.get("flag"):
        await goto(pilot, "f-clue")
        await pilot.press("space")
    if clue.get("note"):
        await fill(pilot, "f-clue-note", clue["note"])
    if m.get("status", "open") != "open":
        await goto(pilot, "f-status")
        await pilot.press("enter", *["down"] * list(STATUSES).index(m["status"]), "enter")
    if follow_up is not None:
        how, what = follow_up
        if how == "key":
            await pilot.press(what)
        else:
            await fill(pilot, "f-follow", what)
    await pilot.press("ctrl+s")
    await settle(pilot)


def assert_saved_as_typed(c, m: dict) -> None:
    assert c.category == m["category"]
    assert c.status == m.get("status", "open")
    for name in ("summary", "requests", "advice"):
        assert getattr(c, name) == m.get(name, "")
    assert c.visited_at == parse_datetime(m["visited_at"]).replace(second=0)
    assert set(c.referrals) == set(m.get("referrals", ())) - LEGACY_REFERRALS
    assert c.details == (m.get("details") or {})
    v = m["visitor"]
    assert c.visitor.name == v.get("name")
    assert c.visitor.phone == v.get("phone")
    assert c.visitor.party_size == v.get("party_size", 1)
    assert c.visitor.consent == bool(v.get("consent"))
    assert c.visitor.anonymous == bool(v.get("anonymous"))
    clue = m.get("clue") or {}
    assert (c.clue.flag, c.clue.note) == (bool(clue.get("flag")), clue.get("note", ""))
    fu = m.get("follow_up_on")
    assert c.follow_up_on == (date.fromisoformat(fu) if fu else None)
    assert c.officer == m["officer"]


async def test_scenarios_s1_s2_s12_typed_at_fengqiao_yuanfang(home):
    app = build_app(home, session=session_for(home), today=TODAY)
    plan = [("S1", ("key", "f6")), ("S2", ("key", "f5")), ("S12", None)]  # +2 weeks, +1 week, none
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        shown = []  # each save's notice, read right after it (only the newest one stays up)
        for sid, follow_up in plan:
            await enter_scenario(pilot, scenario(sid)[1], follow_up)
            assert not isinstance(app.screen, IntakeScreen), f"{sid} was not saved: {notifications(app)}"
            shown += notifications(app)
    store = opened(home)
    try:
        rows = sorted(store.index.newest_first(), key=lambda r: r.seq)
        assert len(rows) == 3
        records = [store.get(r.id) for r in rows]
    finally:
        store.close()
    for c, (sid, _) in zip(records, plan, strict=True):
        assert_saved_as_typed(c, scenario(sid)[1])
        assert f"已保存 {c.ref}" in shown  # the new reference number was shown
    s1, s2, s12 = records
    assert s1.ref.startswith("FQYF-20261109-")
    assert s2.visitor.party_size == 27 and s2.details == {
        "employer": "某建筑劳务公司（分包单位）", "workers": 27, "amount_owed": 600000}
    assert s2.referrals == ("labour_inspection",)
    assert s12.visitor.name is None and s12.visitor.phone is None and s12.visitor.anonymous
    assert s12.clue.flag


async def test_scenarios_s6_s7_typed_at_fengqiao_ban(tmp_path):
    home = station_home(tmp_path, "fengqiao-ban")
    s6, s7 = scenario("S6")[1], scenario("S7")[1]
    app = build_app(home, session=session_for(home), today=TODAY)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await enter_scenario(pilot, s6, ("type", s6["follow_up_on"]))  # a date typed in full
        shown = notifications(app)
        await enter_scenario(pilot, s7, ("type", "+2w"))  # two weeks after the visit
        shown += notifications(app)
    store = opened(home)
    try:
        records = [store.get(r.id) for r in sorted(store.index.newest_first(), key=lambda r: r.seq)]
    finally:
        store.close()
    assert len(records) == 2
    assert_saved_as_typed(records[0], s6)
    assert_saved_as_typed(records[1], s7)
    assert records[1].referrals == ("police", "judicial_aid", "counselling")
    assert all(c.ref.startswith("FQB-") and f"已保存 {c.ref}" in shown for c in records)


async def test_escape_with_input_asks_and_no_keeps_the_text(home, station_app):
    async with station_app() as (app, pilot):
        await open_form(pilot, "neighbour")
        await fill(pilot, "f-summary", "楼上噪音扰民")
        await pilot.pause(AUTOSAVE_DELAY + 0.3)
        await settle(pilot)
        assert Drafts(home, session_for(home).sealer).load() is not None
        await pilot.press("escape")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert isinstance(app.screen, IntakeScreen)
        assert app.screen.query_one("#f-summary").text == "楼上噪音扰民"
        assert app.focused.id == "f-summary"
        await pilot.press("escape")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert not isinstance(app.screen, (IntakeScreen, ConfirmScreen))
        assert Drafts(home, session_for(home).sealer).load() is None
        assert not (home / "drafts" / "intake.json").exists()
    store = opened(home)
    assert store.index.newest_first() == []
    store.close()


async def test_escape_with_nothing_typed_leaves_at_once(station_app):
    async with station_app() as (app, pilot):
        await open_form(pilot, "labour")
        await pilot.press("escape")
        await settle(pilot)
        assert type(app.screen).__name__ == "DashboardScreen"
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("escape")  # still on the category step
        await settle(pilot)
        assert type(app.screen).__name__ == "DashboardScreen"


async def test_draft_survives_closing_the_app_and_is_offered_back(home, station_app):
    async with station_app() as (app, pilot):
        await open_form(pilot, "labour")
        await goto(pilot, "f-consent")
        await pilot.press("space")
        await fill(pilot, "f-name", "刘建华")
        await fill(pilot, "f-d-employer", "某建筑劳务公司")
        await fill(pilot, "f-summary", "工友反映分包单位拖欠工资，")
        await pilot.pause(AUTOSAVE_DELAY + 0.3)  # let the autosave happen
        await settle(pilot)
    # the terminal is closed: nothing saved, the draft is on disk (owner-only)
    path = home / "drafts" / "intake.json"
    assert path.exists() and (path.stat().st_mode & 0o077) == 0
    assert Drafts(home, session_for(home).sealer).load()[0]["name"] == "刘建华"

    async with station_app() as (app, pilot):
        await settle(pilot)  # offered at start, before any key
        assert isinstance(app.screen, ConfirmScreen)
        assert "是否恢复" in str(app.screen.query_one("#question").render())
        await pilot.press("y")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, IntakeScreen)
        assert screen.query_one("#f-name").value == "刘建华"
        assert screen.query_one("#f-d-employer").value == "某建筑劳务公司"
        assert screen.query_one("#f-summary").text == "工友反映分包单位拖欠工资，"
        assert screen.query_one("#f-consent").value is True
        await goto(pilot, "f-summary")
        await pilot.press("end")
        await type_text(pilot, "约60万元。")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, IntakeScreen)
    assert Drafts(home, session_for(home).sealer).load() is None
    store = opened(home)
    try:
        (row,) = store.index.newest_first()
        c = store.get(row.id)
    finally:
        store.close()
    assert c.summary == "工友反映分包单位拖欠工资，约60万元。"
    assert c.visitor.name == "刘建华" and c.visitor.consent
    assert c.details == {"employer": "某建筑劳务公司"}


async def test_quitting_right_after_typing_still_keeps_the_draft(home, station_app):
    async with station_app() as (app, pilot):
        await open_form(pilot, "fraud")
        await fill(pilot, "f-summary", "冒充公检法")
        await pilot.press("ctrl+q")  # before the autosave delay is up
    assert Drafts(home, session_for(home).sealer).load()[0]["summary"] == "冒充公检法"


async def test_declined_draft_is_deleted(home, station_app):
    Drafts(home, session_for(home).sealer).save({"category": "fraud", "summary": "旧草稿"})
    async with station_app() as (app, pilot):
        await settle(pilot)  # offered at start, before any key
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert not isinstance(app.screen, (ConfirmScreen, IntakeScreen))  # back on the dashboard
        await pilot.press("n")  # a new form now starts empty, with no second question
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen)
        assert app.focused.id == "category-list"
    assert Drafts(home, session_for(home).sealer).load() is None


async def test_draft_can_be_offered_at_start(home, station_app):
    Drafts(home, session_for(home).sealer).save({"category": "other", "anonymous": True, "summary": "举报非法采砂"})
    async with station_app() as (app, pilot):
        await settle(pilot)  # the app offers it by itself once its store is open
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen)
        assert app.screen.query_one("#f-summary").text == "举报非法采砂"
        assert app.screen.query_one("#f-name").disabled


async def test_bad_phone_and_missing_summary_are_shown_next_to_their_fields(home, station_app):
    async with station_app() as (app, pilot):
        await open_form(pilot, "other")
        await goto(pilot, "f-consent")
        await pilot.press("space")
        await fill(pilot, "f-name", "张三")
        await fill(pilot, "f-phone", "12345")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen)
        assert "手机号应为11位数字" in error_text(app, "f-phone")
        assert error_text(app, "f-summary") == "事由摘要必填"
        assert error_text(app, "f-name") == ""
        assert app.focused.id == "f-phone"  # the first bad field
        # the message sits right under its field
        phone, err = app.screen.query_one("#f-phone"), app.screen.query_one("#err-f-phone")
        assert err.region.y == phone.region.bottom and err.region.x >= phone.region.x - 1
        # live language switch: the messages on screen switch too
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert "11 digits" in error_text(app, "f-phone")
        assert error_text(app, "f-summary") == "a summary is required"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "11 digits" in error_text(app, "f-phone")
        assert error_text(app, "f-summary") == "a summary is required"
        assert str(app.screen.query_one("#l-f-summary").render()) == "Summary"
        # fixing a field clears its message
        await goto(pilot, "f-phone")
        await type_text(pilot, "13800001234")
        assert error_text(app, "f-phone") == ""
    store = opened(home)
    assert store.index.newest_first() == []  # nothing was saved
    store.close()


async def test_name_without_consent_is_refused_at_the_consent_box(station_app):
    async with station_app() as (app, pilot):
        await open_form(pilot, "neighbour")
        await fill(pilot, "f-name", "钱先生")
        await fill(pilot, "f-summary", "邻里噪音")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "须征得来访人同意" in error_text(app, "f-consent")
        assert app.focused.id == "f-consent"
        await pilot.press("space", "ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, IntakeScreen)


async def test_anonymous_clears_and_disables_name_and_phone(station_app):
    async with station_app() as (app, pilot):
        await open_form(pilot, "other")
        await goto(pilot, "f-consent")
        await pilot.press("space")
        await fill(pilot, "f-name", "某人")
        await fill(pilot, "f-phone", "13800001234")
        await pilot.press("ctrl+a")
        await pilot.pause()
        s = app.screen
        assert app.focused.id == "f-party"  # off the field that was just closed
        assert s.query_one("#f-anonymous").value
        assert s.query_one("#f-name").value == "" and s.query_one("#f-name").disabled
        assert s.query_one("#f-phone").value == "" and s.query_one("#f-phone").disabled
        assert not s.query_one("#f-consent").value
        await pilot.press("ctrl+a")
        await pilot.pause()
        assert not s.query_one("#f-name").disabled


async def test_category_step_shows_only_that_categorys_details_and_footer_keys(station_app):
    async with station_app() as (app, pilot):
        await pilot.press("n")
        await settle(pilot)
        keys = {b.binding.key for b in app.screen.active_bindings.values() if b.enabled and b.binding.show}
        assert "escape" in keys and "ctrl+s" not in keys  # nothing to save yet
        await pilot.press("down", "down", "enter")  # arrows + Enter: rider
        await pilot.pause()
        s = app.screen
        shown = [k for k in ("project", "issue", "employer", "workers", "amount_owed", "platform", "delivery_site")
                 if s.query_one(f"#row-f-d-{k}").display]
        assert shown == ["issue", "platform", "delivery_site"]
        footer = {b.binding.key: b.binding.description for b in s.active_bindings.values() if b.binding.show}
        assert footer["ctrl+s"] == "保存" and footer["ctrl+a"] == "匿名"
        assert footer["f5"] == "+1周" and footer["f6"] == "+2周" and footer["escape"] == "返回"
        bar = str(s.query_one("KeyBar").render())
        assert all(f" {k} {d}" in bar for k, d in (("^s", "保存"), ("^a", "匿名"), ("f5", "+1周"), ("f6", "+2周")))
        await pilot.press("f5")
        assert s.query_one("#f-follow").value == "2026-12-05"


async def test_edit_mode_saves_a_new_version(home, station_app):
    store = opened(home)
    m = dict(scenario("S2")[1])
    m.pop("notes")
    c = store.create(fields_from_input(m, officer="王检察官"))
    store.close()
    async with station_app() as (app, pilot):
        app.push_screen(IntakeScreen(edit=c))
        await settle(pilot)
        s = app.screen
        assert s.query_one("#f-party").value == "27"
        assert s.query_one("#f-d-amount_owed").value == "600000"
        assert app.focused.id == "f-summary"
        await pilot.press("end")
        await type_text(pilot, "（已核实）")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, IntakeScreen)
    store = opened(home)
    again = store.get(c.id)
    store.close()
    assert again.version == 2
    assert again.summary == c.summary + "（已核实）"
    assert again.visited_at == c.visited_at and again.details == c.details and again.referrals == c.referrals
    assert not (home / "drafts" / "intake.json").exists()  # edits keep no draft


def test_dates_are_read_the_way_officers_type_them():
    from liaison.tui.widgets.intake_values import follow_up_date, visit_time

    visit = date(2026, 11, 9)
    assert follow_up_date("+2w", visit) == follow_up_date("+2周", visit) == "2026-11-23"
    assert follow_up_date("+10", visit) == follow_up_date("+10天", visit) == "2026-11-19"
    assert follow_up_date("2026/12/1", visit) == follow_up_date("2026年12月1日", visit) == "2026-12-01"
    assert follow_up_date("next week", visit) == "next week"  # left for the domain to refuse
    assert visit_time("2026.11.9 9:40") == "2026-11-09T09:40:00"
    assert visit_time("2026-11-09") == "2026-11-09T00:00:00"


async def test_enter_on_the_draft_question_keeps_the_draft(home, station_app):
    """Prompts default to the answer that loses nothing: for "restore the unsaved
    consultation?" that is yes (no deletes the draft), so plain Enter restores it."""
    Drafts(home, session_for(home).sealer).save({"category": "fraud", "summary": "冒充客服退款"})
    async with station_app() as (app, pilot):
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen)
        assert app.screen.query_one("#f-summary").text == "冒充客服退款"
    assert Drafts(home, session_for(home).sealer).load() is not None
