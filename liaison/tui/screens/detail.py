"""One consultation in full — visitor, story, referrals, clue, follow-up, notes — and
the keys that change it. Every change is a new version saved by `app.save` in a worker.

Full name and phone are shown here, and only here (lists mask them); opening it
writes a "view" entry to the audit log, each change an "edit" (or "delete") entry,
under the officer who unlocked. What the officer types is never
lost: a prompt asks before dropping typed text, and after a failed save the text is
kept and offered again on the next try.
"""

from __future__ import annotations

from typing import Callable

from rich.cells import cell_len
from rich.console import Group
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.color import Color
from textual.containers import VerticalScroll
from textual.widgets import Header, Static

from ...domain.consultation import Consultation
from ...domain.intake import apply_edits
from ...domain.text import safe_doc
from ...domain.validation import ValidationError
from ...domain.vocab import DONE_STATUSES, STATUSES
from ...store import NotFound, Store, StoreError, VersionConflict
from ..widgets.keybar import KeyBar
from ..base import LiaisonScreen
from ..i18n import category, explain, referral, status
from ..messages import ConsultationSaved, SaveFailed
from ..app_base import ERROR_TIMEOUT
from .detail_dialogs import FollowUpScreen, TextPrompt, field_errors
from .detail_fields import advice_lines, detail_rows, related_both_ways
from ...domain.advice import visitor_label
from .modals import ConfirmScreen, PickScreen

