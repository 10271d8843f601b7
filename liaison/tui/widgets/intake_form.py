"""The fields of one consultation, as a scrolling form (new and edit share it).
What it holds and gives back is in form_values.py, its error messages in form_errors.py.

The form only holds what was typed. `values()` / `fill()` give the raw values (what a
draft keeps); `to_input()` and `to_edits()` turn them into what the domain checks
(`fields_from_input`, `apply_edits`; see intake_values); `show_errors()` puts each
FieldError under its field. Every change posts `IntakeForm.Changed`, so the screen can
autosave.

Why ~380 lines: one concept, the fields and how they answer each other (the category
shows its details, anonymity empties and disables the visitor, the referral list
filters as typed, the follow-up and the details show their hints). Its handlers are
Textual `@on` handlers, which are collected only from Textual classes, so they stay in
this one; what holds no handler (values, errors) is in its own module.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Select, SelectionList, Static, TextArea

from ...domain.advice import deadline_text, urgent_steps
from ...domain.input_values import details as read_details
from ...domain.pick import referral_matches
from ...domain.timeutil import TZ
from ...domain.validation import FieldError
from ...domain.vocab import CATEGORIES, CATEGORY_DETAILS, DETAIL_KINDS, DETAIL_LABELS, FORM_HIDDEN_DETAILS, STATUSES
from ..bindings import localize_bindings
from ..i18n import category as category_label
from ..i18n import referral as referral_label
from ..i18n import status as status_label
from ..i18n import tr
from .form_errors import FormErrors
from .form_fields import FORM_KEYS, FormInput, FormTextArea  # noqa: F401 — FORM_KEYS: the screen's keys
from .form_values import FormValues
from .intake_related import RelatedPicker
from .intake_values import DETAIL_KEYS, TEXTS, follow_up_date, to_input, visit_date

if TYPE_CHECKING:
    from ..app_base import BaseApp

WEEKDAYS_ZH = "一二三四五六日"
# One key from anywhere in the form to the controls that otherwise take 6–11 Tabs:
# (key, widget id, binding id). Shown beside each field's label and in the key bar.
JUMP_KEYS = (("f2", "f-status", "jump_status"), ("f3", "f-ref-filter", "jump_referrals"),
             ("f4", "f-follow", "jump_follow_up"), ("f7", "f-clue-note", "jump_clue"),
             ("f8", "f-related-search", "jump_related"))

LABEL_KEYS = {
    "f-category": "category", "f-visited": "visited", "f-name": "name", "f-phone": "phone",
    "f-party": "party_size", "f-summary": "summary", "f-requests": "requests", "f-advice": "advice",
    "f-referrals": "referrals", "f-clue-note": "clue_note", "f-status": "status", "f-follow": "follow_up",
}

def _row(wid: str, *widgets: Widget, below: Widget | None = None) -> Vertical:
    """Label | widget(s), and under them the field's error message (hidden when empty)."""
    return Vertical(
        Horizontal(Label(id=f"l-{wid}", classes="field-label"), *widgets, classes="field-row"),
        *([below] if below is not None else []),
        Static(id=f"err-{wid}", classes="field-error"),
        classes="field", id=f"row-{wid}",
    )


def _numbered(codes, label, lang: str) -> list[tuple[str, str]]:
    """Choices with the number each has everywhere (the vocabulary's order): the same
    digit picks it in the category step, F2/F3 filters and the status dialog."""
    return [(f"{i} {label(c, lang)}", c) for i, c in enumerate(codes, 1)]


