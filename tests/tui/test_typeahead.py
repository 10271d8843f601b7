"""Type-ahead (issue 13, cases 1–3): keys typed back to back, with no pause for a screen
to mount, a form to switch step or a PIN to be checked, all land where they were meant.

Every walk-in is one burst: the key events are posted to the app back to back, the way
a terminal's input arrives, without `pilot.press`'s wait for the app to go idle after
each key (which hides exactly the bugs tested here). Chinese text is a key per
character, as an input method commits it.
"""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta

from textual import events
from textual.widgets import Input

from liaison.domain.vocab import CATEGORIES, CATEGORY_DETAILS, STATUSES
from liaison.tui.app import build_app
from liaison.tui.screens.consultations import ConsultationsScreen
from liaison.tui.screens.detail import DetailScreen
from liaison.tui.screens.intake import IntakeScreen
from liaison.tui.screens.unlock import UnlockScreen
from liaison.tui.screens.unlock_setup import RecoveryCodeScreen
from liaison.tui.widgets.record_list import RecordList
from tests.tui.unlocked import OFFICER, PIN, keys_taken, opened, settle, until

TODAY = date(2026, 11, 28)
SIZE = (80, 24)

# S1, S2, S6 and an H-style walk-in (a quick neighbour visit), as an officer types them.
# Text without punctuation: each character is one key press.
WALK_INS = {
    "S1": dict(category="relocation", name="陈秀英", phone="13800001234", party=1,
               details={"project": "228街坊旧改地块", "issue": "亭子间是否计入认定面积"},
               summary="陈阿姨72岁 亭子间未计入居住面积", requests="重新认定面积并补偿",
               advice="六十日内可申请行政复议", referral="admin_resolution", weeks=2),
    "S2": dict(category="labour", name="刘建国", phone="13900002222", party=27,
               details={"employer": "某建筑劳务公司", "workers": "27", "amount_owed": "600000"},
               summary="27名工人被拖欠工资约60万元", requests="尽快拿到工资",
               advice="由总包单位先行垫付", referral="labour_inspection", weeks=1),
    "S6": dict(category="neighbour", name="钱明", phone="13700003333", party=1, details={},
               summary="楼上孩子跑跳和狗叫 已有一次冲突", requests="在变成刑事案件前调解",
               advice="建议人民调解", referral="mediation", weeks=2),
    "H": dict(category="neighbour", name="何伟", phone="13600004444", party=2, details={},
              summary="停车互相堵车 当场调解", requests="不再堵车", advice="当场调解",
              referral="mediation", weeks=1),
}


# Fields the form hides for a category (labour asks one head-count: the party size), and
# what the officer types into the referral filter to reach each referral.
HIDDEN = {"labour": ("workers",)}
REFERRAL_WORDS = {"admin_resolution": "行政", "labour_inspection": "劳动", "mediation": "调解"}


# What a terminal sends as the character of a named key (None: no character).
CHARACTERS = {"space": " ", "tab": "\t", "enter": "\r", "backspace": "\x7f", "escape": "\x1b",
              "ctrl+s": "\x13"}


def send(app, *keys: str) -> None:
    """Post `keys` to the app back to back, as a terminal's input arrives."""
    for key in keys:
        character = CHARACTERS.get(key, key if len(key) == 1 else None)
        app.post_message(events.Key(key, character))


async def burst(pilot, *keys: str) -> None:
    """Send `keys` back to back (no pause in between), then let the app catch up."""
    send(pilot.app, *keys)
    await keys_taken(pilot)


def walk_in_keys(w: dict) -> list[str]:
    """From the dashboard to the saved record: every key, in order."""
    keys = ["n", str(list(CATEGORIES).index(w["category"]) + 1)]  # the form opens on the consent box
    keys += ["space", "tab", *w["name"], "tab", *w["phone"], "tab", "end", "backspace", *str(w["party"])]
    for key in CATEGORY_DETAILS.get(w["category"], ()):
        if key in HIDDEN.get(w["category"], ()):
            continue
        keys += ["tab", *w["details"].get(key, "")]
    for text in ("summary", "requests", "advice"):
        keys += ["tab", *w[text]]
    keys += ["tab", *REFERRAL_WORDS[w["referral"]], "enter"]  # the referral filter: Enter ticks the best match
    keys += ["f6" if w["weeks"] == 2 else "f5", "ctrl+s"]
    return keys


