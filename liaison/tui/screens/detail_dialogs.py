"""The detail screen's dialogs: a note or clue prompt that never drops typed text, and
the follow-up date picker with its quick choices; and the date reading they share."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Static

from ...domain.consultation import Consultation
from ...domain.intake import apply_edits
from ...domain.validation import ValidationError
from ..base import LiaisonModal
from .modals import ConfirmScreen, PromptScreen


def resolve_date(text: str, today: date) -> date | None:
    """What the officer typed in the follow-up box: '' clears (None); 1-9 are weeks
    from today; +N / N天 days, Nw / N周 weeks; YYYY-MM-DD (also / . 年月日) or MM-DD.
    Raises ValueError for anything else."""
    t = unicodedata.normalize("NFKC", text).strip().lower()
    if not t:
        return None
    if m := re.fullmatch(r"\+?(\d{1,3})\s*(w|周|d|天)?", t):
        n, unit = int(m.group(1)), m.group(2)
        if unit in ("w", "周") or (unit is None and not t.startswith("+") and 1 <= n <= 9):
            return today + timedelta(weeks=n)
        if unit in ("d", "天") or t.startswith("+"):
            return today + timedelta(days=n)
    if m := re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", t):
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if m := re.fullmatch(r"(\d{4})(\d{2})(\d{2})", t):
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if m := re.fullmatch(r"(\d{1,2})[-/.月](\d{1,2})日?", t):
        return date(today.year, int(m.group(1)), int(m.group(2)))
    raise ValueError(text)


def field_errors(e: ValidationError, lang: str) -> str:
    return "；".join(err.zh if lang == "zh" else err.en for err in e.errors)


class TextPrompt(PromptScreen):
    """A PromptScreen that refuses an empty answer and asks before dropping typed text."""

    def __init__(self, title: str, value: str = "", placeholder: str = "", *, empty_error: str):
        super().__init__(title, value, placeholder)
        self.empty_error = empty_error

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.prevent_default()  # PromptScreen's handler would dismiss with anything
        event.stop()
        if not event.value.strip():
            self.show_error(self.empty_error)
        else:
            self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        typed = self.query_one(Input).value
        if typed.strip() and typed != self.value:
            self.app.open_screen(ConfirmScreen(self.tr("discard_changes")),
                                 lambda yes: self.dismiss(None) if yes else None)
        else:
            self.dismiss(None)


class FollowUpScreen(LiaisonModal):
    """Pick a follow-up date: '1'/'2' + Enter for one/two weeks, a typed date, or
    empty to clear. Checked against the record before it closes; dismisses with the
    ISO date, '' to clear, or None (Esc)."""

    BINDINGS = [Binding("escape", "cancel", "取消", id="no")]

    def __init__(self, c: Consultation, today: date, value: str = ""):
        super().__init__()
        self.c, self.today, self.value = c, today, value

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(id="fu-title", classes="section-title")
            yield Static(id="fu-info")
            yield Static(id="fu-hint", classes="hint")
            yield Input(self.value, placeholder="YYYY-MM-DD", id="fu-input")
            yield Static(id="fu-preview")
            yield Static(id="fu-error", classes="field-error")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one(Input).focus()

    def _day(self, d: date) -> str:
        return f"{d.isoformat()} {self.tr('weekdays').split()[d.weekday()]}"

    def apply_lang(self) -> None:
        c = self.c
        current = c.follow_up_on.isoformat() if c.follow_up_on else self.tr("not_set")
        self.query_one("#fu-title", Static).update(self.tr("follow_up_title") + f" · {c.ref}")
        self.query_one("#fu-info", Static).update(
            self.tr("follow_up_info", visited=c.visited_at.date().isoformat(), current=current))
        self.query_one("#fu-hint", Static).update(self.tr(
            "follow_up_hint", w1=self._day(self.today + timedelta(weeks=1)), w2=self._day(self.today + timedelta(weeks=2))))
        self._preview(self.query_one(Input).value)

    def _preview(self, text: str) -> None:
        try:
            d = resolve_date(text, self.today)
        except ValueError:
            shown = ""
        else:
            if d is None:
                shown = self.tr("follow_up_clears") if self.c.follow_up_on else ""
            else:
                shown = "→ " + self._day(d)
            if d is not None and d < self.today:
                shown += " " + self.tr("before_today")
        self.query_one("#fu-preview", Static).update(Text(shown))

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_one("#fu-error", Static).update("")
        self._preview(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        error = self.query_one("#fu-error", Static)
        try:
            d = resolve_date(event.value, self.today)
        except ValueError:
            error.update(Text(self.tr("bad_date")))
            return
        value = d.isoformat() if d else ""
        try:
            apply_edits(self.c, {"follow_up_on": value})  # the record's own rules, e.g. not before the visit
        except ValidationError as e:
            error.update(Text(field_errors(e, self.app.lang)))
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)
