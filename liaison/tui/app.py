"""The officer's application. `build_app` is the one way to make it (CLI and tests).

Without a session it starts on the unlock screen (`screens/unlock.py`); with one (tests,
the benchmark) it starts unlocked. Locking, the idle timer and the resident-facing
view are in `locking.py`.
"""

from __future__ import annotations

import gc
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping

from textual import work
from textual.binding import Binding
from textual.screen import Screen

from .app_base import BaseApp
from .bindings import localize_bindings
from .commands import LiaisonCommands
from .key_backlog import UNLOCK, KeyBacklog
from .locking import LockingMixin
from .messages import ConsultationSaved, SaveFailed, StoreFailed, StoreOpened
from .textual_private import lay_out, mount_off_stack
from .unlock_ahead import UnlockAheadMixin

if TYPE_CHECKING:  # the store and the model load in the worker, after the first frame
    from ..domain.consultation import Consultation
    from ..domain.station import Station
    from ..security.session import Session
    from ..store import Store
    from ..store.drafts import Drafts


POLL_SECONDS = 3.0
IDLE_LOCK = 300.0  # seconds without a key or mouse event before the screen locks


class LiaisonApp(KeyBacklog, UnlockAheadMixin, LockingMixin, BaseApp):
    TITLE = "liaison"
    COMMANDS = BaseApp.COMMANDS | {LiaisonCommands}
    BINDINGS = [  # plus BaseApp's, merged by Textual
        Binding("f1", "help", "帮助", id="help"),
        # priority: a focused Input or TextArea must not keep these keys to itself
        Binding("ctrl+l", "lock", "锁定", id="lock", priority=True),
        # shown on the dashboard (its own binding); from anywhere else it works all the same
        Binding("f9", "resident", "居民模式", id="resident", show=False),
    ]

    def __init__(self, home: Path, *, session: Session | None = None, today: date | None = None,
                 lang: str = "zh", idle_lock: float | None = IDLE_LOCK, exports_dir: Path | None = None):
        super().__init__(home, today=today, lang=lang)
        from ..home import exports_dir as default_exports

        self.exports_dir = Path(exports_dir) if exports_dir else default_exports()  # ledgers for the office
        self.store: Store | None = None
        self.station: Station | None = None
        self._init_ahead()
        self._init_backlog()
        self._init_locking(session, idle_lock)

    def get_default_screen(self) -> Screen:
        # The dashboard is the base of the stack (not pushed over a blank screen): one
        # screen to build before the first frame, and Esc never leaves it empty. Locked
        # at the start, that one screen is the unlock screen (drawn in the first frame,
        # without waiting for the dashboard), and the dashboard is built at the first
        # unlock (`show_dashboard`).
        if self.session is None:
            from .screens.unlock import UnlockScreen
            from .screens.unlock_facts import has_keyring

            return UnlockScreen("start" if has_keyring(self.home) else "setup")
        from .screens.dashboard import DashboardScreen  # here: not loaded before the unlock screen's frame

        return DashboardScreen()

    @property
    def opened_store(self) -> Store:
        """The store, where it must be open: screens that show records are opened only
        once it is (None there is a bug, and fails here by name)."""
        assert self.store is not None, "the store is not open yet"
        return self.store

    @property
    def opened_station(self) -> Station:
        """The station's profile, read with the store (see opened_store)."""
        assert self.station is not None, "the store is not open yet"
        return self.station

    def on_mount(self) -> None:
        localize_bindings(self, self.lang)
        self._start_idle_watch()
        if self.session is None:
            return  # on the unlock screen (the default screen)
        # After the first frame: the worker competes with the UI thread for the GIL,
        # and an officer should see the screen before 50 000 records are read.
        self.call_after_refresh(self.open_store)

    @work(thread=True, exit_on_error=False, group="store", exclusive=True)
    def open_store(self) -> None:
        from ..profiles import get_station
        from ..security.session import open_store

        assert self.session is not None
        try:
            store = open_store(self.session)  # a plain (pre-PIN) store is sealed now
            station = get_station(store.station)
        except Exception as e:  # shown on screen; the app stays usable to quit
            self.post_message(StoreFailed(str(e)))
            return
        # The rows just read are long-lived and hold no cycles: without this the next
        # full collection walks them all (~100-200 ms while the dashboard is built).
        # gc.freeze() is process-wide, and right here: this process is the app alone
        # (the CLI runs it and exits), the rows live as long as the app, and the store
        # is opened once per process (again only after a failed open). It is safe from
        # this worker thread: it only moves what the collector tracks, under the GIL.
        # Its price: a garbage cycle alive at this instant is never freed (a few small
        # objects of the open; warm_search collects before its own freeze).
        gc.freeze()
        self.station = station
        try:
            self._count_figures(store)
        except Exception:  # noqa: BLE001 — the dashboard counts them itself, and shows why not
            self._figures = None
        self.post_message(StoreOpened(store))

    def on_store_failed(self, message: StoreFailed) -> None:
        if self.locked and hasattr(self.screen, "show_error"):
            self.screen.show_error(message.error)  # on the unlock form: Enter tries again
        else:
            super().on_store_failed(message)
            self.release_keys(UNLOCK)  # not kept for ever

    def drafts(self) -> Drafts:
        """The intake draft, sealed under the session's data key."""
        from ..store.drafts import Drafts

        assert self.session is not None, "no draft without an unlocked session"
        return Drafts(self.home, self.session.sealer)

    def audit(self, action: str, target: str = "", details: Mapping[str, Any] | None = None) -> None:
        """Append to the audit log from a worker (an append is an fsync: not on the UI thread)."""
        session = self.session
        if session is not None:
            self.run_worker(lambda: self.audit_now(action, target, details, session),
                            thread=True, group="audit", exit_on_error=False)

    def audit_now(self, action: str, target: str = "", details: Mapping[str, Any] | None = None,
                  session: Session | None = None) -> None:
        """The same, in the calling (worker) thread; a failure is shown, never raised."""
        session = session or self.session
        if session is None:
            return
        try:
            session.audit(action, target, details)
        except Exception as e:  # noqa: BLE001 — the change is saved; say that the log is not
            self.call_from_thread(self.notice, f"审计日志写入失败 (audit log not written): {e}",
                                  severity="error", timeout=30)

    @work(thread=True, exit_on_error=False, group="warm", exclusive=True)
    def warm_search(self) -> None:
        """Prepare search (text of every record, the joined segment) off the UI thread.
        Started once the dashboard shows its figures, so the two don't compete."""
        if self.store is None:
            return
        if not self.store.index.warm_ready:
            self.store.index.warm()
            # The index is 50 000+ long-lived objects; without this every full garbage
            # collection walks them all (~50-80 ms, measured as stalls while typing).
            gc.collect()
            gc.freeze()
        self.call_from_thread(self.prepare_list)  # type: ignore[arg-type]  # Textual's stub: async callback -> Never

    async def prepare_list(self) -> None:
        """Build the list screen ahead of the officer's `l`, once search is warm: its
        compose, mount, styles and first search (~50-80 ms at 50 000 records) are then
        done while nobody waits, and `l` only shows it (see `_show_list`). Kept off the
        screen stack, it paints nothing; it watches `lang` and `revision` like any
        mounted screen, so it is current when shown."""
        from .screens.consultations import ConsultationsScreen

        if self.is_screen_installed("consultations"):
            return
        screen = ConsultationsScreen()
        self.install_screen(screen, "consultations")
        # Textual mounts a screen when it is first pushed and lays it out when it is
        # shown (skipped when the size is unchanged): the same two steps, taken early
        # (textual_private). Off the stack, the layout paints nothing.
        await mount_off_stack(self, screen)
        lay_out(screen, self.size)

    def on_store_opened(self, message: StoreOpened) -> None:
        from .drafting import offer_draft

        first = self.store is None
        self._ahead = None  # taken by the session that opened the store
        if self.store is not None and self.store is not message.store:
            self.store.close()
        self.store = message.store
        self.sub_title = self.station.short_name if self.station else ""
        if message.store.problems:  # shown until dismissed: fewer records must never look normal
            self.notice("\n".join(message.store.problems) + "\n保存已停止：请从备份恢复，或运行 liaison verify "
                        "(saving is stopped: restore from a backup, or see `liaison verify`)",
                        title="数据目录与记录清单不符 (data folder does not match its manifest)",
                        severity="error", timeout=24 * 3600)
        if self.locked:
            self.finish_unlock()
        self.revision += 1
        if first:
            if self._resume_form is None:
                offer_draft(self)  # a form left by a crash or a closed terminal is offered back at start
            self.set_interval(POLL_SECONDS, self.poll_others)

    @work(thread=True, exit_on_error=False, group="poll", exclusive=True)
    def poll_others(self) -> None:
        """Pick up what another process saved (`liaison add` or an import while the app
        is open): one read of the lock file's generation when nothing changed."""
        if self.store is not None and self.store.refresh():
            self.call_from_thread(self._bump)

    @work(thread=True, exit_on_error=False, group="save")
    def save(self, op: Callable[[Store], Consultation], reply_to, created: bool = False,
             audit: tuple[str, Mapping[str, Any] | None] | None = None) -> None:
        """Run a store operation off the UI thread; the result goes to `reply_to` as
        ConsultationSaved or SaveFailed, and every screen reloads. `audit` is the
        (action, details) logged with the record's ref once it is saved."""
        assert self.store is not None
        session = self.session
        try:
            c = op(self.store)
        except Exception as e:  # noqa: BLE001 — any failure is the form's to show: it keeps the input (and ends the keys' hold)
            reply_to.post_message(SaveFailed(e))
            return
        reply_to.post_message(ConsultationSaved(c, created))
        self.call_from_thread(self._bump)
        if audit is not None:
            self.audit_now(audit[0], c.ref, audit[1], session)

    def _bump(self) -> None:
        self.revision += 1

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.open_screen(HelpScreen())

    async def action_new(self) -> None:
        from .screens.intake import IntakeScreen

        if self.store is not None:
            # Awaited (the form is up) when run from a priority key: the keys typed
            # next go to the form, not to the screen under it.
            shown = self.open_screen(IntakeScreen())
            if shown is not None:
                await shown

    async def action_list(self) -> None:
        await self._show_list()

    async def _show_list(self) -> None:
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
                listing = self.get_screen("consultations")
                assert isinstance(listing, ConsultationsScreen)
                listing.start_over()
                shown = self.open_screen("consultations")
                if shown is not None:
                    await shown

    def action_ledger(self) -> None:
        from .screens.ledger import LedgerScreen

        if self.store is not None:
            self.open_screen(LedgerScreen())

    def action_followups(self) -> None:
        from .screens.followups import FollowUpsScreen

        self.open_screen(FollowUpsScreen())

    def action_home(self) -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def action_qr(self) -> None:
        from .screens.qr import QrScreen

        if self.station is not None:
            self.open_screen(QrScreen())

    def action_receipt(self, consultation_id: str) -> None:
        from .screens.qr import QrScreen

        if self.store is not None:
            self.open_screen(QrScreen(consultation_id))

    def open_detail(self, consultation_id: str) -> None:
        from .screens.detail import DetailScreen

        if not self.locked:
            screen = DetailScreen(consultation_id)
            # What is typed next (`e` to edit …) waits for the record: the screen lets
            # the keys go on once its first read has answered (key_backlog).
            self.hold_keys(screen)
            self.open_screen(screen)


def build_app(home: Path, *, session: Session | None = None, today: date | None = None,
              lang: str = "zh", idle_lock: float | None = IDLE_LOCK, exports_dir: Path | None = None) -> LiaisonApp:
    """The station's app. Without `session` it starts on the unlock screen; `idle_lock`
    is the seconds of no key or mouse event before it locks itself (0/None: never);
    `exports_dir` receives the ledgers exported with `x` (default: home.exports_dir())."""
    return LiaisonApp(home, session=session, today=today, lang=lang, idle_lock=idle_lock,
                      exports_dir=exports_dir)
