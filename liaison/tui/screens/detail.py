"""One consultation in full — visitor, story, referrals, clue, follow-up, notes — and
the keys that change it. Every change is a new version saved by `app.save` in a worker.
What it shows is drawn by the RecordDetail widget (widgets/record_detail.py).

Full name and phone are shown here, and only here (lists mask them); opening it
writes a "view" entry to the audit log, each change an "edit" (or "delete") entry,
under the officer who unlocked. What the officer types is never
lost: a prompt asks before dropping typed text, and after a failed save the text is
kept and offered again on the next try.
"""

from __future__ import annotations

from typing import Callable

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header

from ...domain.consultation import Consultation
from ...domain.intake import apply_edits
from ...domain.validation import ValidationError
from ...domain.vocab import STATUSES
from ...store import NotFound, Store, StoreError, VersionConflict
from ..app_base import ERROR_TIMEOUT
from ..base import LiaisonScreen
from ..i18n import explain, status
from ..messages import ConsultationSaved, SaveFailed
from ..widgets.keybar import KeyBar
from ..widgets.record_detail import RecordDetail
from ..widgets.record_fields import related_both_ways
from .detail_dialogs import FollowUpScreen, TextPrompt, field_errors
from .modals import ConfirmScreen, PickScreen

# Which key retries a change whose typed text was kept after a failed save.
RETRY_KEY = {"note": "n", "clue": "c", "follow_up": "f"}


