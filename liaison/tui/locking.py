"""Locking the officer's app: on ctrl+l, when idle, and in the resident-facing view.

While locked the top screen is the unlock form (or the resident's QR code) and
nothing else gets on screen: the app's actions are refused (`check_action`, which
also covers the command palette), screens opened meanwhile (a reply from a worker,
the "draft found" question) wait until the next unlock, and so do notices. That is a
guard, not an override of Textual: every screen of the app is opened with
`app.open_screen(...)` and every notice given with `app.notice(...)`, which hold them
while locked (Textual's own `push_screen` and `notify` are left as they are).
Screens under the lock are not drawn, so a detail screen or an edit form opened
before stays as it was and is back after the unlock — except a new consultation's
form: its input is sealed as the intake draft (`Drafts` under the session's data
key), the form is closed, and after the unlock (by the same officer or another;
the new session replaces the old one) it reopens with the input filled in.

Idle time is measured from the last key or mouse click the app received — seen
through the app's public `message_signal` (every message the app handles, keys
included, even those a field then consumes); one clock read per event, no timer
reset per key — and a periodic check locks once it passes.
"""

from __future__ import annotations

from time import monotonic
from typing import TYPE_CHECKING, Any

from textual import events
from textual.message import Message
from textual.screen import Screen

from .key_backlog import UNLOCK

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from ..domain.station import Station
    from ..security.session import Session
    from ..store import Store
    from ..store.drafts import Drafts
    from .app_base import BaseApp as _AppBase
else:
    _AppBase = object  # mixed into BaseApp's subclass: typed as one, a plain class at run time

# Actions that stay available on the unlock screen: nothing in them shows records
# (help lists the keys; not in the resident view, where it would be officer-facing).
ALLOWED_WHILE_LOCKED = frozenset({"quit", "toggle_lang", "toggle_theme", "focus_next", "focus_previous", "help"})


