"""The intake form's error messages: each FieldError under the field it names (one
line per field, hidden when empty), the field's row marked. Mixed into IntakeForm."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from textual.widget import Widget
from textual.widgets import Static

from ...domain.validation import FieldError
from .intake_values import DETAIL_KEYS

if TYPE_CHECKING:
    from textual.containers import VerticalScroll as _FormBase
else:
    _FormBase = object  # mixed into the form: typed as one, a plain class at run time

# Field name (as FieldError names it) -> id of the widget that edits it.
WIDGET_OF = {
    "category": "f-category", "visited_at": "f-visited",
    "visitor": "f-anonymous", "visitor.anonymous": "f-anonymous", "visitor.consent": "f-consent",
    "visitor.name": "f-name", "visitor.phone": "f-phone", "visitor.party_size": "f-party",
    **{f"details.{k}": f"f-d-{k}" for k in DETAIL_KEYS},
    "summary": "f-summary", "requests": "f-requests", "advice": "f-advice",
    "referrals": "f-referrals", "clue": "f-clue", "clue.flag": "f-clue", "clue.note": "f-clue-note",
    "status": "f-status", "follow_up_on": "f-follow", "related_to": "f-related-search",
}


class FormErrors(_FormBase):
    if TYPE_CHECKING:  # IntakeForm's own
        lang: str
        _shown: list[FieldError]

    @staticmethod
    def widget_of(e: FieldError) -> str:
        return WIDGET_OF.get(e.field) or WIDGET_OF.get(e.field.split(".")[0]) or "form"

    def clear_error(self, *wids: str) -> None:
        self._shown = [e for e in self._shown if self.widget_of(e) not in wids]
        for wid in wids:
            for err in self.query(f"#err-{wid}").results(Static):
                err.update("")
                err.display = False
            for row in self.query(f"#row-{wid}"):
                row.remove_class("-error")

    def clear_errors(self) -> None:
        self._shown = []
        for err in self.query(".field-error").results(Static):
            err.update("")
            err.display = False
        for row in self.query(".field.-error"):
            row.remove_class("-error")

    def show_errors(self, errors: Iterable[FieldError]) -> Widget | None:
        """Each message under its field; returns the first field (in form order) to focus."""
        errors = list(errors)
        self.clear_errors()
        self._shown = errors
        wids = self._display_errors(errors)
        order = [w.id for w in self.query("#form-body *") if w.id in wids]
        return self.query_one(f"#{order[0]}") if order else None

    def _display_errors(self, errors: list[FieldError]) -> set[str]:
        by_widget: dict[str, list[str]] = {}
        for e in errors:
            wid = self.widget_of(e)
            text = e.zh if self.lang == "zh" else e.en
            by_widget.setdefault(wid, []).append(f"{e.field}: {text}" if wid == "form" else text)
        sep = "；" if self.lang == "zh" else "; "
        for wid, texts in by_widget.items():
            err = self.query_one(f"#err-{wid}", Static)
            err.update(sep.join(dict.fromkeys(texts)))
            err.display = True
            for row in self.query(f"#row-{wid}"):
                row.add_class("-error")
        return set(by_widget)
