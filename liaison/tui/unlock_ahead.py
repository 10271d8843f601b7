"""What the officer's app prepares while the first PIN is typed, so that the PIN's Enter
waits only for scrypt and the keyed part of the open: the shards' clear parts read
(store.heads.PreRead), the dashboard built off screen, its figures counted from the
pre-read's rows. Mixed into LiaisonApp; kept apart because none of it is needed to
understand the app once it is unlocked.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, TypeVar

from textual.screen import Screen

from .textual_private import lay_out, mark_styled, mount_off_stack

if TYPE_CHECKING:
    from ..store import Store
    from ..store.heads import PreRead
    from .app_base import BaseApp as _AppBase
    from .screens.dashboard import DashboardScreen
else:
    _AppBase = object  # mixed into BaseApp's subclass: typed as one, a plain class at run time

S = TypeVar("S", bound="Screen[Any]")
STATION_MODE = "station"  # the screens after the first unlock of an app started locked


class UnlockAheadMixin(_AppBase):
    store: Store | None
    locked: bool

    def _init_ahead(self) -> None:
        self._ahead: PreRead | None = None  # the shards read while the first PIN is typed
        self._ahead_lock = threading.Lock()
        self._ahead_closed = False  # an unlock has asked for it: none is started after
        self._prepared = False
        self._dashboard: DashboardScreen | None = None  # built while the first PIN is typed
        # The dashboard's figures, counted off the UI thread before it is shown: from the
        # pre-read's rows (valid for an open that keeps that very index), then for the
        # store opened (taken by the dashboard's first refresh).
        self._early_figures: tuple[Any, ...] | None = None
        self._figures: tuple[Store, tuple[Any, ...]] | None = None

    def show_dashboard(self) -> None:
        """At the first unlock of an app started locked: the dashboard, as the base of a
        screen stack of its own (Textual's modes), over the start's unlock screen, which
        stays below, suspended and emptied of its PIN. Built while the PIN was typed
        (`_prebuild_dashboard`) when it could be."""
        from .screens.dashboard import DashboardScreen

        if not isinstance(self.screen_stack[0], DashboardScreen):
            def dashboard() -> DashboardScreen:
                built, self._dashboard = self._dashboard, None
                return built or self._styled_now(DashboardScreen())

            self.add_mode(STATION_MODE, dashboard)
            self.switch_mode(STATION_MODE)

    def _styled_now(self, screen: S) -> S:
        """`screen`, marked as styled with the stylesheet as it is: a mode's new screen is
        otherwise restyled twice, ~60 ms of the unlock's wait (textual_private.mark_styled)."""
        return mark_styled(self, screen)

    async def _prebuild_dashboard(self) -> None:
        """The dashboard composed, mounted, styled and laid out while the first PIN is
        typed (~50 ms of the UI thread at the unlock otherwise), off every screen stack
        and without records: nothing of it is drawn until the unlock shows it, its
        figures filled in then (as prepare_list does for the list)."""
        from .screens.dashboard import DashboardScreen

        if self.store is not None or self._dashboard is not None or not self.locked:
            return
        screen = self._dashboard = self._styled_now(DashboardScreen())
        await mount_off_stack(self, screen)
        if screen is self._dashboard:
            lay_out(screen, self.size)

    def prepare_first_unlock(self) -> None:
        """Once the unlock screen of an app started locked is painted, while the officer
        types the PIN: import what the unlock needs next — the store, the dashboard, the
        station profiles — kept out of the first frame, then read every shard's clear
        parts and build their rows (store.heads.PreRead). None of it needs the key, and
        at 50 000 records it is ~0.5 s of CPU that the PIN's Enter would otherwise wait
        for (sharing the GIL with scrypt's wait and the dashboard's build)."""
        if self.store is None and not self._prepared:
            self._prepared = True
            self.run_worker(self._prepare_first_unlock, thread=True, group="imports", exit_on_error=False)

    def _prepare_first_unlock(self) -> None:
        from ..security.session import read_ahead  # the store with it: the read first, the rest after

        with self._ahead_lock:
            if self.store is None and not self._ahead_closed:
                self._ahead = read_ahead(self.home)
            pre = self._ahead
        _import_for_first_unlock()
        try:
            self.call_from_thread(self._prebuild_dashboard)  # type: ignore[arg-type]  # Textual's stub: async callback -> Never
        except Exception:  # noqa: BLE001 — e.g. the app is closing: built at the unlock as before
            pass
        index = pre.index() if pre is not None else None
        if index is not None and not self._ahead_closed:  # counted while the PIN is typed, not after its Enter
            from .screens.dashboard import figures

            today, generation = self.today(), index.generation
            got = figures(self.home, index.newest_first(include_deleted=True), today)
            self._early_figures = (index, generation, today, got)

    def _count_figures(self, store: Store) -> None:
        """The dashboard's figures of the store just opened (in its worker): those counted
        from the pre-read if the store kept its index unchanged, on the same day, from
        the same export checkpoint; else counted now."""
        from ..sync.status import sync_status
        from .screens.dashboard import figures

        early, self._early_figures = self._early_figures, None
        today = self.today()
        if early is not None:
            index, generation, day, got = early
            if index is store.index and generation == index.generation and day == today:
                sync = sync_status(self.home)
                if sync["checkpoint"] == got[2]:
                    self._figures = (store, (got[0], sync["last_sync"], got[2]))
                    return
        self._figures = (store, figures(store.home, store.index.newest_first(include_deleted=True), today))

    def take_figures(self) -> tuple[Any, ...] | None:
        """(summary, last sync, checkpoint) counted for the store now open; once."""
        ready, self._figures = self._figures, None
        return ready[1] if ready is not None and ready[0] is self.store else None

    def read_ahead_for_unlock(self) -> PreRead | None:
        """The shards read since the unlock screen was painted, for `unlock` (from its
        worker); None if that read has not started, and then it never does: the unlock
        reads its own (two reads at once would only compete). After a wrong PIN it is
        kept for the next try: it holds nothing that depends on the PIN."""
        with self._ahead_lock:
            self._ahead_closed = True
            return self._ahead


def _import_for_first_unlock() -> None:
    import importlib

    for name in ("liaison.store", "liaison.security.session", "liaison.profiles", "liaison.sync.status",
                 "liaison.store.drafts", "liaison.tui.screens.dashboard", "liaison.tui.screens.intake"):
        importlib.import_module(name)
