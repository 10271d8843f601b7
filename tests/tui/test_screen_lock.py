"""The station app's privacy, as the officer and a passer-by meet it: the unlock screen
(each officer, wrong PIN, the first officer's set-up, the demo's hint), locking on
ctrl+l and when idle with the half-typed form kept sealed, the resident-facing QR view,
masked lists, and the audit entries written from the screens."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

import pytest
from textual.widgets import Input

from liaison.demo import DEMO_PIN, seed_demo
from liaison.domain.masking import mask_name, mask_phone
from liaison.security.keyring import Keyring
from liaison.store import Store
from liaison.store.drafts import Drafts
from liaison.tui.app import build_app
from liaison.tui.screens.dashboard import DashboardScreen
from liaison.tui.screens.detail import DetailScreen
from liaison.tui.screens.intake import IntakeScreen
from liaison.tui.screens.qr import QrCode, ResidentScreen
from liaison.tui.screens.unlock import UnlockScreen
from liaison.tui.screens.unlock_setup import RecoveryCodeScreen
from tests.tui.unlocked import OFFICER, PIN, audit_entries, opened, screen_text, settle, toast_texts, type_text, until

TODAY = date(2026, 11, 28)
SIZE = (120, 40)
SECOND, SECOND_PIN = "陆检察官", "river-5150-moon"
WRONG_PIN_TEXT = "警员或 PIN 不正确"


def personal(seeded: dict) -> list[str]:
    """Every full name and phone number of the seeded records."""
    out = []
    for c in seeded.values():
        out += [x for x in (c.visitor.name, c.visitor.phone) if x]
    assert len(out) >= 4
    return out


async def unlock_as(app, pilot, officer: str, pin: str) -> None:
    """Type officer and PIN into the unlock screen and press Enter; wait for the result."""
    screen = app.screen
    assert isinstance(screen, UnlockScreen)
    await until(pilot, lambda: bool(screen.query("#u-officer")))  # pushed, perhaps not yet composed
    box = screen.query_one("#u-officer", Input)
    box.value = ""
    box.focus()
    await type_text(pilot, officer)
    await pilot.press("enter")  # on to the PIN
    assert app.focused.id == "u-pin"
    await type_text(pilot, pin)
    await pilot.press("enter")
    await until(pilot, lambda: not screen.busy or screen not in app.screen_stack)
    await settle(app, pilot)


def add_second_officer(home: Path) -> None:
    Keyring.open(home).add_officer(OFFICER, PIN, SECOND, SECOND_PIN)


# -- unlocking ------------------------------------------------------------------------------
async def test_each_officer_unlocks_and_is_the_one_who_writes(home, seeded):
    add_second_officer(home)
    for officer, pin in ((OFFICER, PIN), (SECOND, SECOND_PIN)):
        app = build_app(home, today=TODAY)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(app, pilot)
            assert isinstance(app.screen, UnlockScreen) and app.locked and app.store is None
            text = screen_text(app)
            assert "已锁定" in text and "枫桥远坊" in text
            assert OFFICER in text and SECOND in text  # the officers to pick from (↑↓)
            assert not any(p in text for p in personal(seeded))
            await unlock_as(app, pilot, officer, pin)
            await until(pilot, lambda app=app: not app.locked)
            await settle(app, pilot)
            assert isinstance(app.screen, DashboardScreen)
            assert app.session.officer == officer and app.store.officer == officer
    unlocks = [e["officer"] for e in audit_entries(home) if e["action"] == "unlock"]
    assert unlocks[-2:] == [OFFICER, SECOND]


async def test_arrow_keys_pick_an_officer(home):
    add_second_officer(home)
    app = build_app(home, today=TODAY)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        box = app.screen.query_one("#u-officer", Input)
        assert box.value == ""  # two officers: nobody is assumed
        await pilot.press("down")
        assert box.value == OFFICER  # the keyring's order: by name
        await pilot.press("down")
        assert box.value == SECOND
        await pilot.press("down")
        assert box.value == OFFICER  # round again
        await pilot.press("up")
        assert box.value == SECOND


async def test_wrong_pin_is_refused_and_the_app_stays_locked(home, seeded):
    app = build_app(home, today=TODAY)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        await unlock_as(app, pilot, OFFICER, "not-the-pin-42")
        screen = app.screen
        assert isinstance(screen, UnlockScreen) and app.locked and app.store is None and app.session is None
        message = str(screen.query_one("#u-message").render())
        assert WRONG_PIN_TEXT in message
        assert screen.query_one("#u-pin", Input).value == ""  # typed again from scratch
        # An unknown name gets the very same answer: nothing tells which part was wrong.
        await unlock_as(app, pilot, "不存在的人", PIN)
        assert str(screen.query_one("#u-message").render()) == message
        # The app's keys do nothing while locked; the palette does not open either.
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert app.screen is screen
        assert not any(p in screen_text(app) for p in personal(seeded))
    failed = [e for e in audit_entries(home) if e["action"] == "unlock_failed"]
    # A known officer is named; an unknown name is not written (it may be a PIN typed there).
    assert [e["officer"] for e in failed][-2:] == [OFFICER, ""]


async def test_first_officer_is_set_up_on_a_plain_station(tmp_path):
    home = tmp_path / "plain"
    Store.init(home, station="fengqiao-yuanfang", code="FQYF", officer="王检察官").close()
    app = build_app(home, today=TODAY)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, UnlockScreen) and screen.mode == "setup"
        assert "设置第一名警员" in screen_text(app)
        await type_text(pilot, "周检察官")
        await pilot.press("enter")
        await type_text(pilot, "123456")
        await pilot.press("enter")
        await type_text(pilot, "123456")
        await pilot.press("enter")
        assert "太容易被猜到" in str(screen.query_one("#u-message").render())  # check_pin's reason
        assert not Keyring.exists(home)
        await type_text(pilot, "maple-7321-hall")
        await pilot.press("tab")
        await type_text(pilot, "maple-7321-hallX")
        await pilot.press("enter")
        assert "不一致" in str(screen.query_one("#u-message").render())
        await type_text(pilot, "maple-7321-hall")
        await pilot.press("tab")
        await type_text(pilot, "maple-7321-hall")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, RecoveryCodeScreen))
        code = app.screen.code
        assert code in screen_text(app) and len(code.split("-")) == 6
        await pilot.press("escape", "enter")  # habit keys do not close it: the code would be lost
        assert isinstance(app.screen, RecoveryCodeScreen)
        await pilot.press("y")
        await until(pilot, lambda: not app.locked)
        await settle(app, pilot)
        assert isinstance(app.screen, DashboardScreen) and app.session.officer == "周检察官"
    assert Keyring.exists(home)
    with pytest.raises(Exception, match="加密|encrypted|PIN"):
        Store.open(home)  # sealed by the first unlock: no key, no records
    Keyring.open(home).reset_pin("周检察官", code, "new-pin-8080x")  # the code shown works


async def test_demo_folder_shows_the_demo_officer_and_pin(tmp_path):
    home = seed_demo(tmp_path, on=TODAY)["fengqiao-yuanfang"]
    app = build_app(home, today=TODAY)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        assert f"演示数据：警员 王检察官 · PIN {DEMO_PIN}" in screen_text(app)
        assert app.screen.query_one("#u-officer", Input).value == "王检察官"  # the only officer
        app.screen.query_one("#u-pin", Input).focus()
        await type_text(pilot, DEMO_PIN)
        await pilot.press("enter")
        await until(pilot, lambda: not app.locked)


async def test_a_real_station_shows_no_demo_hint(home):
    app = build_app(home, today=TODAY)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        assert "演示" not in screen_text(app) and DEMO_PIN not in screen_text(app)


# -- locking ---------------------------------------------------------------------------------
async def test_idle_lock_hides_everything_and_the_half_typed_form_returns(home, session, seeded):
    add_second_officer(home)
    app = build_app(home, session=session, today=TODAY, idle_lock=0.5)  # not station_app: it would wait past the lock
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await until(pilot, lambda: app.store is not None)
        await until(pilot, lambda: app.locked, seconds=5)  # nobody touched a key since the start
        assert isinstance(app.screen, UnlockScreen)
        app.idle_lock = 3600.0  # an officer typing (the test types slower than a person)
        await unlock_as(app, pilot, OFFICER, PIN)
        await until(pilot, lambda: not app.locked)
        await pilot.press("n", "2")  # a new consultation, 劳资/欠薪
        await pilot.pause()
        form = app.screen
        assert isinstance(form, IntakeScreen)
        await pilot.press("space")  # the consent box has the focus first
        await pilot.press("tab")
        await type_text(pilot, "钱小梅")
        assert form.query_one("#f-name", Input).value == "钱小梅"
        app.idle_lock = 0.5
        await until(pilot, lambda: app.locked, seconds=5)  # nobody touches the keys
        app.idle_lock = 3600.0  # no second lock while this test looks at the screen
        await settle(app, pilot)
        assert isinstance(app.screen, UnlockScreen)
        assert form not in app.screen_stack  # the form was closed …
        text = screen_text(app)
        for secret in personal(seeded) + ["钱小梅"]:
            assert secret not in text
        assert "已锁定" in text and "枫桥远坊" in text
        # … and its input sealed on disk: the draft does not contain the name in clear.
        raw = (home / "drafts" / "intake.json").read_bytes()
        assert "钱小梅".encode() not in raw
        assert Drafts(home, session.sealer).load()[0]["name"] == "钱小梅"
        locks = [e for e in audit_entries(home) if e["action"] == "lock"]
        assert len(locks) == 2 and locks[-1]["officer"] == OFFICER

        await unlock_as(app, pilot, SECOND, SECOND_PIN)  # another officer takes over
        await until(pilot, lambda: not app.locked)
        await settle(app, pilot)
        back = app.screen
        assert isinstance(back, IntakeScreen) and back is not form
        assert back.query_one("#f-name", Input).value == "钱小梅"
        assert back.query_one("#f-consent").value is True
        assert back.form.category == "labour"
        assert app.session.officer == SECOND
        back.query_one("#f-summary").focus()
        await type_text(pilot, "工地拖欠工资")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert not isinstance(app.screen, IntakeScreen)
    store = opened(home)
    try:
        saved = [store.get(r.id) for r in store.index.newest_first() if r.name == "钱小梅"]
    finally:
        store.close()
    assert [c.officer for c in saved] == [SECOND]  # the record carries who unlocked
    assert not (home / "drafts" / "intake.json").exists()
    created = [e for e in audit_entries(home) if e["action"] == "create"]
    assert created[-1]["officer"] == SECOND and created[-1]["target"] == saved[0].ref


async def test_ctrl_l_locks_from_the_detail_screen_and_keys_do_nothing_until_unlocked(home, seeded, station_app):
    s1 = seeded["S1"]
    async with station_app() as (app, pilot):
        await until(pilot, lambda: app.store is not None)
        await settle(app, pilot)
        app.open_detail(s1.id)
        await settle(app, pilot)
        detail = app.screen
        assert isinstance(detail, DetailScreen) and "陈秀英" in screen_text(app)
        await pilot.press("ctrl+l")
        await settle(app, pilot)
        assert isinstance(app.screen, UnlockScreen) and app.locked
        assert app.screen.query_one("#u-officer", Input).value == OFFICER  # who locked, prefilled
        text = screen_text(app)
        assert "陈秀英" not in text and "13800001234" not in text and s1.summary[:6] not in text
        app.open_detail(s1.id)  # e.g. a late reply: nothing is pushed over the lock
        await pilot.press("f9", "ctrl+l")
        await settle(app, pilot)
        assert isinstance(app.screen, UnlockScreen)
        lock = [e for e in audit_entries(home) if e["action"] == "lock"]
        assert len(lock) == 1 and lock[0]["officer"] == OFFICER
        app.screen.query_one("#u-pin", Input).focus()
        await type_text(pilot, PIN)
        await pilot.press("enter")
        await until(pilot, lambda: not app.locked)
        await settle(app, pilot)
        assert app.screen is detail  # where the officer was
        assert "陈秀英" in screen_text(app)


async def test_another_officer_starts_at_the_dashboard_and_nothing_held_leaks(home, session, seeded, station_app):
    """A's open record, a screen pushed and a notice raised while locked (a late reply
    naming a resident) are A's: B, unlocking, sees none of them without opening them."""
    add_second_officer(home)
    s1 = seeded["S1"]
    async with station_app() as (app, pilot):
        await until(pilot, lambda: app.store is not None)
        await settle(app, pilot)
        app.open_detail(s1.id)
        await settle(app, pilot)
        await pilot.press("ctrl+l")
        await settle(app, pilot)
        # What a worker's reply does while the screen is locked (the app's own way in):
        app.open_screen(DetailScreen(s1.id))  # held: the lock stays on top
        app.open_screen("consultations") if app.is_screen_installed("consultations") else None
        app.notice(f"已保存 {s1.visitor.name}")  # held: a toast could name a resident
        await settle(app, pilot)
        assert isinstance(app.screen, UnlockScreen) and "陈秀英" not in screen_text(app)
        await unlock_as(app, pilot, SECOND, SECOND_PIN)
        await until(pilot, lambda: not app.locked)
        await settle(app, pilot)
        assert isinstance(app.screen, DashboardScreen) and len(app.screen_stack) == 1
        assert app.session.officer == SECOND and "陈秀英" not in screen_text(app)
        assert not any("陈秀英" in t for t in toast_texts(app))
    # The same officer, by contrast, gets back what was held (see the ctrl+l test).


