"""The unlock screen's `setup` mode: a station with no officers yet. The first officer's
name and PIN (twice) create the keyring; its recovery code is shown once
(`RecoveryCodeScreen`), then that officer is unlocked. Mixed into UnlockScreen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Static

from ..base import LiaisonModal
from ..i18n import explain
from ..key_backlog import UNLOCK

if TYPE_CHECKING:
    import threading

    from ...security.session import Session
    from ..base import LiaisonScreen as _ScreenBase
else:
    _ScreenBase = object  # mixed into the unlock screen: typed as one, a plain class at run time


def station_facts(home) -> tuple[str, str, bool]:
    """(station id, station name, demo?) from the clear part of the data folder."""
    from ...profiles import get_station
    from ...store.meta import Meta

    meta = Meta(home)
    try:
        facts = meta.get()
    finally:
        meta.close()
    sid = str(facts.get("station", ""))
    try:
        name = get_station(sid).name
    except Exception:  # noqa: BLE001 — an unknown profile: the id still says which station
        name = sid
    return sid, name, bool(facts.get("demo"))


class FirstOfficerSetup(_ScreenBase):
    if TYPE_CHECKING:  # UnlockScreen's own
        busy: bool
        mode: str
        _stop: threading.Event

        def show_error(self, text: str) -> None: ...
        def _progress(self, key: str) -> None: ...

    def _setup(self, officer: str, pin: str, again: str) -> None:
        from ...security.errors import SecurityError
        from ...security.pins import check_officer_name, check_pin

        try:
            name = check_officer_name(officer)
            check_pin(pin, name)
        except SecurityError as e:  # BadOfficerName, WeakPin: the reason, nothing saved
            self.show_error(explain(e, self.app.lang))
            return
        if pin != again:
            self.show_error(self.tr("pins_differ"))
            return
        self.busy = True
        self.app.hold_keys(UNLOCK)
        self._progress("setting_up")
        self.create_officer(name, pin)

    @work(thread=True, exit_on_error=False, group="unlock")
    def create_officer(self, name: str, pin: str) -> None:
        from ...security.audit import AuditLog
        from ...security.keyring import Keyring
        from ...security.session import unlock

        try:
            sid, _, _ = station_facts(self.app.home)
            code = Keyring.create(self.app.home, sid, name, pin)
        except Exception as e:  # noqa: BLE001 — KeyringExists, a disk error …: shown
            self.app.call_from_thread(self.show_error, self.tr("unlock_error", error=explain(e, self.app.lang)))
            return
        # The keyring exists from here on: whatever fails next, the code is shown (it
        # exists nowhere else), as `liaison officer setup` does.
        session, error = None, ""
        try:
            AuditLog(self.app.home).record(name, "officer_add", name, {"first": True})
            session = unlock(self.app.home, name, pin, read_ahead=True, sleep=self._stop.wait)
        except Exception as e:  # noqa: BLE001 — a damaged audit log, a disk error …
            error = self.tr("unlock_error", error=explain(e, self.app.lang))
        self.app.call_from_thread(self._created, code, session, error)

    def _created(self, code: str, session: "Session | None", error: str) -> None:
        self.query_one("#u-pin", Input).value = ""
        self.query_one("#u-pin2", Input).value = ""

        def confirmed(_: object) -> None:
            if session is None:  # set up, but not unlocked: the officer tries the PIN again
                self.mode = "start"
                self.on_mount()
                self.show_error(error)
                return
            self._progress("setting_up")
            self.app.unlocked(session)  # opening the store seals the plain records
        self.app.park_keys(UNLOCK)  # a key typed before the code showed never answers it unread
        self.app.open_screen(RecoveryCodeScreen(code), confirmed)


class RecoveryCodeScreen(LiaisonModal):
    """The recovery code, once. Only `y` closes it: Esc or Enter by habit must not."""

    SHOWN_WHILE_LOCKED = True
    BINDINGS = [Binding("y", "confirm", "确定", id="yes")]

    def __init__(self, code: str):
        super().__init__()
        self.code = code

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="recovery"):
            yield Static(id="recovery-title", classes="section-title")
            yield Static(id="recovery-text")
            yield Static(Text(self.code, style="bold"), id="recovery-code")
            yield Static(id="recovery-confirm", classes="hint")

    def apply_lang(self) -> None:
        self.query_one("#recovery-title", Static).update(self.tr("recovery_title"))
        self.query_one("#recovery-text", Static).update(self.tr("recovery_text"))
        self.query_one("#recovery-confirm", Static).update(self.tr("recovery_confirm"))

    def action_confirm(self) -> None:
        self.dismiss(True)
