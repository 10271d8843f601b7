"""The intake draft, TUI side: autosaving a new consultation's form, offering a draft
back, sealing the form's input when the app locks. The store side (the sealed file
itself) is `liaison.store.drafts`.

Used by the intake screen (`DraftAutosave`), the app (`offer_draft` once the store is
open) and the lock (`save_draft`): kept out of the screen's module so that neither the
app nor the lock depends on a screen for it.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..domain.timeutil import TZ
from ..domain.vocab import CATEGORIES
from .i18n import category as category_label
from .i18n import tr

if TYPE_CHECKING:
    from textual.timer import Timer

    from ..store.drafts import Drafts
    from .app import LiaisonApp
    from .base import LiaisonScreen as _ScreenBase
    from .widgets.intake_form import IntakeForm
else:
    _ScreenBase = object  # mixed into the intake screen: typed as one, a plain class at run time

AUTOSAVE_DELAY = 0.6  # seconds after the last change
# Draft writes and the final clear never interleave: a slow autosave must not bring
# back a draft that saving the form has just cleared.
DRAFT_LOCK = threading.Lock()

Found = tuple[dict[str, Any], datetime]


def draft_summary(found: Found, lang: str) -> str:
    """When the draft was saved, and enough of it to recognise: category, visitor, summary."""
    data, at = found
    parts = [at.astimezone(TZ).strftime("%Y-%m-%d %H:%M")]
    if data.get("category") in CATEGORIES:
        parts.append(category_label(data["category"], lang))
    for key in ("name", "summary"):
        text = str(data.get(key) or "").strip().replace("\n", " ")
        if text:
            parts.append(text if len(text) <= 16 else text[:15] + "…")
    return " · ".join(parts)


def save_draft(drafts: Drafts, data: dict[str, Any]) -> None:
    """Write `data` as the draft, in turn with the form's own autosaves (worker thread)."""
    with DRAFT_LOCK:
        drafts.save(data)


def clear_draft_ignoring_errors(drafts: Drafts) -> None:
    """Delete the draft (worker thread). A failure is dropped on purpose: the draft is a
    convenience, and the form it belonged to was saved or discarded already."""
    with DRAFT_LOCK:
        try:
            drafts.clear()
        except Exception:  # noqa: BLE001 — see the docstring
            pass


def offer_draft(app: LiaisonApp) -> None:
    """Ask whether to restore a draft left by a crash or a closed terminal, if there is one.

    IntakeScreen asks by itself when opened; the app calls this once its store is open,
    so the officer is asked at start.
    """
    from .screens.intake import IntakeScreen
    from .screens.modals import ConfirmScreen

    def ask(found: Found) -> None:
        def answer(yes: bool | None) -> None:
            if yes:
                app.open_screen(IntakeScreen(draft=found[0]))
            else:
                drafts = app.drafts()
                app.run_worker(lambda: clear_draft_ignoring_errors(drafts), thread=True, group="draft",
                               exit_on_error=False)
        question = tr("draft_found", app.lang, when=draft_summary(found, app.lang))
        app.open_screen(ConfirmScreen(question, default=True), answer)

    drafts = app.drafts()

    def load() -> None:
        found = drafts.load()
        if found is not None and found[0].get("category") in CATEGORIES:
            app.call_from_thread(ask, found)

    app.run_worker(load, thread=True, group="draft", exit_on_error=False)


class DraftAutosave(_ScreenBase):
    """Mixed into the intake screen: a new consultation's input is written as the draft
    shortly after each change (in a worker, newest write wins), a draft found on opening
    is offered back, and the last change is written when the screen goes unsaved."""

    form: IntakeForm
    edit: Any
    _step: str
    _finished: bool  # saved or discarded: no more draft writes (not _closed: Textual uses that)
    _draft_ready: bool  # the old draft was dealt with
    _timer: Timer | None
    _seq: int
    _written: int
    _pending: bool

    if TYPE_CHECKING:  # the screen's own (only declared here: a stub would shadow them)
        def _dirty(self) -> bool: ...
        def _restore(self, data: dict[str, Any]) -> None: ...

    def take_for_lock(self) -> dict[str, Any] | None:
        """The app locks: stop autosaving, and hand over what was typed (None if nothing
        was), which the app seals as the draft and brings back after the unlock."""
        values = self.form.values() if self._dirty() else None
        self._finished = True
        if self._timer is not None:
            self._timer.stop()
        return values

    def _clear_draft(self) -> None:
        drafts = self.app.drafts()
        self.app.run_worker(lambda: clear_draft_ignoring_errors(drafts), thread=True, group="draft",
                            exit_on_error=False)

    def _check_draft(self) -> None:
        drafts = self.app.drafts()

        def load() -> None:
            found = drafts.load()
            self.app.call_from_thread(self._draft_checked, found)
        self.run_worker(load, thread=True, group="draft", exit_on_error=False)

    def _draft_checked(self, found: Found | None) -> None:
        from .screens.modals import ConfirmScreen

        if found is None or found[0].get("category") not in CATEGORIES or self._finished:
            self._draft_ready = True
            return

        def answer(yes: bool | None) -> None:
            self._draft_ready = True
            if yes:
                self._restore(found[0])
            else:
                self._clear_draft()
                if self._pending:
                    self._schedule_autosave()
        question = self.tr("draft_found", when=draft_summary(found, self.app.lang))
        self.app.open_screen(ConfirmScreen(question, default=True), answer)

    def on_intake_form_changed(self, message: IntakeForm.Changed) -> None:
        message.stop()
        if self.edit is not None or self._finished or self._step != "form":
            return
        self._pending = True
        if self._draft_ready:
            self._schedule_autosave()

    def _schedule_autosave(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(AUTOSAVE_DELAY, self._autosave)

    def _autosave(self) -> None:
        self._timer = None
        if self._finished:
            return
        self._pending = False
        self._seq += 1
        data = self.form.values() if self._dirty() else None
        self._write_draft(self._seq, data)

    def _write_draft(self, seq: int, data: dict[str, Any] | None) -> None:
        drafts = self.app.drafts()

        def write() -> None:
            try:
                self._write_now(drafts, seq, data)
            except Exception as e:  # noqa: BLE001 — a failed autosave must not stop the officer
                self.app.call_from_thread(self.notify, self.tr("draft_failed", error=str(e)),
                                          severity="warning", timeout=10)
        self.run_worker(write, thread=True, group="draft", exit_on_error=False)

    def _write_now(self, drafts: Drafts, seq: int, data: dict[str, Any] | None) -> None:
        """Write (or, with nothing typed, delete) the draft, unless a newer one was written."""
        with DRAFT_LOCK:
            if self._finished or seq < self._written:
                return  # a newer draft is on disk, or the form was saved / discarded
            self._written = seq
            if data is not None:
                drafts.save(data)
            else:
                drafts.clear()

    def on_unmount(self) -> None:
        """Leaving without saving or discarding (the app quits, the terminal closes): the
        last change may still wait for its autosave, so write it now (a small file)."""
        if not self._pending or self._finished or self.edit is not None or not self._draft_ready:
            return
        self._seq += 1
        data = self.form.values() if self._dirty() else None
        try:
            self._write_now(self.app.drafts(), self._seq, data)
        except Exception:  # noqa: BLE001 — the app is closing: nowhere left to say it
            pass
