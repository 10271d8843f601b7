"""The officer's application. `build_app` is the one way to make it (CLI and tests)."""

from __future__ import annotations

import gc
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from textual import work
from textual.binding import Binding

from .app_base import BaseApp
from .bindings import localize_bindings
from .commands import LiaisonCommands
from .messages import ConsultationSaved, SaveFailed, StoreFailed, StoreOpened
from .screens.dashboard import DashboardScreen

if TYPE_CHECKING:  # the store and the model load in the worker, after the first frame
    from ..domain.consultation import Consultation
    from ..domain.station import Station
    from ..store import Store


POLL_SECONDS = 3.0


class LiaisonApp(BaseApp):
    TITLE = "liaison"
    COMMANDS = BaseApp.COMMANDS | {LiaisonCommands}
    BINDINGS = [Binding("f1", "help", "帮助", id="help")]  # plus BaseApp's, merged by Textual

    def __init__(self, home: Path, *, today: date | None = None, lang: str = "zh"):
        super().__init__(home, today=today, lang=lang)
        self.store: Store | None = None
        self.station: Station | None = None

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
        self.set_interval(POLL_SECONDS, self.poll_others)

    @work(thread=True, exit_on_error=False, group="poll", exclusive=True)
    def poll_others(self) -> None:
        """Pick up what another process saved (`liaison add` or an import while the app
        is open): one read of the lock file's generation when nothing changed."""
        if self.store is not None and self.store.refresh():
            self.call_from_thread(self._bump)

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



def build_app(home: Path, *, today: date | None = None, lang: str = "zh") -> LiaisonApp:
    return LiaisonApp(home, today=today, lang=lang)