class IntakeForm(FormValues, FormErrors, VerticalScroll):
    """All fields of a consultation; the category decides which detail fields show."""
    app: BaseApp  # Textual types it as any App: this project's (an annotation only)

    # Priority, and the focus set at once (not scheduled): a key typed right after a jump
    # key (`F2 4`) must reach the field jumped to (tui/typeahead.py).
    BINDINGS = [Binding(key, f"jump('{wid}')", tr(bid, "zh"), id=bid, priority=True) for key, wid, bid in JUMP_KEYS]

    class Changed(Message):
        """Something in the form was edited (by the officer or by `fill`)."""

    def __init__(self, *, consent_text: str = "", lang: str = "zh", id: str | None = None):
        super().__init__(id=id)
        self.consent_text = consent_text
        self.lang = lang
        self.category = "other"
        self._shown: list[FieldError] = []  # the errors on screen
        self._chosen: dict[str, None] = {}  # ticked referrals, in the order ticked
        self._kept: dict[str, str] = {}  # details the form does not show, as the record had them

    def compose(self) -> ComposeResult:
        with Vertical(id="form-body"):
            yield Static(id="err-form", classes="field-error")
            yield Static(id="sec-visit", classes="form-section")
            yield _row("f-category", Select(_numbered(CATEGORIES, category_label, self.lang), id="f-category", allow_blank=False, compact=True))
            yield _row("f-visited", FormInput(id="f-visited", classes="short", compact=True))
            yield Static(id="sec-visitor", classes="form-section")
            yield _row("f-anonymous", Checkbox(id="f-anonymous", compact=True))
            yield Static(id="consent-text", classes="hint consent-text")
            yield _row("f-consent", Checkbox(id="f-consent", compact=True))
            yield _row("f-name", FormInput(id="f-name", max_length=50, compact=True))
            yield _row("f-phone", FormInput(id="f-phone", max_length=20, classes="short", compact=True))
            yield _row("f-party", FormInput("1", id="f-party", type="integer", max_length=5, classes="tiny", compact=True))
            yield Static(id="sec-details", classes="form-section")
            for key in DETAIL_KEYS:
                if DETAIL_KINDS.get(key) == "flag":
                    yield _row(f"f-d-{key}", Checkbox(id=f"f-d-{key}", compact=True))
                else:
                    yield _row(f"f-d-{key}", FormInput(id=f"f-d-{key}", max_length=200, compact=True))
            yield Static(id="advice-hint", classes="hint advice-hint")
            yield Static(id="sec-content", classes="form-section")
            for name in TEXTS:
                yield _row(f"f-{name}", FormTextArea(id=f"f-{name}", classes=f"text-{name}", compact=True))
            yield Static(id="sec-handling", classes="form-section")
            yield _row("f-ref-filter", FormInput(id="f-ref-filter", max_length=20, classes="short", compact=True))
            yield _row("f-referrals", SelectionList(*[(referral_label(c, self.lang), c) for c in referral_matches("")], id="f-referrals", compact=True),
                       below=Static(id="referrals-hint", classes="hint"))
            yield _row("f-clue", Checkbox(id="f-clue", compact=True))
            yield _row("f-clue-note", FormInput(id="f-clue-note", max_length=500, compact=True))
            yield _row("f-status", Select(_numbered(STATUSES, status_label, self.lang), id="f-status", allow_blank=False, value="open", compact=True))
            yield _row("f-follow", FormInput(id="f-follow", classes="short", compact=True),
                       Button("+1", id="week1", classes="quick", compact=True), Button("+2", id="week2", classes="quick", compact=True),
                       below=Static(id="follow-hint", classes="hint"))
            yield _row("f-related-search", RelatedPicker(id="f-related"))

    # -- language --------------------------------------------------------------------
    def relabel(self, lang: str) -> None:
        self.lang = lang
        t = lambda key, **kw: tr(key, lang, **kw)  # noqa: E731
        jump = {wid: key.upper() for key, wid, _ in JUMP_KEYS}
        jump["f-referrals"] = jump["f-ref-filter"]
        for wid, key in LABEL_KEYS.items():
            text = t(key) if wid != "f-party" or self.category not in FORM_HIDDEN_DETAILS else self._head_count_label()
            self.query_one(f"#l-{wid}", Label).update(f"{text} [dim]{jump[wid]}[/dim]" if wid in jump else text)
        self.query_one("#l-f-ref-filter", Label).update(f"{t('referrals')} [dim]{jump['f-ref-filter']}[/dim]")
        self.query_one("#l-f-referrals", Label).update("")
        self.query_one("#l-f-related-search", Label).update(f"{t('related_to')} [dim]{jump['f-related-search']}[/dim]")
        self.query_one("#f-ref-filter", Input).placeholder = t("ref_filter_ph")
        self.query_one("#f-related", RelatedPicker).relabel(lang)
        localize_bindings(self, lang)
        for key in DETAIL_KEYS:
            self.query_one(f"#l-f-d-{key}", Label).update(DETAIL_LABELS[key][0 if lang == "zh" else 1])
            if DETAIL_KINDS.get(key) == "flag":
                self.query_one(f"#f-d-{key}", Checkbox).label = t("bool_yes")
            if DETAIL_KINDS.get(key) in ("date", "datetime"):
                self.query_one(f"#f-d-{key}", Input).placeholder = t("visited_ph" if DETAIL_KINDS[key] == "datetime" else "date_ph")
        self._update_advice_hint()
        for sec, key in (("visit", "section_visit"), ("visitor", "section_visitor"),
                         ("content", "section_content"), ("handling", "section_handling")):
            self.query_one(f"#sec-{sec}", Static).update(t(key))
        self.query_one("#sec-details", Static).update(t("section_details", category=category_label(self.category, lang)))
        self.query_one("#f-anonymous", Checkbox).label = f"{t('anonymous_visit')}  [dim]ctrl+a[/dim]"
        self.query_one("#f-consent", Checkbox).label = t("consent_box")
        self.query_one("#f-clue", Checkbox).label = t("clue_flag")
        self.query_one("#consent-text", Static).update(f"{t('consent_read')}{self.consent_text}")
        self.query_one("#f-visited", Input).placeholder = t("visited_ph")
        self.query_one("#f-phone", Input).placeholder = t("phone_ph")
        self.query_one("#f-follow", Input).placeholder = t("follow_up_ph")
        self.query_one("#f-summary", TextArea).placeholder = t("summary_ph")
        self.query_one("#week1", Button).label = f"{t('week1')} F5"
        self.query_one("#week2", Button).label = f"{t('week2')} F6"
        self._relabel_select("#f-category", _numbered(CATEGORIES, category_label, lang))
        self._relabel_select("#f-status", _numbered(STATUSES, status_label, lang))
        self._filter_referrals()
        self.query_one("#referrals-hint", Static).update(t("referrals_filter_hint"))
        self._update_follow_hint()
        if self._shown:
            self._display_errors(self._shown)  # the messages, in the new language

    def _relabel_select(self, selector: str, options: list[tuple[str, str]]) -> None:
        sel = self.query_one(selector, Select)
        value = sel.value
        with sel.prevent(Select.Changed):
            sel.set_options(options)
            # Setting the value it already has would not redraw the shown label.
            sel.value = next(v for _, v in options if v != value)
            sel.value = value

    # -- category and anonymity ----------------------------------------------------------
    def set_category(self, code: str) -> None:
        self.category = code
        sel = self.query_one("#f-category", Select)
        if sel.value != code:
            with sel.prevent(Select.Changed):
                sel.value = code
        keys = [k for k in CATEGORY_DETAILS.get(code, ()) if k not in FORM_HIDDEN_DETAILS.get(code, ())]
        for key in DETAIL_KEYS:
            self.query_one(f"#row-f-d-{key}").display = key in keys
        self.query_one("#sec-details").display = bool(keys)
        party = tr("party_size", self.lang) if code not in FORM_HIDDEN_DETAILS else self._head_count_label()
        self.query_one("#l-f-party", Label).update(party)
        self._update_advice_hint()
        self.query_one("#sec-details", Static).update(
            tr("section_details", self.lang, category=category_label(code, self.lang)))

    def _head_count_label(self) -> str:
        """Labour asks one head-count: the workers involved, kept as the party size."""
        return DETAIL_LABELS["workers"][0 if self.lang == "zh" else 1]

    # -- keys: one key to the far fields -------------------------------------------------
    def action_jump(self, wid: str) -> None:
        target = self.query_one(f"#{wid}")
        self.screen.set_focus(target)
        self.query_one(f"#row-{wid}").scroll_visible(animate=False)

    def on_key(self, event) -> None:
        """On the status field, 1–5 picks a status (the numbers of the status list)."""
        focused = self.screen.focused
        status = self.query_one("#f-status", Select)
        if focused is None or not event.character or not event.character.isdigit():
            return
        if status not in focused.ancestors_with_self:
            return
        i = int(event.character) - 1
        if 0 <= i < len(STATUSES):
            event.stop()
            event.prevent_default()
            status.value = list(STATUSES)[i]
            status.expanded = False

    # -- referrals: filtered by typing ----------------------------------------------------
    def _filter_referrals(self) -> None:
        """Show the referrals matching the filter, best first; the ticks are kept in
        `_chosen` (the list loses its ticks when its options are replaced)."""
        refs = self.query_one("#f-referrals", SelectionList)
        codes = referral_matches(self.query_one("#f-ref-filter", Input).value)
        with refs.prevent(SelectionList.SelectedChanged):
            refs.clear_options()
            refs.add_options([(referral_label(c, self.lang), c, c in self._chosen) for c in codes])
        if codes:
            refs.highlighted = 0

    def _referrals_ticked(self) -> None:
        refs = self._q("#f-referrals", SelectionList)
        shown = {refs.get_option_at_index(i).value for i in range(refs.option_count)}
        ticked = set(refs.selected)
        for code in shown:
            if code in ticked:
                self._chosen.setdefault(code, None)
            else:
                self._chosen.pop(code, None)

    @on(Input.Submitted, "#f-ref-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.tick_best(event.value)

    def tick_best(self, value: str) -> None:
        """Enter in the filter ticks (or unticks) the best match, and the filter starts
        again. Called at once by the screen's type-ahead, so keys typed after Enter
        (a follow-up key, ctrl+s) find the referral already ticked."""
        codes = referral_matches(value)
        if value.strip() and codes:
            code = codes[0]
            if code in self._chosen:
                self._chosen.pop(code)
            else:
                self._chosen[code] = None
            self._q("#f-ref-filter", Input).value = ""  # refilters (Input.Changed)
            self._filter_referrals()
            self.clear_error("f-referrals")
            self.post_message(self.Changed())

    # -- what the details say: urgent steps, deadlines -------------------------------------
    def _update_advice_hint(self) -> None:
        hint = self.query_one("#advice-hint", Static)
        try:
            raw = to_input(self.values(), self._today())
            details = read_details(self.category, raw["details"], [])
        except Exception:  # half-typed values: no hint yet
            details = {}
        now = datetime.now(TZ) if not callable(getattr(self.app, "now", None)) else self.app.now()
        record = {"category": self.category, "details": details}
        parts = [x for x in (urgent_steps(record, now, self.lang),
                             deadline_text(self.category, details, self._today(), self.lang)) if x]
        hint.update("\n".join(parts))
        hint.display = bool(parts)
        hint.set_class(bool(urgent_steps(record, now)), "-urgent")

    @property
    def anonymous(self) -> bool:
        return self.query_one("#f-anonymous", Checkbox).value

    def toggle_anonymous(self) -> None:
        self.query_one("#f-anonymous", Checkbox).toggle()

    def _apply_anonymous(self, on: bool) -> None:
        focused = self.screen.focused
        if on and focused is not None and focused.id in ("f-name", "f-phone", "f-consent"):
            self.query_one("#f-party", Input).focus()  # the next field still open
        for wid in ("f-name", "f-phone"):
            w = self.query_one(f"#{wid}", Input)
            if on:
                w.value = ""
            w.disabled = on
        consent = self.query_one("#f-consent", Checkbox)
        if on:
            consent.value = False
        consent.disabled = on
        self.query_one("#consent-text").display = not on
        if on:
            self.clear_error("f-name", "f-phone", "f-consent")

    # -- follow-up -----------------------------------------------------------------------
    def _today(self) -> date:
        today = getattr(self.app, "today", None)
        return today() if callable(today) else datetime.now(TZ).date()

    def visit_day(self, fallback: date) -> date:
        return visit_date(self.query_one("#f-visited", Input).value, fallback)

    def shift_follow_up(self, weeks: int, fallback: date) -> None:
        day = self.visit_day(fallback) + timedelta(weeks=weeks)
        self.query_one("#f-follow", Input).value = day.isoformat()

    def _update_follow_hint(self) -> None:
        hint = ""
        text = self.query_one("#f-follow", Input).value.strip()
        if text:
            visit = self.visit_day(self._today())
            try:
                day = date.fromisoformat(follow_up_date(text, visit))
            except ValueError:
                day = None
            if day is not None:
                wd = f"星期{WEEKDAYS_ZH[day.weekday()]}" if self.lang == "zh" else f"{day:%A}"
                shown = "" if text == day.isoformat() else f"{day.isoformat()} "
                hint = tr("follow_hint", self.lang, date=shown, weekday=wd, n=(day - visit).days)
        self.query_one("#follow-hint", Static).update(hint)

    @on(Button.Pressed, ".quick")
    def _quick(self, event: Button.Pressed) -> None:
        event.stop()
        self.shift_follow_up(1 if event.button.id == "week1" else 2, self._today())

    # -- changes ---------------------------------------------------------------------------
    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Checkbox.Changed)
    @on(Select.Changed)
    @on(SelectionList.SelectedChanged)
    def _changed(self, event: Message) -> None:
        control = getattr(event, "control", None)
        wid = getattr(control, "id", None) or ""
        if wid == "f-anonymous":
            self._apply_anonymous(self.anonymous)
        elif wid == "f-category" and isinstance(event, Select.Changed) and event.value in CATEGORIES:
            self.set_category(str(event.value))
        elif wid == "f-clue-note" and self.query_one("#f-clue-note", Input).value.strip():
            self.query_one("#f-clue", Checkbox).value = True  # a note is a clue
        if wid in ("f-follow", "f-visited"):
            self._update_follow_hint()
        if wid == "f-referrals":
            self._referrals_ticked()
        elif wid == "f-ref-filter":
            self._filter_referrals()
        if wid.startswith("f-d-") or wid in ("f-visited", "f-category"):
            self._update_advice_hint()
        if wid:
            self.clear_error(wid)
        self.post_message(self.Changed())

    @on(RelatedPicker.Changed)
    def _related_changed(self, event: RelatedPicker.Changed) -> None:
        event.stop()
        self.clear_error("f-related-search")
        self.post_message(self.Changed())

    # -- values ------------------------------------------------------------------------------
    def on_mount(self) -> None:
        # Direct references: cheaper than queries, and still readable while the screen
        # is being taken down (the last draft is written then).
        self._widgets = {w.id: w for w in self.query("#form-body *") if w.id}
        # The fields are FormInput/FormTextArea: they leave the form's keys (FORM_KEYS)
        # to the form, so the key bar keeps its order wherever the cursor is.
        # Enter in a one-line field goes on to the next one: the screen does that (with
        # Tab and the other keys typed ahead, see tui/typeahead.py).