class DetailScreen(LiaisonScreen):
    BINDINGS = [
        Binding("s", "status", "状态", id="status"),
        Binding("n", "note", "备注", id="note"),
        Binding("f", "follow_up", "回访", id="set_follow_up"),
        Binding("e", "edit", "修改", id="edit"),
        Binding("c", "clue", "线索", id="clue"),
        Binding("delete", "delete", "删除", id="delete", key_display="Del"),
        Binding("r", "receipt", "回执码", id="receipt"),
        Binding("escape", "back", "返回", id="back", priority=True),  # at once: "Esc Esc l" typed together
    ]

    def __init__(self, consultation_id: str):
        super().__init__()
        self.consultation_id = consultation_id
        self.c: Consultation | None = None
        self.missing = False
        self._saving: str | None = None  # the kind of change in flight (one at a time)
        self._drafts: dict[str, str] = {}  # typed text of a change whose save failed
        self._banner: Callable[[], tuple[str, bool]] | None = None
        self._gone = False
        self._viewed = False  # the "view" audit entry is written once per opening
        self._related: tuple[list[str], list[str]] = ([], [])  # (visits it names, later ones naming it)

    def compose(self) -> ComposeResult:
        yield Header()
        yield RecordDetail(id="detail")
        yield KeyBar()

    def on_mount(self) -> None:
        super().on_mount()  # reads the record (load), which lets the keys held for it go on
        if self.app.store is None:
            self.app.release_keys(self)  # nothing to read: never hold the keyboard
        self.query_one("#detail").focus()
        self.watch(self.app, "theme", lambda _: self.show(), init=False)

    def on_unmount(self) -> None:
        self.app.release_keys(self)  # closed before its record was read

    def on_screen_resume(self) -> None:
        # Only when this screen is really on top: a lock pushes its screen in the same
        # breath as closing a form above this one, and must not be the one popped.
        if self._gone and self.is_current and not self.app.locked:
            self.app.pop_screen()

    # -- loading -------------------------------------------------------------------
    def refresh_data(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="detail-load")
    def load(self) -> None:
        try:
            self._load()
        finally:  # shown, missing or refused: the keys typed since it opened go on
            self.app.call_from_thread(self.app.release_keys, self)

    def _load(self) -> None:
        try:
            c = self.app.opened_store.get(self.consultation_id)
        except NotFound:
            c = None
        except StoreError as e:
            self.app.call_from_thread(self._set_banner, lambda err=e: (explain(err, self.app.lang), True))
            return
        if c is not None:
            try:
                related = related_both_ways(self.app.opened_store, c)
            except StoreError:
                related = ([], [])
            self.app.call_from_thread(setattr, self, "_related", related)
        if c is not None and not self._viewed:
            self._viewed = True
            self.app.audit_now("view", c.ref)  # already off the UI thread
        self.app.call_from_thread(self._loaded, c)

    def _loaded(self, c: Consultation | None) -> None:
        if c is None:
            self.c, self.missing = None, True
        elif self.c is None or c.id != self.c.id or c.version >= self.c.version:
            self.c = c  # never step back to an older version a slow read returned
        self.show()

    def apply_lang(self) -> None:
        self.show()

    # -- showing -------------------------------------------------------------------
    def _set_banner(self, make: Callable[[], tuple[str, bool]] | None) -> None:
        self._banner = make
        self._show_banner()

    def _show_banner(self) -> None:
        text, error = self._banner() if self._banner else ("", False)
        if not text and self.c is not None and self.c.deleted:
            text, error = self.tr("deleted_banner"), True
        self.query_one(RecordDetail).show_banner(text, error)

    def show(self) -> None:
        self._show_banner()
        self.query_one(RecordDetail).show_record(self.c, missing=self.missing, related=self._related)

    # -- changing ------------------------------------------------------------------
    def _ready(self) -> Consultation | None:
        """The record shown, if a change may be made to it now (else None, and why)."""
        if self.c is None or self.app.store is None:
            return None
        if self._saving:
            self.app.notice(self.tr("wait_saving"), severity="warning")
            return None
        if self.c.deleted:
            self.app.notice(self.tr("is_deleted"), severity="warning")
            return None
        return self.c

    def _submit(self, kind: str, op: Callable[[Store], Consultation]) -> None:
        self._saving = kind
        self._set_banner(lambda: (self.tr("saving"), False))
        audit = ("delete", None) if kind == "delete" else ("edit", {"change": kind})
        self.app.save(op, self, audit=audit)

    def _change(self, kind: str, edits: dict) -> None:
        """Edit fields of the version on screen; the store refuses it if that version
        is no longer the latest (VersionConflict), so nobody's change is overwritten."""
        assert self.c is not None
        try:
            edited = apply_edits(self.c, edits)
        except ValidationError as e:
            error = e  # `e` is unbound after the except block; the banner is redrawn later

            def banner() -> tuple[str, bool]:
                return field_errors(error, self.app.lang), True
            self._set_banner(banner)
            return
        self._submit(kind, lambda store: store.save(edited))

    def on_consultation_saved(self, message: ConsultationSaved) -> None:
        message.stop()
        kind, self._saving = self._saving, None
        self._drafts.pop(kind or "", None)
        c = message.consultation
        self._set_banner(None)
        if c.deleted:
            self.app.notice(self.tr("deleted_done", ref=c.ref))
            self._gone = True
            if self.is_current:
                self.app.pop_screen()
            return
        self.c = c
        self.show()
        self.app.notice(self.tr("new_version", v=c.version))

    def on_save_failed(self, message: SaveFailed) -> None:
        message.stop()
        kind, self._saving = self._saving, None
        e = message.error

        def text() -> tuple[str, bool]:
            lang = self.app.lang
            if isinstance(e, VersionConflict):
                msg = self.tr("conflict_reloaded")
            elif isinstance(e, ValidationError):
                msg = field_errors(e, lang)
            else:
                msg = self.tr("save_failed", error=explain(e, lang))
            if kind in RETRY_KEY and self._drafts.get(kind):
                msg += " " + self.tr("draft_kept", k=RETRY_KEY[kind])
            return msg, True

        self._set_banner(text)
        self.app.notice(text()[0], severity="error", timeout=ERROR_TIMEOUT)
        if isinstance(e, VersionConflict):
            self.load()

    def action_status(self) -> None:
        c = self._ready()
        if c is None:
            return
        choices = [(status(code, self.app.lang), code) for code in STATUSES]
        self.app.open_screen(PickScreen(self.tr("pick_status"), choices, c.status), self._status_picked)

    def _status_picked(self, code: str | None) -> None:
        if code is not None and self.c is not None and code != self.c.status:
            self._change("status", {"status": code})

    def action_note(self) -> None:
        c = self._ready()
        if c is None:
            return
        self.app.open_screen(TextPrompt(self.tr("add_note"), self._drafts.get("note", ""),
                                        self.tr("note_placeholder"), empty_error=self.tr("note_empty")),
                             self._note_typed)

    def _note_typed(self, text: str | None) -> None:
        if text is None or self.c is None:
            return
        self._drafts["note"] = text
        cid = self.c.id
        session = self.app.session
        officer = session.officer if session is not None else None  # who unlocked writes it
        # A note only adds: it goes onto the latest version, whatever changed meanwhile.
        self._submit("note", lambda store: store.add_note(cid, text, officer=officer))

    def action_follow_up(self) -> None:
        c = self._ready()
        if c is None:
            return
        self.app.open_screen(FollowUpScreen(c, self.app.today(), self._drafts.get("follow_up", "")),
                             self._follow_up_chosen)

    def _follow_up_chosen(self, value: str | None) -> None:
        if value is None or self.c is None:
            return
        current = self.c.follow_up_on.isoformat() if self.c.follow_up_on else ""
        if value != current:
            self._drafts["follow_up"] = value
            self._change("follow_up", {"follow_up_on": value})

    def action_clue(self) -> None:
        c = self._ready()
        if c is None:
            return
        if c.clue.flag:
            self.app.open_screen(ConfirmScreen(self.tr("confirm_unclue")), self._unclue)
        else:
            self.app.open_screen(TextPrompt(self.tr("clue_note_title"), self._drafts.get("clue", c.clue.note),
                                            self.tr("clue_note_placeholder"), empty_error=self.tr("clue_note_empty")),
                                 self._clue_typed)

    def _clue_typed(self, text: str | None) -> None:
        if text is not None and self.c is not None:
            self._drafts["clue"] = text
            self._change("clue", {"clue.flag": True, "clue.note": text})

    def _unclue(self, yes: bool | None) -> None:
        if yes and self.c is not None:
            self._change("unclue", {"clue.flag": False, "clue.note": ""})

    def action_edit(self) -> None:
        c = self._ready()
        if c is None:
            return
        from .intake import IntakeScreen

        self.app.open_screen(IntakeScreen(edit=c))

    def action_delete(self) -> None:
        c = self._ready()
        if c is None:
            return
        self.app.open_screen(ConfirmScreen(self.tr("confirm_delete", ref=c.ref)), self._delete_confirmed)

    def _delete_confirmed(self, yes: bool | None) -> None:
        if yes and self.c is not None:
            tombstone = self.c.evolve(deleted=True)
            self._submit("delete", lambda store: store.save(tombstone))

    def action_receipt(self) -> None:
        self.app.action_receipt(self.consultation_id)

    def action_back(self) -> None:
        if self._saving:  # its result (or its error) must reach the officer
            self.app.notice(self.tr("wait_saving"), severity="warning")
        elif any(self._drafts.get(k) for k in ("note", "clue")):
            self.app.open_screen(ConfirmScreen(self.tr("discard_drafts")),
                                 lambda yes: self.app.pop_screen() if yes else None)
        else:
            self.app.pop_screen()