def assert_saved(c, w: dict, visit: date) -> None:
    assert c.category == w["category"]
    assert c.visitor.name == w["name"] and c.visitor.phone == w["phone"]
    assert c.visitor.consent and not c.visitor.anonymous
    assert c.visitor.party_size == w["party"]
    assert {k: str(v) for k, v in c.details.items()} == w["details"]
    assert (c.summary, c.requests, c.advice) == (w["summary"], w["requests"], w["advice"])
    assert c.referrals == (w["referral"],)
    assert c.status == "open" and not c.clue.flag
    assert c.follow_up_on == visit + timedelta(weeks=w["weeks"])
    assert c.officer == OFFICER


def records(home):
    store = opened(home)
    try:
        return [store.get(r.id) for r in sorted(store.index.newest_first(), key=lambda r: r.seq)]
    finally:
        store.close()


async def test_walk_ins_typed_back_to_back_are_saved_field_for_field(home, station_app):
    async with station_app(notifications=False) as (app, pilot):
        for w in WALK_INS.values():
            await burst(pilot, *walk_in_keys(w))
            await until(pilot, lambda: not isinstance(app.screen, IntakeScreen))
            await settle(app, pilot)
    saved = records(home)
    assert len(saved) == len(WALK_INS)
    for c, w in zip(saved, WALK_INS.values(), strict=True):
        assert_saved(c, w, TODAY)


async def test_next_visitor_typed_straight_after_ctrl_s_is_saved_too(home, station_app):
    """Two walk-ins in one burst: the second starts (`n`) right after the first one's
    Ctrl+S, while that record is being written. Its keys wait for the form to close and
    open the next one; both records are saved whole (the second was lost)."""
    async with station_app(notifications=False) as (app, pilot):
        await burst(pilot, *walk_in_keys(WALK_INS["H"]), *walk_in_keys(WALK_INS["S6"]))
        await until(pilot, lambda: len(app.store.index.newest_first()) == 2, seconds=30)
        await until(pilot, lambda: not isinstance(app.screen, IntakeScreen))
        await settle(app, pilot)
    first, second = records(home)
    assert_saved(first, WALK_INS["H"], TODAY)
    assert_saved(second, WALK_INS["S6"], TODAY)


async def test_name_typed_right_after_the_category_is_kept(station_app):
    """Case 1: `n`, the category, Tab and the name at once: the name is not dropped."""
    async with station_app(notifications=False) as (app, pilot):
        await burst(pilot, "n", "4", "tab", *"甲乙丙")
        await settle(app, pilot)
        assert app.screen.query_one("#f-name", Input).value == "甲乙丙"