async def test_setup_shows_the_recovery_code_even_if_the_next_step_fails(tmp_path, monkeypatch):
    """Fault injected on purpose: the audit log refuses the officer_add entry after the
    keyring was created. The code exists nowhere else, so it must still be shown."""
    from liaison.security.audit import AuditLog

    home = tmp_path / "plain"
    Store.init(home, station="fengqiao-yuanfang", code="FQYF", officer="王检察官").close()

    def refuse(*a, **k):
        raise OSError("injected: audit log unwritable")
    monkeypatch.setattr(AuditLog, "record", refuse)
    app = build_app(home, today=TODAY)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        await type_text(pilot, "周检察官")
        await pilot.press("enter")
        await type_text(pilot, "maple-7321-hall")
        await pilot.press("tab")
        await type_text(pilot, "maple-7321-hall")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, RecoveryCodeScreen))
        code = app.screen.code
        await pilot.press("y")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, UnlockScreen) and screen.mode == "start" and app.locked
        assert "injected" in str(screen.query_one("#u-message").render())
    Keyring.open(home).reset_pin("周检察官", code, "new-pin-8080x")  # the code shown works


async def test_escape_on_the_lock_screen_only_clears_the_pin(station_app):
    async with station_app() as (app, pilot):
        await until(pilot, lambda: app.store is not None)
        await pilot.press("ctrl+l")
        await pilot.pause()
        await type_text(pilot, "half")
        await pilot.press("escape")
        assert isinstance(app.screen, UnlockScreen) and app.locked
        assert app.screen.query_one("#u-pin", Input).value == ""


