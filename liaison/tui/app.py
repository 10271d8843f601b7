"""The officer's application. `build_app` is the one way to make it (CLI and tests)."""

from __future__ import annotations

import gc
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.reactive import reactive

from .bindings import localize_bindings
from .commands import LiaisonCommands
from .messages import ConsultationSaved, SaveFailed, StoreFailed, StoreOpened
from .screens.dashboard import DashboardScreen

if TYPE_CHECKING:  # the store and the model load in the worker, after the first frame
    from ..domain.consultation import Consultation
    from ..domain.station import Station
    from ..store import Store


class LiaisonApp(App[None]):
    CSS_PATH = Path(__file__).parent / "styles" / "app.tcss"  # absolute: subclasses may live elsewhere
    TITLE = "liaison"
    COMMANDS = App.COMMANDS | {LiaisonCommands}
    BINDINGS = [
        Binding("f1", "help", "帮助", id="help"),
        Binding("ctrl+g", "toggle_lang", "English", id="lang"),
        Binding("ctrl+t", "toggle_theme", "明暗", id="theme", show=False),
        Binding("ctrl+q", "quit", "退出", id="quit", priority=True),
    ]

    lang: reactive[str] = reactive("zh")
    revision: reactive[int] = reactive(0)  # bumped whenever records change; screens reload

    def __init__(self, home: Path, *, today: date | None = None, lang: str = "zh"):
        super().__init__()
        self.home = Path(home)
        self._today = today
        self.set_reactive(LiaisonApp.lang, lang)
        self.store: Store | None = None
        self.station: Station | None = None
        self.theme = "textual-dark"

    def now(self) -> datetime:
        """The time now in Shanghai; with a fixed `today` (tests, snapshots), 09:30 of it."""
        from ..domain.timeutil import TZ, now

        if self._today is None:
            return now()
        return datetime.combine(self._today, time(9, 30), TZ)

    def today(self) -> date:
        """Today in Shanghai (fixed in tests, so screens and snapshots are stable)."""
        if self._today is None:
            from ..domain.timeutil import today

            return today()
        return self._today

    def get_default_screen(self) -> DashboardScreen:
        # The dashboard is the base of the stack (not pushed over a blank screen): one
        # screen to build before the first frame, and Esc never leaves it empty.
        return DashboardScreen()

    def on_mount(self) -> None:
        localize_bindings(self, self.lang)
        # After the first frame: the worker competes with the UI thread for the GIL,
        # and an officer should see the screen before 50 000 records are read.
        self.call_after_refresh(self.open_store)

    @work(thread=True, exit_on_error=False, group="store")
    def open_store(self) -> None:
        from ..profiles import get_station
        from ..store import Store

        try:
            store = Store.open(self.home)
            station = get_station(store.station)
        except Exception as e:  # shown on screen; the app stays usable to quit
            self.post_message(StoreFailed(str(e)))
            return
        self.station = station
        self.post_message(StoreOpened(store))

    @work(thread=True, exit_on_error=False, group="warm", exclusive=True)
    def warm_search(self) -> None:
        """Prepare search (text of every record, the joined segment) off the UI thread.
        Started once the dashboard shows its figures, so the two don't compete."""
        if self.store is None or self.store.index.warm_ready:
            return
        self.store.index.warm()
        # The index is 50 000+ long-lived objects; without this every full garbage
        # collection walks them all (~50-80 ms, measured as stalls while typing).
        gc.collect()
        gc.freeze()

    def on_store_opened(self, message: StoreOpened) -> None:
        from .screens.intake import offer_draft

        self.store = message.store
        self.sub_title = self.station.short_name if self.station else ""
        self.revision += 1
        offer_draft(self)  # a form left by a crash or a closed terminal is offered back at start

    def on_store_failed(self, message: StoreFailed) -> None:
        self.notify(message.error, severity="error", timeout=30)

    @work(thread=True, exit_on_error=False, group="save")
    def save(self, op: Callable[[Store], Consultation], reply_to, created: bool = False) -> None:
        """Run a store operation off the UI thread; the result goes to `reply_to` as
        ConsultationSaved or SaveFailed, and every screen reloads."""
        from ..domain.validation import ValidationError
        from ..store import StoreError

        assert self.store is not None
        try:
            c = op(self.store)
        except (ValidationError, StoreError) as e:
            reply_to.post_message(SaveFailed(e))
            return
        reply_to.post_message(ConsultationSaved(c, created))
        self.call_from_thread(self._bump)

    def _bump(self) -> None:
        self.revision += 1

    def watch_lang(self, lang: str) -> None:
        localize_bindings(self, lang)

    def action_toggle_lang(self) -> None:
        self.lang = "en" if self.lang == "zh" else "zh"

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_new(self) -> None:
        from .screens.intake import IntakeScreen

        if self.store is not None:
            self.push_screen(IntakeScreen())

    def action_list(self) -> None:
        from .screens.consultations import ConsultationsScreen

        # Installed, so it is built once and kept (with the search typed) when the
        # officer goes back: reopening the list costs a repaint, not a rebuild.
        if not self.is_screen_installed("consultations"):
            self.install_screen(ConsultationsScreen(), "consultations")
        if self.screen is not self.get_screen("consultations"):
            if self.get_screen("consultations") in self.screen_stack:
                while self.screen is not self.get_screen("consultations"):
                    self.pop_screen()
            else:
                self.push_screen("consultations")

    def action_ledger(self) -> None:
        from .screens.ledger import LedgerScreen

        if self.store is not None:
            self.push_screen(LedgerScreen())

    def action_followups(self) -> None:
        from .screens.followups import FollowUpsScreen

        self.push_screen(FollowUpsScreen())

    def action_home(self) -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def action_qr(self) -> None:
        from .screens.qr import QrScreen

        if self.station is not None:
            self.push_screen(QrScreen())

    def action_receipt(self, consultation_id: str) -> None:
        from .screens.qr import QrScreen

        if self.store is not None:
            self.push_screen(QrScreen(consultation_id))

    def open_detail(self, consultation_id: str) -> None:
        from .screens.detail import DetailScreen

        self.push_screen(DetailScreen(consultation_id))

    def on_unmount(self) -> None:
        if self.store is not None:
            self.store.close()


def build_app(home: Path, *, today: date | None = None, lang: str = "zh") -> LiaisonApp:
    return LiaisonApp(home, today=today, lang=lang)
