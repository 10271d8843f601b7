"""New consultation (and edit): pick the category, fill the form, ctrl+s.

Step 1 is the category (number keys 1–8, or arrows and Enter); step 2 is the form,
showing only the detail fields of that category. Input is checked by the domain
(`fields_from_input` / `apply_edits`), and every message appears under its field.
Saving runs in the app's save worker; the new reference number is shown when it is on
disk. A new consultation's raw input is autosaved as a draft (`store.drafts`) shortly
after each change, in a worker, and offered back when the form is opened again. The
draft is sealed under the session's data key (`app.drafts()`), since it holds a
resident's name and story. When the app locks, a new form's input is sealed there too
and the form closes (`take_for_lock`); the app reopens it after the unlock. The draft's
handling is in `tui/drafting.py`.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.timer import Timer
from textual.widgets import ContentSwitcher, Header, Input, OptionList, Static
from textual.widgets.option_list import Option

from ...domain.consultation import Consultation
from ...domain.intake import apply_edits, fields_from_input
from ...domain.validation import FieldError, ValidationError
from ...domain.vocab import CATEGORIES
from ..app_base import ERROR_TIMEOUT
from ..base import LiaisonScreen
from ..drafting import DraftAutosave
from ..i18n import category as category_label
from ..i18n import explain
from ..key_backlog import SAVE
from ..messages import ConsultationSaved, SaveFailed
from ..typeahead import TypeAhead, drained, typeahead_bindings
from ..widgets.intake_form import IntakeForm
from ..widgets.intake_values import meaningful, record_values
from ..widgets.keybar import KeyBar
from .modals import ConfirmScreen


class IntakeScreen(TypeAhead, DraftAutosave, LiaisonScreen):
    # Keys typed back to back are applied in order, whatever they do (typeahead.py):
    # the category's number, Tab, Enter … are priority bindings, run before the next key.
    BINDINGS = [
        *typeahead_bindings(),
        *[Binding(str(i + 1), f"pick({i})", show=False, priority=True) for i in range(len(CATEGORIES))],
        Binding("escape", "leave", "返回", id="back"),
        Binding("ctrl+s", "save", "保存", id="save", priority=True),
        Binding("ctrl+a", "anonymous", "匿名", id="anonymous", priority=True),
        Binding("f5", "follow_up(1)", "+1周", id="week1", priority=True),
        Binding("f6", "follow_up(2)", "+2周", id="week2", priority=True),
    ]

    def __init__(self, edit: Consultation | None = None, *, draft: dict[str, Any] | None = None):
        super().__init__()
        self.edit = edit
        self._draft = draft
        self._step = "category"
        self._baseline: dict[str, Any] = {}
        self._saving = False
        self._finished = False  # saved or discarded: no more draft writes (not _closed: Textual uses that)
        self._draft_ready = edit is not None or draft is not None  # the old draft was dealt with
        self._timer: Timer | None = None
        self._seq = self._written = 0
        self._pending = False

    @property
    def saving(self) -> bool:
        return self._saving

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="intake-title")
        with ContentSwitcher(initial="step-category", id="intake-steps"):
            with Vertical(id="step-category"):
                yield Static(id="pick-title", classes="section-title")
                yield OptionList(*[Option(f"[b]{i + 1}[/b]  {category_label(code, self.app.lang)}", id=code)
                                   for i, code in enumerate(CATEGORIES)], id="category-list")
                yield Static(id="pick-hint", classes="hint")
            station = self.app.station
            yield IntakeForm(id="step-form", consent_text=station.consent_text if station else "", lang=self.app.lang)
        yield KeyBar()

    def on_mount(self) -> None:
        self.form = self.query_one(IntakeForm)  # kept: still readable while the screen goes
        super().on_mount()
        if self.edit is not None:
            self.form.set_category(self.edit.category)
            self.form.fill(record_values(self.edit))
            self._baseline = self.form.values()
            self._show_form(focus="#f-summary")
            return
        self.form.query_one("#f-visited", Input).value = self._default_visit()
        self._baseline = self.form.values()
        if self._draft is not None:
            self._restore(self._draft)
        else:
            self.set_focus(self.query_one("#category-list", OptionList))  # now: keys may follow `n`
            self._check_draft()

    def _default_visit(self) -> str:
        return self.app.now().strftime("%Y-%m-%d %H:%M")

    def apply_lang(self) -> None:
        lang = self.app.lang
        title = self.tr("new_title") if self.edit is None else self.tr("edit_title", ref=self.edit.ref)
        self.query_one("#intake-title", Static).update(f"[b]{title}[/b]")
        self.query_one("#pick-title", Static).update(self.tr("pick_category"))
        self.query_one("#pick-hint", Static).update(self.tr("pick_hint"))
        options = self.query_one("#category-list", OptionList)
        for i, code in enumerate(CATEGORIES):
            options.replace_option_prompt_at_index(i, f"[b]{i + 1}[/b]  {category_label(code, lang)}")
        self.form.relabel(lang)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("save", "anonymous", "follow_up"):
            return self._step == "form"
        if action == "pick":
            return self._step == "category"  # on the form a digit is typed into its field
        return super().check_action(action, parameters)

    # -- step 1: category --------------------------------------------------------------
    def action_pick(self, index: int) -> None:
        self._pick(list(CATEGORIES)[index])

    def typeahead_enter(self, widget) -> bool:
        if self._step == "category" and isinstance(widget, OptionList):
            option = widget.highlighted_option  # picked at once, not by a later message
            if option is not None and option.id in CATEGORIES:
                self._pick(option.id)
            return True
        if isinstance(widget, Input) and widget.id == "f-ref-filter":
            self.form.tick_best(widget.value)  # Enter ticks the best match there; it does not move on
            return True
        if isinstance(widget, Input) and widget.id == "f-related-search":
            widget.post_message(Input.Submitted(widget, widget.value))  # Enter picks a match there
            return True
        return super().typeahead_enter(widget)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self._step == "category" and event.option.id in CATEGORIES:
            self._pick(event.option.id)

    def _pick(self, code: str) -> None:
        self.form.set_category(code)
        self._show_form(focus="#f-consent")

    def _show_form(self, focus: str) -> None:
        self._step = "form"
        self.query_one(ContentSwitcher).current = "step-form"
        self.refresh_bindings()
        target = self.form.query_one(focus)
        if target.disabled:
            target = self.form.query_one("#f-summary")
        # At once (`focus()` waits for a refresh): the next key typed goes to this field.
        self.set_focus(target)

    # -- step 2: the form --------------------------------------------------------------
    def action_anonymous(self) -> None:
        self.form.toggle_anonymous()

    def action_follow_up(self, weeks: int) -> None:
        self.form.shift_follow_up(weeks, self.app.today())

    def _dirty(self) -> bool:
        """Is there input worth keeping (compared with the blank or the stored form)?"""
        if self._step != "form":
            return False
        cur, base = self.form.values(), self._baseline
        if self.edit is None:
            cur, base = meaningful(cur), meaningful(base)
        return cur != base

    async def action_save(self) -> None:
        if self._step == "form" and self.focused is not None:
            await drained(self.focused)  # what was typed just before ctrl+s is in the form
        if self._saving or self._step != "form":
            return
        today = self.app.today()
        audit: tuple[str, dict[str, Any] | None]
        try:
            if self.edit is None:
                fields = fields_from_input(self.form.to_input(today), officer=self._officer())
                op = lambda store: store.create(fields)  # noqa: E731
                audit = ("create", None)
            else:
                edits = self.form.to_edits(today)
                if self.form.values()["visited_at"] == self._baseline.get("visited_at"):
                    edits.pop("visited_at")  # untouched: keep the stored time to the second
                edited = apply_edits(self.edit, edits)
                if edited == self.edit:
                    self.app.notice(self.tr("no_changes"))
                    self._close(None)
                    return
                op = lambda store: store.save(edited)  # noqa: E731
                before, after = self.edit.to_dict(), edited.to_dict()
                audit = ("edit", {"fields": sorted(k for k in after if after[k] != before.get(k)
                                                   and k not in ("version", "updated_at"))})
        except ValidationError as e:
            self._show_errors(e.errors)
            return
        self.form.clear_errors()
        self._saving = True
        # Keys typed from here (`n` for the next visitor …) wait for the answer: the
        # screen after a save, or this form with its errors (key_backlog).
        self.app.hold_keys(SAVE)
        self.app.save(op, self, created=self.edit is None, audit=audit)

    def _officer(self) -> str:
        """Who is creating it: the officer who unlocked (the app's session)."""
        session = self.app.session
        return session.officer if session is not None else self.app.opened_store.officer

    def _show_errors(self, errors: list[FieldError]) -> None:
        first = self.form.show_errors(errors)
        self.app.notice(self.tr("form_errors", n=len({e.field for e in errors})), severity="warning", timeout=6)
        if first is not None:
            self.set_focus(first)  # at once: the keys typed next go there
            self.form.query_one(f"#row-{first.id}").scroll_visible(animate=False)

    def on_consultation_saved(self, message: ConsultationSaved) -> None:
        message.stop()
        self._saving = False
        c = message.consultation
        text = self.tr("saved", ref=c.ref)
        if not message.created:
            text += " · " + self.tr("new_version", v=c.version)
        self.app.notice(text)  # the app's short default: a success notice never lingers
        self._close(c)

    def on_save_failed(self, message: SaveFailed) -> None:
        message.stop()
        self._saving = False
        if isinstance(message.error, ValidationError):
            self._show_errors(message.error.errors)
        else:
            self.app.notice(self.tr("save_failed", error=explain(message.error, self.app.lang)), severity="error", timeout=ERROR_TIMEOUT)
        self.app.release_keys(SAVE)

    def action_leave(self) -> None:
        if self._saving:
            return
        if not self._dirty():
            self._close(None)
            return

        def answer(yes: bool | None) -> None:
            if yes:
                self._close(None)
        self.app.open_screen(ConfirmScreen(self.tr("discard_changes")), answer)

    def _close(self, result: Consultation | None) -> None:
        """Leave the screen for good (saved or discarded): the draft goes too."""
        self._finished = True
        if self._timer is not None:
            self._timer.stop()
        if self.edit is None and self._draft_ready:
            self._clear_draft()
        self.dismiss(result)
        self.app.release_keys(SAVE)  # what was typed meanwhile goes to the screen beneath

    def on_unmount(self) -> None:
        self.app.release_keys(SAVE)  # gone some other way while saving: the keys go on

    # -- drafts (autosave, offer back, lock: drafting.DraftAutosave) ----------------------
    def _restore(self, data: dict[str, Any]) -> None:
        self.form.set_category(data["category"] if data.get("category") in CATEGORIES else "other")
        self.form.fill(data)
        self.app.notice(self.tr("draft_restored"))
        self._show_form(focus="#f-summary" if data.get("anonymous") else "#f-consent")