class LockingMixin(_AppBase):
    """Mixed into LiaisonApp (before BaseApp). `locked` is True from the start until
    the first unlock when no session was given, and again after each lock."""

    session: Session | None
    store: Store | None
    station: Station | None

    if TYPE_CHECKING:  # LiaisonApp's own (only declared here: a stub would shadow them)
        def drafts(self) -> Drafts: ...
        def audit(self, action: str, target: str = "", details: Mapping[str, Any] | None = None) -> None: ...
        open_store: Callable[..., Any]  # a Textual worker
        def show_dashboard(self) -> None: ...
        def release_keys(self, owner: object) -> None: ...

    def _init_locking(self, session: "Session | None", idle_lock: float | None) -> None:
        self.session = session
        self.idle_lock = float(idle_lock) if idle_lock and idle_lock > 0 else 0.0
        self.locked = session is None
        self.resident = False  # the resident-facing QR view is up (a kind of lock)
        self._last_input = monotonic()
        self._resume_form: dict[str, Any] | None = None  # a new form closed by the lock
        self._held_screens: list[tuple[Screen[Any] | str, Any]] = []
        self._held_notices: list[tuple[str, dict[str, Any]]] = []
        self._to_dashboard = False  # another officer unlocked: drop what the last one had open

    def _start_idle_watch(self) -> None:
        if self.idle_lock:
            # immediate: the clock is read as the key arrives, not when the app is free
            self.message_signal.subscribe(self, self._input_seen, immediate=True)
            self.set_interval(max(0.1, min(self.idle_lock / 4, 5.0)), self._idle_tick)

    def _input_seen(self, message: Message) -> None:
        # Keys and clicks, not mere mouse movement: a nudged mouse must not keep a
        # station unlocked.
        if isinstance(message, (events.Key, events.MouseDown)):
            self._last_input = monotonic()

    # -- what the app lets through while locked ----------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.locked and action not in ALLOWED_WHILE_LOCKED:
            return False
        if self.resident and action in ("quit", "help"):
            return False  # a resident must not leave the view (or the program), nor read officers' help
        return super().check_action(action, parameters)

    def open_screen(self, screen: Screen[Any] | str, callback: Any = None) -> Any:
        """Show `screen` (Textual's push_screen), or, while locked, keep it for after the
        unlock (unless it is one of the lock's own). Returns what push_screen returns
        (await it to have the screen mounted), or None when the screen is held."""
        if isinstance(screen, str) and self.locked:
            screen = self.get_screen(screen)  # an installed screen is held alike
        if self.locked and not getattr(screen, "SHOWN_WHILE_LOCKED", False):
            self._held_screens.append((screen, callback))  # shown after the unlock
            return None
        return self.push_screen(screen, callback)

    def notice(self, message: str, **kw: Any) -> None:
        """A toast (Textual's notify), held while locked: it could name a resident."""
        if self.locked:
            self._held_notices.append((message, kw))
            return
        self.notify(message, **kw)

    # -- locking ---------------------------------------------------------------------------
    def _idle_tick(self) -> None:
        if monotonic() - self._last_input < self.idle_lock:
            return
        self._last_input = monotonic()  # once per idle period
        if self.locked:
            handler = getattr(self.screen, "on_idle_timeout", None)
            if handler is not None:
                handler()  # drops a half-typed PIN; the resident's code comes back
            return
        if self.session is not None and self.store is not None:
            self.lock("idle")

    def action_lock(self) -> None:
        self.lock("key")

    def action_resident(self) -> None:
        if self.station is not None:
            self.lock("resident", resident=True)

    def lock(self, reason: str, *, resident: bool = False) -> None:
        from .screens.intake import IntakeScreen
        from .screens.qr import ResidentScreen
        from .screens.unlock import UnlockScreen

        if self.locked or self.session is None:
            return
        forms = [s for s in self.screen_stack if isinstance(s, IntakeScreen)]
        if any(f.saving for f in forms):
            # Its reply closes the form (which must then be on top): lock a moment later.
            self.set_timer(0.1, lambda: self.lock(reason, resident=resident))
            return
        for form in reversed([f for f in forms if f.edit is None]):  # edit forms stay, under the lock
            values = form.take_for_lock()
            if values is not None:
                self._resume_form = values
                self._save_draft(self.drafts(), values)
            while self.screen is not form:
                self.pop_screen()
            self.pop_screen()
        self.locked, self.resident = True, resident
        self.clear_notifications()
        self.audit("lock", details={"reason": reason})
        if resident:
            self.open_screen(ResidentScreen())
        else:
            self.open_screen(UnlockScreen("lock", officer=self.session.officer,
                                          station_name=self.station.name if self.station else ""))

    def _save_draft(self, drafts: "Drafts", values: dict[str, Any]) -> None:
        from .drafting import save_draft

        def write() -> None:
            try:
                save_draft(drafts, values)
            except Exception as e:  # noqa: BLE001 — the input is still kept in memory
                self.call_from_thread(self.notice, self.tr("draft_failed", error=str(e)),
                                      severity="warning", timeout=10)
        self.run_worker(write, thread=True, group="draft", exit_on_error=False)

    # -- unlocking -------------------------------------------------------------------------
    def unlocked(self, session: "Session") -> None:
        """The unlock screen checked a PIN: this session replaces the old one."""
        previous, self.session = self.session, session
        if self.store is None:
            self.open_store()  # StoreOpened then finishes the unlock
            return
        self.store.acting_officer = session.officer  # notes and records carry the new name
        if previous is not None and previous.officer != session.officer:
            # Another officer: what the last one had open (a record's detail, an edit
            # form, their notices) was theirs; the new officer starts at the dashboard
            # and opens — and is audited for — what they need. A new consultation's
            # draft is the station's, and comes back as usual.
            self._held_screens.clear()
            self._held_notices.clear()
            self._to_dashboard = True
        self.finish_unlock()

    def finish_unlock(self) -> None:
        from .screens.intake import IntakeScreen

        while getattr(self.screen, "SHOWN_WHILE_LOCKED", False):
            if len(self.screen_stack) == 1:
                break  # the unlock screen an app started locked has as its base: see show_dashboard
            self.pop_screen()
        if self._to_dashboard:
            self._to_dashboard = False
            while len(self.screen_stack) > 1:
                self.pop_screen()
        self.show_dashboard()  # the first unlock: built now
        self.locked = self.resident = False
        self._last_input = monotonic()
        held, self._held_screens = self._held_screens, []
        for screen, callback in held:
            self.open_screen(screen, callback)
        if self._resume_form is not None:
            values, self._resume_form = self._resume_form, None
            self.open_screen(IntakeScreen(draft=values))
        notices, self._held_notices = self._held_notices, []
        for message, kw in notices[-3:]:  # the last few; older ones are stale by now
            self.notice(message, **kw)
        self.refresh_bindings()
        # Type-ahead: keys typed after the PIN's Enter (`n` for a new form …), held since
        # (key_backlog), now go in order to the screen on top.
        self.release_keys(UNLOCK)