async def test_f1_help_is_shown_on_the_lock_screen_and_esc_returns_to_it(seeded, station_app):
    """Case 6: F1 help always visible — also on the lock screen, where a new officer
    most needs it; help shows keys, never a record, and the app stays locked."""
    from liaison.tui.screens.help import HelpScreen

    async with station_app(size=(80, 24)) as (app, pilot):
        await until(pilot, lambda: app.store is not None)
        await pilot.press("ctrl+l")
        await settle(app, pilot)
        lock = app.screen
        assert isinstance(lock, UnlockScreen)
        assert "f1" in screen_text(app).lower() and "帮助" in screen_text(app)  # in the key bar
        await pilot.press("f1")
        await settle(app, pilot)
        assert isinstance(app.screen, HelpScreen) and app.locked
        text = screen_text(app)
        assert "ctrl+l" in text and not any(p in text for p in personal(seeded))
        await pilot.press("n", "l")  # the app's keys stay refused under help
        await settle(app, pilot)
        assert isinstance(app.screen, HelpScreen) and app.locked
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is lock and app.locked
        await unlock_as(app, pilot, OFFICER, PIN)
        await until(pilot, lambda: not app.locked)
        await settle(app, pilot)
        assert isinstance(app.screen, DashboardScreen)


async def test_f1_shows_no_officer_help_in_the_resident_view(station_app):
    async with station_app(size=(80, 24)) as (app, pilot):
        await until(pilot, lambda: app.store is not None)
        await pilot.press("f9")
        await settle(app, pilot)
        screen = app.screen
        await pilot.press("f1")
        await settle(app, pilot)
        assert app.screen is screen and isinstance(screen, ResidentScreen)


