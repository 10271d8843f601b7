"""What the intake form holds, as raw values: `values()` / `fill()` (what a draft keeps,
what a record fills in), `to_input()` / `to_edits()` for the domain's checks
(intake_values). Mixed into IntakeForm, which has the fields."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from textual.widget import Widget
from textual.widgets import Checkbox, Input, Select, TextArea

from ...domain.pick import referral_matches
from ...domain.validation import ValidationError, related_errors
from ...domain.vocab import CATEGORIES, CATEGORY_DETAILS, DETAIL_KINDS, FORM_HIDDEN_DETAILS, STATUSES
from .intake_related import RelatedPicker
from .intake_values import DETAIL_KEYS, TEXTS, to_edits, to_input

if TYPE_CHECKING:
    from textual.containers import VerticalScroll as _FormBase

    from ..app_base import BaseApp
else:
    _FormBase = object  # mixed into the form: typed as one, a plain class at run time

W = TypeVar("W", bound=Widget)
TRUE_TEXT = {"1", "true", "yes", "是", "y"}


class FormValues(_FormBase):
    if TYPE_CHECKING:  # IntakeForm's own
        app: BaseApp
        category: str
        _widgets: dict[str, Widget]
        _chosen: dict[str, None]
        _kept: dict[str, str]

        def set_category(self, code: str) -> None: ...
        def _apply_anonymous(self, on: bool) -> None: ...
        def _filter_referrals(self) -> None: ...
        def _update_advice_hint(self) -> None: ...

    def _q(self, selector: str, kind: type[W]) -> W:
        """The form's widget `selector`, which must be a `kind`: a dict look-up, not a
        DOM query (values() reads ~40 fields for each autosave)."""
        widget = self._widgets[selector.lstrip("#")]
        if not isinstance(widget, kind):
            raise TypeError(f"{selector} is a {type(widget).__name__}, not a {kind.__name__}")
        return widget

    def values(self) -> dict[str, Any]:
        """The raw values, JSON-able (what a draft keeps)."""
        q = self._q
        return {
            "category": self.category,
            "visited_at": q("#f-visited", Input).value,
            "anonymous": q("#f-anonymous", Checkbox).value,
            "consent": q("#f-consent", Checkbox).value,
            "name": q("#f-name", Input).value,
            "phone": q("#f-phone", Input).value,
            "party_size": q("#f-party", Input).value,
            "details": self._detail_values(),
            **{name: q(f"#f-{name}", TextArea).text for name in TEXTS},
            "referrals": list(self._chosen),
            "clue": q("#f-clue", Checkbox).value,
            "clue_note": q("#f-clue-note", Input).value,
            "status": q("#f-status", Select).value,
            "follow_up_on": q("#f-follow", Input).value,
            "related_to": list(q("#f-related", RelatedPicker).refs),
        }

    def _detail_values(self) -> dict[str, str]:
        out = {}
        for k in CATEGORY_DETAILS.get(self.category, ()):
            if k in FORM_HIDDEN_DETAILS.get(self.category, ()):
                if self._kept.get(k):
                    out[k] = self._kept[k]
            elif DETAIL_KINDS.get(k) == "flag":
                out[k] = "是" if self._q(f"#f-d-{k}", Checkbox).value else ""
            else:
                out[k] = self._q(f"#f-d-{k}", Input).value
        return out

    def fill(self, v: dict[str, Any]) -> None:
        """Put raw values (a draft, or a record's) into the fields; unknown codes are skipped."""
        q = self._q

        def s(key: str) -> str:
            value = v.get(key)
            return value if isinstance(value, str) else ""
        if v.get("category") in CATEGORIES:
            self.set_category(v["category"])
        q("#f-visited", Input).value = s("visited_at")
        q("#f-anonymous", Checkbox).value = bool(v.get("anonymous"))
        self._apply_anonymous(bool(v.get("anonymous")))
        q("#f-consent", Checkbox).value = bool(v.get("consent")) and not v.get("anonymous")
        q("#f-name", Input).value = "" if v.get("anonymous") else s("name")
        q("#f-phone", Input).value = "" if v.get("anonymous") else s("phone")
        q("#f-party", Input).value = str(v.get("party_size") or "1")
        found = v.get("details")
        details: dict[str, Any] = found if isinstance(found, dict) else {}
        for k in DETAIL_KEYS:
            text = "" if details.get(k) is None else str(details[k])
            if DETAIL_KINDS.get(k) == "flag":
                q(f"#f-d-{k}", Checkbox).value = text.strip().lower() in TRUE_TEXT
            elif DETAIL_KINDS.get(k) == "datetime" and "T" in text:
                q(f"#f-d-{k}", Input).value = text[:16].replace("T", " ")  # as typed: 2026-11-27 21:30
            else:
                q(f"#f-d-{k}", Input).value = text
        # A hidden figure is kept only where it says more than the head-count does.
        self._kept = {k: str(details[k]) for ks in FORM_HIDDEN_DETAILS.values() for k in ks
                      if details.get(k) not in (None, "") and str(details[k]) != str(v.get("party_size") or "1")}
        for name in TEXTS:
            area = q(f"#f-{name}", TextArea)
            area.text = s(name)
            area.move_cursor(area.document.end)  # ready to add to what is there
        self._chosen = {c: None for c in v.get("referrals") or () if c in referral_matches("")}
        self._filter_referrals()
        # An older draft's 公益诉讼线索 referral is the clue box now.
        q("#f-clue", Checkbox).value = bool(v.get("clue")) or "public_interest" in (v.get("referrals") or ())
        refs = [r for r in v.get("related_to") or () if isinstance(r, str)]
        q("#f-related", RelatedPicker).set_refs(refs)
        q("#f-clue-note", Input).value = s("clue_note")
        if v.get("status") in STATUSES:
            q("#f-status", Select).value = v["status"]
        q("#f-follow", Input).value = s("follow_up_on")
        self._update_advice_hint()

    def to_input(self, today: date) -> dict[str, Any]:
        """The mapping `fields_from_input` checks."""
        self._check_related()
        return to_input(self.values(), today)

    def to_edits(self, today: date) -> dict[str, Any]:
        """The same as `field=value` edits for `apply_edits` (an empty value clears)."""
        self._check_related()
        return to_edits(self.values(), today)

    def _check_related(self) -> None:
        """Related visits must be this station's and still there (a draft may be older
        than a deletion); the domain cannot look, the store can."""
        store = getattr(self.app, "store", None)
        if store is None:
            return
        station = getattr(store, "station", None) or ""

        def known(ref: str) -> str | None:
            row = store.find(ref)
            return station if row is not None and not row.deleted else None
        errs = related_errors(self._q("#f-related", RelatedPicker).refs, known, station)
        if errs:
            raise ValidationError(errs)