async def test_keys_typed_after_unlocking_open_the_form(home):
    """Case 1, from the unlock screen: PIN, Enter, `n`, the category and the name in one go."""
    app = build_app(home, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await burst(pilot, *PIN, "enter", "n", "4", "space", "tab", *"甲乙丙")
        await until(pilot, lambda: isinstance(app.screen, IntakeScreen))
        await settle(app, pilot)
        assert app.screen.query_one("#f-name", Input).value == "甲乙丙"
        assert app.screen.form.category == "neighbour"


async def test_right_pin_typed_while_a_wrong_one_is_checked_unlocks(home):
    """Case 2: two wrong PINs, then the right PIN and Enter typed while "正在验证…" shows."""
    app = build_app(home, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, UnlockScreen) and app.focused.id == "u-pin"
        await burst(pilot, *"wrong-pin-1", "enter")
        await until(pilot, lambda: not app.screen.busy)
        # The second wrong PIN is checked (with its back-off) while the right one is typed.
        await burst(pilot, *"wrong-pin-2", "enter", *PIN, "enter")
        assert app.screen.busy or not app.locked
        await until(pilot, lambda: not app.locked, seconds=30)
        await settle(app, pilot)
        assert not isinstance(app.screen, UnlockScreen)
        assert app.session is not None and app.session.officer == OFFICER


def arriving_at(app, target, name: str, keys: list[str]) -> None:
    """Fault injected on purpose: `keys` reach the app just as its method `name` runs (the
    unlock finishing, a refusal shown), before it has dealt with them. On a loaded
    machine a terminal's keys arrive at such moments by themselves (the real-terminal
    walk-in, test_typeahead_tmux, lost or reordered them so)."""
    method = getattr(target, name)

    def late(*args, **kw):
        setattr(target, name, method)
        send(app, *keys)
        return method(*args, **kw)
    setattr(target, name, late)


async def test_a_pin_typed_while_the_app_starts_unlocks_it(home):
    """The officer types the PIN and Enter as soon as they have launched the app: the
    terminal holds the keys until the app reads them, and they reach it while it builds
    its first screen (injected there on purpose). The first keys went to a screen not yet
    mounted, with nothing focused, and were lost (in tmux: 8 of a 9-character PIN)."""
    app = build_app(home, today=TODAY)
    arriving_at(app, app, "get_default_screen", [*PIN, "enter"])
    async with app.run_test(size=SIZE, notifications=False) as pilot:
        await until(pilot, lambda: not app.locked, seconds=30)
        await settle(app, pilot)
        assert app.session is not None and app.session.officer == OFFICER


async def test_keys_arriving_as_the_unlock_finishes_come_after_the_held_ones(home):
    """The walk-in typed right after the PIN's Enter: its first half while the PIN is
    checked (held), its second half arriving just as the records are open. Both halves
    land in the form, in order, and the record is saved whole."""
    w = WALK_INS["H"]
    keys = walk_in_keys(w)
    half = keys.index("tab", keys.index("tab", len(keys) // 2) + 1)  # mid-field: both halves hold text
    app = build_app(home, today=TODAY)
    arriving_at(app, app, "finish_unlock", keys[half:])
    async with app.run_test(size=SIZE, notifications=False) as pilot:
        await settle(app, pilot)
        await burst(pilot, *PIN, "enter", *keys[:half])
        await until(pilot, lambda: app.store is not None and len(app.store.index.newest_first()) == 1, seconds=30)
        await settle(app, pilot)
    (c,) = records(home)
    assert_saved(c, w, TODAY)


async def test_keys_arriving_as_a_refusal_shows_come_after_the_held_ones(home):
    """A wrong PIN, then the right one typed while it is checked: the first part held,
    the rest (and Enter) arriving just as the refusal shows. The PIN goes into the
    emptied field whole, in order, and unlocks."""
    app = build_app(home, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        arriving_at(app, screen, "show_error", [*PIN[4:], "enter"])
        await burst(pilot, *"wrong-pin-1", "enter", *PIN[:4])
        await until(pilot, lambda: not app.locked, seconds=30)
        await settle(app, pilot)
        assert app.session is not None and app.session.officer == OFFICER


async def test_keys_typed_during_the_first_setup_wait_for_the_recovery_code(tmp_path):
    """The first officer's setup in one burst (name, Enter, PIN, Tab, PIN again, Enter),
    with `y` and `n` typed on: the name's Enter moves to the PIN at once (the PIN once
    went on into the name), the recovery code (shown once, never again) is not answered
    by a key typed before it appeared, and once the officer confirms it the held keys
    go on (`n`: a new form)."""
    from liaison.store import Store

    home = tmp_path / "plain"
    Store.init(home, station="fengqiao-yuanfang", code="FQYF", officer=OFFICER).close()
    app = build_app(home, today=TODAY)
    async with app.run_test(size=SIZE, notifications=False) as pilot:
        await settle(app, pilot)
        await burst(pilot, *OFFICER, "enter", *PIN, "tab", *PIN, "enter", "y", "n")
        await until(pilot, lambda: isinstance(app.screen, RecoveryCodeScreen), seconds=30)
        await settle(app, pilot)
        assert isinstance(app.screen, RecoveryCodeScreen)  # still there: waiting for the officer
        await burst(pilot, "y")
        await until(pilot, lambda: isinstance(app.screen, IntakeScreen), seconds=30)
        assert app.session is not None and app.session.officer == OFFICER


async def test_a_hold_ends_only_with_its_own_release(home):
    """Holds are by owner: a form that goes away while saving (its release) does not
    end the unlock's hold, nor give back keys the unlock set aside."""
    from liaison.tui.key_backlog import SAVE, UNLOCK

    app = build_app(home, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        pin = app.screen.query_one("#u-pin", Input)
        app.hold_keys(UNLOCK)
        await burst(pilot, "a")
        app.park_keys(UNLOCK)  # "a" set aside; what follows goes on
        await burst(pilot, "b")
        app.release_keys(SAVE)  # not the one that set "a" aside
        await burst(pilot)
        assert pin.value == "b"
        app.hold_keys(SAVE)
        await burst(pilot, "c")
        app.release_keys(UNLOCK)  # "a" back in line, but the save still holds
        await burst(pilot)
        assert pin.value == "b"
        app.release_keys(SAVE)
        await burst(pilot)
        assert pin.value == "bac"  # the set-aside key first, then the held one


async def test_e_typed_while_the_record_is_read_opens_the_edit(seeded, station_app):
    """`e` typed as soon as a record's screen is up, while the record is still being read
    (the "view" audit entry's fsync made slow on purpose, as on a busy disk), waits for
    it and opens the edit form. It was dropped: the screen had no record yet to edit."""
    async with station_app(notifications=False) as (app, pilot):
        audit_now = app.audit_now

        def slow_audit(*args, **kw):
            time.sleep(0.5)
            return audit_now(*args, **kw)
        app.audit_now = slow_audit
        await burst(pilot, "l", *"工头", "enter", "enter")
        await until(pilot, lambda: isinstance(app.screen, DetailScreen))
        assert app.screen.c is None  # still reading
        await burst(pilot, "e")
        await until(pilot, lambda: isinstance(app.screen, IntakeScreen), seconds=30)
        await settle(app, pilot)
        assert app.screen.edit.id == seeded["S2"].id


async def test_a_record_searched_opened_and_edited_in_one_burst(seeded, station_app):
    """`l 工头 ⏎ ⏎ e` with no gap at all: `e` went to the list, which had not yet taken
    its Enter (the binding posts "chosen", and the record's screen opens only once that
    has reached the screen), and was lost. Each key now waits until the one before has
    been through the focused widget and its containers."""
    async with station_app(notifications=False) as (app, pilot):
        await burst(pilot, "l", *"工头", "enter", "enter", "e")
        await until(pilot, lambda: isinstance(app.screen, IntakeScreen))
        await settle(app, pilot)
        assert app.screen.edit.id == seeded["S2"].id


async def test_e_typed_while_the_first_search_is_answered_opens_that_records_edit(seeded, station_app, monkeypatch):
    """The same burst while search is still being prepared (as just after the unlock): the
    answer to 工头 comes from a worker, made slow here on purpose, and the list's Enter
    opens its first row only when it comes. `e` typed meanwhile went to the list."""
    async with station_app(notifications=False) as (app, pilot):
        index = app.store.index
        monkeypatch.setattr(type(index), "warm_ready", property(lambda self: False))
        search = index.search

        def slow_search(*args, **kw):
            if threading.current_thread() is not threading.main_thread():
                time.sleep(0.3)
            return search(*args, **kw)
        monkeypatch.setattr(index, "search", slow_search)
        await burst(pilot, "l", *"工头", "enter", "enter", "e")
        await until(pilot, lambda: isinstance(app.screen, IntakeScreen))
        await settle(app, pilot)
        assert app.screen.edit.id == seeded["S2"].id


async def test_enter_reaching_the_list_before_its_search_opens_the_searched_record(seeded, station_app):
    """`工头⏎⏎` in one burst: the list's Enter can reach the screen before the search box's
    change for the last character does. It opened the row highlighted before the search,
    the newest record of all (seen once in CI), not 工头's. The interleaving is forced here
    on purpose: the search text set and the list's Enter taken in one step, before the
    screen has heard of the change."""
    async with station_app(notifications=False) as (app, pilot):
        await burst(pilot, "l")
        await until(pilot, lambda: isinstance(app.screen, ConsultationsScreen) and app.store.index.warm_ready)
        await settle(app, pilot)
        rows = app.screen.query_one(RecordList)
        rows.focus()
        await settle(app, pilot)
        assert rows.current.id != seeded["S2"].id  # highlighted before the search: another record
        app.screen.query_one("#search", Input).value = "工头"
        rows.action_choose()
        await until(pilot, lambda: isinstance(app.screen, DetailScreen))
        assert app.screen.consultation_id == seeded["S2"].id


async def test_coming_back_to_the_list_types_into_the_search(seeded, station_app):
    """Case 3: search, open, back twice, `l` again: the search box has the focus and is
    empty, what is typed searches, and Enter opens the record highlighted for it."""
    async with station_app(notifications=False) as (app, pilot):
        await burst(pilot, "l", *"工头", "enter", "enter")
        await until(pilot, lambda: isinstance(app.screen, DetailScreen))
        await burst(pilot, "escape", "escape", "l", *"亭子间", "enter", "enter")  # one burst, no pause
        await settle(app, pilot)
        await until(pilot, lambda: isinstance(app.screen, DetailScreen))
        await settle(app, pilot)
        listed = app.get_screen("consultations")
        assert listed.query_one("#search", Input).value == "亭子间"  # the old search went
        shown = listed.query_one("#records")
        assert shown.current is not None
        assert app.screen.consultation_id == shown.current.id
        assert app.screen.consultation_id == seeded["S1"].id


async def test_status_picked_with_f2_and_its_number_in_the_same_burst(home, station_app):
    """The quick neighbour walk-in, resolved on the spot: `F2 4` typed back to back with
    the rest (the jump keys move the focus before the next key is read)."""
    w = WALK_INS["H"]
    keys = walk_in_keys(w)
    keys[-1:-1] = ["f2", str(list(STATUSES).index("resolved") + 1)]  # before ctrl+s
    async with station_app(notifications=False) as (app, pilot):
        await burst(pilot, *keys)
        await until(pilot, lambda: not isinstance(app.screen, IntakeScreen))
        await settle(app, pilot)
    (c,) = records(home)
    assert c.status == "resolved" and c.summary == w["summary"] and c.referrals == (w["referral"],)