# -- resident-facing view ------------------------------------------------------------------
async def test_resident_view_shows_only_the_code_and_needs_a_pin_to_leave(seeded, station_app):
    from liaison.profiles import get_station, office_for
    from liaison.qr.payloads import service_payload

    async with station_app(size=(120, 50)) as (app, pilot):
        await until(pilot, lambda: app.store is not None)
        await settle(app, pilot)
        await pilot.press("f9")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ResidentScreen) and app.locked and app.resident
        st = get_station("fengqiao-yuanfang")
        assert screen.payload == service_payload(st, office_for(st))
        assert screen.query_one(QrCode).lines
        text = screen_text(app)
        assert st.name in text and "微信扫一扫" in text
        assert "Esc" not in text and "新建" not in text and "^q" not in text  # no keys, no key bar
        assert not any(p in text for p in personal(seeded))
        await pilot.press("n", "l", "ctrl+q")  # a resident's keys: nothing happens, no quitting
        await settle(app, pilot)
        assert app.screen is screen and app.is_running
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, UnlockScreen) and app.screen.mode == "resident"
        await pilot.press("escape")  # back to the code
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("enter")
        await pilot.pause()
        await unlock_as(app, pilot, OFFICER, "wrong-pin-000x")
        assert isinstance(app.screen, UnlockScreen) and app.resident
        await unlock_as(app, pilot, OFFICER, PIN)
        await until(pilot, lambda: not app.locked)
        await settle(app, pilot)
        assert isinstance(app.screen, DashboardScreen) and not app.resident


