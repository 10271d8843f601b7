"""The unlock screen: officer + PIN, the only thing shown while the app is locked.

One screen for four moments: the start of the app (`start`), after a lock (`lock`,
by ctrl+l or when idle), leaving the resident-facing QR view (`resident`, Esc goes
back to the code), and a station that has no officers yet (`setup`: the first
officer's name and PIN twice; the recovery code is then shown once: unlock_setup.py).

It shows the station's name, "已锁定" and the form, nothing about any resident. The
PIN check runs in a thread worker (scrypt ~0.12 s, plus the growing delay after wrong
PINs, which `security.session.unlock` sleeps); a refusal shows WrongPin's own text,
the same whether the name or the PIN was wrong. On success the app takes the session
(`LiaisonApp.unlocked`), opens the records if needed and removes this screen.

Why ~350 lines: one concept, the one form that stands between the terminal and the
records, in its four modes; its type-ahead (keys typed while the PIN is checked are
held and typed again after it: tui/key_backlog.py) must fit every mode, so they stay
together. The first officer's setup is in unlock_setup.py, the facts read for the first
frame in unlock_facts.py.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from ...demo_data import DEMO_PIN  # plain constants: liaison.demo would bring the keyring (crypto)
from ..base import LiaisonScreen
from ..i18n import explain
from ..key_backlog import UNLOCK
from ..typeahead import TypeAhead, typeahead_bindings
from ..widgets.keybar import KeyBar
from .unlock_facts import clear_facts, station_name
from .unlock_setup import FirstOfficerSetup, station_facts

if TYPE_CHECKING:
    from ...security.session import Session

MODES = ("start", "lock", "resident", "setup")


class UnlockScreen(TypeAhead, FirstOfficerSetup, LiaisonScreen):
    SHOWN_WHILE_LOCKED = True

    BINDINGS = [
        # Enter (and Tab …) taken before the next key: what follows a PIN's Enter is
        # held by the app (key_backlog), never typed into the PIN being checked: after
        # a refusal it goes to the emptied PIN field (a typed Enter tries again), after
        # an unlock to the screen shown then.
        # Not ↑↓: the screen's own (switch officer), shown in the key bar.
        *typeahead_bindings(exclude=("enter", "up", "down")),
        # One key, a label per mode, declared here: `check_action` lets through the one
        # that fits the mode (the key bar shows that one; see bindings.label).
        Binding("enter", "typeahead('enter')", "解锁", id="unlock", priority=True),
        Binding("enter", "typeahead('enter', 'setup')", "设置", id="create_officer", priority=True),
        Binding("up", "officer(-1)", "换警员", id="switch_officer", key_display="↑↓"),
        Binding("down", "officer(1)", show=False),
        Binding("escape", "escape", "清除", id="clear"),
        Binding("escape", "escape('resident')", "返回", id="back"),
    ]

    def __init__(self, mode: str = "start", *, officer: str = "", station_name: str = ""):
        super().__init__()
        assert mode in MODES
        self.mode = mode
        self.officer = officer  # prefilled: the officer who locked
        self.station_name = station_name
        self.officers: list[str] = []
        self.demo_officer = ""
        self.busy = False
        self.error = ""  # the last refusal, shown until the next try
        self.info = ""  # a progress line (not an error)
        self._stop = threading.Event()  # set when the screen goes: a back-off sleep ends early

    def compose(self) -> ComposeResult:
        with Vertical(id="unlock-box"):
            yield Static(id="unlock-station")
            yield Static(id="unlock-title")
            yield Static(id="setup-info", classes="hint")
            with Horizontal(classes="unlock-row"):
                yield Label(id="l-officer", classes="unlock-label")
                yield Input(self.officer, id="u-officer", max_length=40, compact=True)
            yield Static(id="u-officers", classes="hint")
            with Horizontal(classes="unlock-row"):
                yield Label(id="l-pin", classes="unlock-label")
                yield Input(id="u-pin", password=True, max_length=128, compact=True)
            with Horizontal(classes="unlock-row", id="row-pin2"):
                yield Label(id="l-pin2", classes="unlock-label")
                yield Input(id="u-pin2", password=True, max_length=128, compact=True)
            yield Static(id="u-message")
            yield Static(id="u-demo", classes="hint")
        yield KeyBar()

    def on_mount(self) -> None:
        setup = self.mode == "setup"
        self.query_one("#row-pin2").display = setup
        self.query_one("#setup-info").display = setup
        self.query_one("#u-officers").display = False
        self.query_one("#u-demo").display = False
        # The facts before the labels and the focus: the first frame has them all, and
        # the form is labelled and focused once.
        facts = clear_facts(self.app.home, officers=not setup)
        if facts is not None:
            sid, demo, officers = facts
            self._set_facts(self.station_name, officers, self._demo_officer(sid, demo))
            if not self.station_name:
                self.call_after_refresh(self._name_station, sid)
        super().on_mount()
        # Focused now, not after a refresh (`focus()`): the facts' worker may answer
        # first, and it moves on to the PIN only from the officer's box.
        officer_box = self.query_one("#u-officer", Input)
        self.set_focus(self.query_one("#u-pin") if officer_box.value else officer_box)
        if facts is None:
            self.load_facts()  # the store and the keyring say what is wrong
        if self.mode == "start":
            # After the first frame: the records' clear parts are read while the PIN is typed.
            prepare = getattr(self.app, "prepare_first_unlock", None)
            if prepare is not None:
                self.call_after_refresh(prepare)

    def _name_station(self, sid: str) -> None:
        self.station_name = station_name(sid)
        self.query_one("#unlock-station", Static).update(Text(self.station_name, style="bold"))

    def _demo_officer(self, sid: str, demo: bool) -> str:
        if not demo or self.mode == "setup":
            return ""
        from ...demo_data import DEMO_OFFICERS  # here: the scenarios' data, a demo station's only

        return DEMO_OFFICERS.get(sid, "")

    def on_unmount(self) -> None:
        self._stop.set()

    @work(thread=True, exit_on_error=False, group="unlock-facts")
    def load_facts(self) -> None:
        """Station name, officers' names and the demo hint by the store's and the
        keyring's own readers, when `clear_facts` could not tell (a damaged file)."""
        from ...security.keyring import Keyring

        try:
            sid, name, demo = station_facts(self.app.home)
        except Exception as e:  # noqa: BLE001 — e.g. not set up: say so on the form
            self.app.call_from_thread(self._facts, self.station_name, [], "", str(e))
            return
        officers: list[str] = []
        if self.mode != "setup":
            try:
                officers = [o.name for o in Keyring.open(self.app.home).officers()]
            except Exception as e:  # noqa: BLE001 — a damaged keyring: nobody can unlock
                self.app.call_from_thread(self._facts, name, [], "", str(e))
                return
        self.app.call_from_thread(self._facts, name, officers, self._demo_officer(sid, demo), "")

    def _set_facts(self, name: str, officers: list[str], demo_officer: str) -> bool:
        """Take the facts; True if the officer's box was filled in (the only officer)."""
        self.station_name = name or self.station_name
        self.officers = officers
        self.demo_officer = demo_officer
        box = self.query_one("#u-officer", Input)
        if box.value or len(officers) != 1:
            return False
        box.value = officers[0]
        return True

    def _facts(self, name: str, officers: list[str], demo_officer: str, error: str) -> None:
        box = self.query_one("#u-officer", Input)
        if self._set_facts(name, officers, demo_officer) and self.focused is box:
            self.set_focus(self.query_one("#u-pin", Input))  # at once: keys typed next go there
        if error:
            self.error = self.tr("unlock_error", error=error)
        self.apply_lang()

    # -- showing ---------------------------------------------------------------------
    def apply_lang(self) -> None:
        self.query_one("#unlock-station", Static).update(Text(self.station_name, style="bold"))
        title = {"setup": "setup_title", "resident": "resident_title"}.get(self.mode, "lock_title")
        self.query_one("#unlock-title", Static).update(Text(self.tr(title)))
        self.query_one("#setup-info", Static).update(self.tr("setup_info"))
        self.query_one("#l-officer", Label).update(self.tr("officer_name"))
        self.query_one("#l-pin", Label).update(self.tr("pin"))
        self.query_one("#l-pin2", Label).update(self.tr("pin_again"))
        self.query_one("#u-officer", Input).placeholder = self.tr("officer_ph") if self.officers else ""
        self.query_one("#u-pin", Input).placeholder = self.tr("pin_ph")
        officers = self.query_one("#u-officers", Static)
        officers.display = len(self.officers) > 1
        sep = "、" if self.app.lang == "zh" else ", "
        officers.update(Text(self.tr("officers_hint", names=sep.join(self.officers))))
        demo = self.query_one("#u-demo", Static)
        demo.display = bool(self.demo_officer)
        if self.demo_officer:
            demo.update(Text(self.tr("demo_hint", officer=self.demo_officer, pin=DEMO_PIN)))
        message = self.query_one("#u-message", Static)
        message.update(Text(self.error or self.info))
        message.set_class(bool(self.error), "-error")
        # The key bar: Enter sets up (first officer) or unlocks; Esc goes back to the code.
        self._relabel()

    def _relabel(self) -> None:
        self.refresh_bindings()  # the mode or the officers changed: see check_action

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "typeahead" and parameters[:1] == ("enter",):
            return (parameters[1:] == ("setup",)) == (self.mode == "setup")
        if action == "escape":
            return (parameters == ("resident",)) == (self.mode == "resident")
        if action == "officer" and (self.mode == "setup" or len(self.officers) < 2):
            return False  # nobody to switch to: not shown
        return super().check_action(action, parameters)

    def show_error(self, text: str) -> None:
        """A refusal (or a failure to open the records): shown, the PIN field emptied,
        then what was typed meanwhile goes into it (held till then)."""
        self.busy = False
        self.error, self.info = text, ""
        pin = self.query_one("#u-pin", Input)
        pin.value = ""
        self.query_one("#u-pin2", Input).value = ""
        self.set_focus(pin)  # at once: the held keys go there next
        self.apply_lang()
        self.app.release_keys(UNLOCK)

    def _progress(self, key: str) -> None:
        self.error, self.info = "", self.tr(key)
        self.apply_lang()

    # -- keys ------------------------------------------------------------------------
    async def action_typeahead(self, key: str, _mode: str = "") -> None:
        await super().action_typeahead(key)  # `_mode`: which Enter it is (see check_action)

    def typeahead_enter(self, widget) -> bool:
        self.action_submit()
        return True

    def action_officer(self, step: int) -> None:
        if not self.officers or self.mode == "setup":
            return
        box = self.query_one("#u-officer", Input)
        try:
            i = (self.officers.index(box.value.strip()) + step) % len(self.officers)
        except ValueError:
            i = 0 if step > 0 else len(self.officers) - 1
        box.value = self.officers[i]
        box.cursor_position = len(box.value)

    def action_escape(self, _mode: str = "") -> None:
        if self.mode == "resident" and not self.busy:
            self.dismiss(None)  # back to the QR code
            return
        self.error = self.info = ""
        for wid in ("#u-pin", "#u-pin2"):
            self.query_one(wid, Input).value = ""
        self.apply_lang()

    def on_idle_timeout(self) -> None:
        """Called by the app when nobody touched the keyboard for the idle time: a half-
        typed PIN is dropped, and the resident's code comes back."""
        if self.busy:
            return
        if self.mode == "resident":
            self.dismiss(None)
            return
        if self.query_one("#u-pin", Input).value or self.query_one("#u-pin2", Input).value:
            self.action_escape()

    def action_submit(self) -> None:
        if self.busy:
            return
        officer_box = self.query_one("#u-officer", Input)
        pin_box, pin2_box = self.query_one("#u-pin", Input), self.query_one("#u-pin2", Input)
        officer, pin = officer_box.value.strip(), pin_box.value
        focused = self.focused
        if not officer:
            self.error, self.info = self.tr("need_officer"), ""
            self.set_focus(officer_box)  # at once (focus() waits a refresh): the next key goes there
            self.apply_lang()
            return
        if focused is officer_box and not pin:
            self.set_focus(pin_box)  # Enter after the name moves on to the PIN
            return
        if not pin:
            self.error, self.info = self.tr("need_pin"), ""
            self.set_focus(pin_box)
            self.apply_lang()
            return
        if self.mode == "setup":
            if focused is pin_box and not pin2_box.value:
                self.set_focus(pin2_box)
                return
            self._setup(officer, pin, pin2_box.value)
            return
        self.busy = True
        self.app.hold_keys(UNLOCK)
        self._progress("unlocking")
        self.app.prepare_first_unlock()
        self.check_pin(officer, pin)

    # -- unlocking ---------------------------------------------------------------------
    @work(thread=True, exit_on_error=False, group="unlock")
    def check_pin(self, officer: str, pin: str) -> None:
        from ...security.errors import SecurityError
        from ...security.session import unlock

        try:
            ahead = getattr(self.app, "read_ahead_for_unlock", lambda: None)()
            session = unlock(self.app.home, officer, pin, read_ahead=ahead or True, sleep=self._stop.wait)
        except SecurityError as e:  # WrongPin's text says nothing about which part was wrong
            self.app.call_from_thread(self.show_error, explain(e, self.app.lang))
            return
        except Exception as e:  # noqa: BLE001 — e.g. a disk error: shown, the app stays up
            self.app.call_from_thread(self.show_error, self.tr("unlock_error", error=explain(e, self.app.lang)))
            return
        self.app.call_from_thread(self._unlocked, session)

    def _unlocked(self, session: "Session") -> None:
        self.query_one("#u-pin", Input).value = ""
        self._progress("loading")
        self.app.unlocked(session)