# Which key retries a change whose typed text was kept after a failed save.
RETRY_KEY = {"note": "n", "clue": "c", "follow_up": "f"}
STATUS_COLOUR = {"open": "text-warning", "referred": "text-primary", "following_up": "text-accent",
                 "resolved": "text-success", "closed": "text-success"}


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
        with VerticalScroll(id="detail"):
            yield Static(id="detail-head")
            yield Static(id="detail-banner")
            yield Static(id="detail-body")
            yield Static(id="detail-notes")
        yield KeyBar()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#detail").focus()
        self.watch(self.app, "theme", lambda _: self.show(), init=False)

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
            c = self.app.store.get(self.consultation_id)
        except NotFound:
            c = None
        except StoreError as e:
            self.app.call_from_thread(self._set_banner, lambda err=e: (explain(err, self.app.lang), True))
            return
        if c is not None:
            try:
                related = related_both_ways(self.app.store, c)
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
    def _colour(self, name: str) -> str | None:
        value = self.app.theme_variables.get(name)
        try:
            return Color.parse(value).hex6 if value else None
        except Exception:
            return None

    def _set_banner(self, make: Callable[[], tuple[str, bool]] | None) -> None:
        self._banner = make
        self._show_banner()

    def _show_banner(self) -> None:
        banner = self.query_one("#detail-banner", Static)
        text, error = self._banner() if self._banner else ("", False)
        if not text and self.c is not None and self.c.deleted:
            text, error = self.tr("deleted_banner"), True
        banner.update(Text(text))
        banner.display = bool(text)
        banner.set_class(error, "-error")

    def show(self) -> None:
        head = self.query_one("#detail-head", Static)
        body = self.query_one("#detail-body", Static)
        notes = self.query_one("#detail-notes", Static)
        self._show_banner()
        c = self.c
        if c is None:
            head.update(Text(self.tr("not_found" if self.missing else "record_loading")))
            body.update("")
            notes.update("")
            return
        # A record stored before today's rules may hold control characters: shown as
        # U+FFFD, never sent to the terminal.
        c = Consultation.from_dict(safe_doc(c.to_dict()))
        head.update(self._head(c))
        body.update(self._body(c))
        notes.update(self._notes(c))

    def _head(self, c: Consultation) -> Text:
        lang = self.app.lang
        t = Text()
        t.append(c.ref, Style(bold=True))
        t.append("  ")
        t.append(f" {status(c.status, lang)} ", Style(bold=True, reverse=True, color=self._colour(STATUS_COLOUR.get(c.status, ""))))
        t.append(f"  {category(c.category, lang)}  ·  {self.tr('version_n', v=c.version)}")
        if c.clue.flag:
            t.append("  ")
            t.append(f" {self.tr('clue_label')} ", Style(bold=True, color=self._colour("text-warning")))
        if c.deleted:
            t.append("  ")
            t.append(f" {self.tr('deleted')} ", Style(bold=True, reverse=True, color=self._colour("text-error")))
        return t

    def _grid(self, labels: list[str]) -> Table:
        grid = Table.grid(padding=(0, 2), expand=True)
        grid.add_column(width=max(map(cell_len, labels), default=4), no_wrap=True, style=Style(dim=True))
        grid.add_column(ratio=1, overflow="fold")
        return grid

    def _follow_up(self, c: Consultation) -> Text:
        if c.follow_up_on is None:
            return Text(self.tr("not_set"), Style(dim=True))
        t = Text(c.follow_up_on.isoformat() + " " + self.tr("weekdays").split()[c.follow_up_on.weekday()])
        today = self.app.today()
        if c.status in DONE_STATUSES:
            t.append(f"  {self.tr('no_follow_up_needed')}", Style(dim=True))
        elif c.follow_up_on < today:
            t.append(f"  {self.tr('overdue_days', n=(today - c.follow_up_on).days)}",
                     Style(bold=True, color=self._colour("text-error")))
            t.stylize(Style(color=self._colour("text-error")), 0, 10)
        elif c.follow_up_on == today:
            t.append(f"  {self.tr('due_today_tag')}", Style(bold=True, color=self._colour("text-warning")))
        else:
            t.append(f"  {self.tr('in_days', n=(c.follow_up_on - today).days)}", Style(dim=True))
        return t

    def _body(self, c: Consultation) -> Table:
        lang, v = self.app.lang, c.visitor
        none = self.tr("none")
        yes_no = lambda b: self.tr("bool_yes" if b else "bool_no")  # noqa: E731
        rows: list[tuple[str, Text | str] | None] = [
            (self.tr("visited"), c.visited_at.strftime("%Y-%m-%d %H:%M")),
            (self.tr("officer"), c.officer or none),
            None,
        ]
        if v.anonymous:  # nothing personal was kept, so there is no consent to show
            rows += [(self.tr("visitor"), self.tr("anon_visitor")), (self.tr("party_size"), str(v.party_size))]
        else:
            rows += [(self.tr("visitor"), visitor_label(v.name, False, lang)), (self.tr("phone"), v.phone or none),
                     (self.tr("party_size"), str(v.party_size)), (self.tr("consent"), yes_no(v.consent))]
        if c.details:
            rows.append(None)
            rows += detail_rows(c, lang)
        advice = advice_lines(c, self.app.now(), self.app.today(), lang)
        if advice:
            rows.append((self.tr("advice_label"), Text("\n".join(advice), Style(bold=True, color=self._colour("text-warning")))))
        clue = Text(yes_no(c.clue.flag))
        if c.clue.flag:
            clue.stylize(Style(bold=True, color=self._colour("text-warning")))
        rows += [
            None,
            (self.tr("summary"), c.summary or none),
            (self.tr("requests"), c.requests or none),
            (self.tr("advice"), c.advice or none),
            None,
            (self.tr("referrals"), ("、" if lang == "zh" else ", ").join(referral(r, lang) for r in c.referrals) or none),
            (self.tr("clue_label"), clue),
            *([(self.tr("clue_note"), c.clue.note)] if c.clue.note else []),
            (self.tr("follow_up"), self._follow_up(c)),
        ]
        earlier, later = self._related
        if earlier:
            rows.append((self.tr("related_to"), "\n".join(earlier)))
        if later:
            rows.append((self.tr("related_later"), "\n".join(later)))
        if c.updated_at and c.version > 1:
            rows.append((self.tr("updated"), c.updated_at.strftime("%Y-%m-%d %H:%M")))
        grid = self._grid([r[0] for r in rows if r])
        for r in rows:
            if r is None:
                grid.add_row("", "")
            else:  # Text, never markup: what people typed may contain [brackets]
                grid.add_row(Text(r[0]), r[1] if isinstance(r[1], Text) else Text(r[1]))
        return grid

    def _notes(self, c: Consultation) -> Group:
        title = Text(f"{self.tr('notes')} ({len(c.notes)})", Style(bold=True))
        if not c.notes:
            return Group(Text(""), title, Text(self.tr("no_notes"), Style(dim=True)))
        grid = Table.grid(padding=(0, 2), expand=True)
        grid.add_column(no_wrap=True, style=Style(dim=True))
        grid.add_column(no_wrap=True)
        grid.add_column(ratio=1, overflow="fold")
        for n in sorted(c.notes, key=lambda n: n.at):
            grid.add_row(Text(n.at.strftime("%Y-%m-%d %H:%M")), Text(n.officer), Text(n.text))
        return Group(Text(""), title, grid)

    # -- changing ------------------------------------------------------------------
    def _ready(self) -> bool:
        if self.c is None or self.app.store is None:
            return False
        if self._saving:
            self.app.notice(self.tr("wait_saving"), severity="warning")
            return False
        if self.c.deleted:
            self.app.notice(self.tr("is_deleted"), severity="warning")
            return False
        return True

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
            self._set_banner(lambda err=e: (field_errors(err, self.app.lang), True))
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
        if not self._ready():
            return
        choices = [(status(code, self.app.lang), code) for code in STATUSES]
        self.app.open_screen(PickScreen(self.tr("pick_status"), choices, self.c.status), self._status_picked)

    def _status_picked(self, code: str | None) -> None:
        if code is not None and self.c is not None and code != self.c.status:
            self._change("status", {"status": code})

    def action_note(self) -> None:
        if not self._ready():
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
        if not self._ready():
            return
        self.app.open_screen(FollowUpScreen(self.c, self.app.today(), self._drafts.get("follow_up", "")),
                             self._follow_up_chosen)

    def _follow_up_chosen(self, value: str | None) -> None:
        if value is None or self.c is None:
            return
        current = self.c.follow_up_on.isoformat() if self.c.follow_up_on else ""
        if value != current:
            self._drafts["follow_up"] = value
            self._change("follow_up", {"follow_up_on": value})

    def action_clue(self) -> None:
        if not self._ready():
            return
        if self.c.clue.flag:
            self.app.open_screen(ConfirmScreen(self.tr("confirm_unclue")), self._unclue)
        else:
            self.app.open_screen(TextPrompt(self.tr("clue_note_title"), self._drafts.get("clue", self.c.clue.note),
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
        if not self._ready():
            return
        try:
            from .intake import IntakeScreen

            screen = IntakeScreen(edit=self.c)
        except (ImportError, TypeError):  # the form (or its edit mode) is not there yet
            self.app.notice(self.tr("edit_unavailable"), severity="warning")
            return
        self.app.open_screen(screen)

    def action_delete(self) -> None:
        if not self._ready():
            return
        self.app.open_screen(ConfirmScreen(self.tr("confirm_delete", ref=self.c.ref)), self._delete_confirmed)

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