# -- masking and audit --------------------------------------------------------------------
async def test_dashboard_list_and_follow_ups_show_masked_names_and_phones(seeded, station_app):
    async with station_app() as (app, pilot):
        await until(pilot, lambda: app.store is not None)
        await settle(app, pilot)
        for key in (None, "f", "escape", "l"):
            if key:
                await pilot.press(key)
                await settle(app, pilot)
            if key == "escape":
                continue
            text = screen_text(app)
            assert mask_phone("13800001234") in text and mask_name("陈秀英") in text, key
            assert not any(p in text for p in personal(seeded)), key


async def test_detail_view_edit_and_delete_are_audited(home, seeded, station_app):
    s1, s9 = seeded["S1"], seeded["S9"]
    async with station_app() as (app, pilot):
        await until(pilot, lambda: app.store is not None)
        app.open_detail(s1.id)
        await settle(app, pilot)
        await pilot.press("s", "4")  # status: resolved
        await settle(app, pilot)
        await pilot.press("escape")
        await settle(app, pilot)
        app.open_detail(s9.id)
        await settle(app, pilot)
        await pilot.press("delete", "y")
        await settle(app, pilot)
    mine = [(e["action"], e["target"]) for e in audit_entries(home)
            if e["officer"] == OFFICER and e["action"] in ("view", "edit", "delete")]
    assert mine == [("view", s1.ref), ("edit", s1.ref), ("view", s9.ref), ("delete", s9.ref)]


# -- the command ------------------------------------------------------------------------------
def test_ui_command_takes_the_lock_time():
    from liaison.cli import ui_cmd

    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    ui_cmd.register(sub, argparse.ArgumentParser(add_help=False))
    assert parser.parse_args(["ui", "--lock-after", "90"]).lock_after == 90.0
    assert parser.parse_args(["ui"]).lock_after is None
    with pytest.raises(SystemExit):
        parser.parse_args(["ui", "--lock-after", "1"])  # too short to work with
    with pytest.raises(SystemExit):
        parser.parse_args(["ui", "--lock-after", "never"])


def test_ui_command_passes_the_lock_time_to_the_app(tmp_path, monkeypatch):
    """What `liaison ui --lock-after 90` starts: the app itself is replaced by a stand-in
    that records its arguments (opening a real terminal UI is not possible here)."""
    import liaison.tui.app as tui_app
    from liaison.cli import main

    home = tmp_path / "h"
    Store.init(home, station="fengqiao-yuanfang", code="FQYF", officer=OFFICER).close()
    got = {}

    class StandIn:
        def run(self):
            return None

    def fake_build(h, **kw):
        got.update(kw, home=h)
        return StandIn()
    monkeypatch.setattr(tui_app, "build_app", fake_build)
    monkeypatch.delenv("LIAISON_LOCK_AFTER", raising=False)
    assert main(["--home", str(home), "ui", "--lock-after", "90"]) == 0
    assert got["idle_lock"] == 90.0 and got["home"] == home
    assert main(["--home", str(home), "ui"]) == 0
    assert got["idle_lock"] == 300.0


def test_lock_time_from_the_environment(monkeypatch):
    from liaison.cli import ui_cmd

    monkeypatch.setenv("LIAISON_LOCK_AFTER", "120")
    assert ui_cmd.default_lock_after() == 120.0
    monkeypatch.setenv("LIAISON_LOCK_AFTER", "0")  # not "never": the default applies
    assert ui_cmd.default_lock_after() == ui_cmd.DEFAULT_LOCK_AFTER
