"""Related visits (“与前三起相同”): type part of a reference, a name or the summary, and
pick from the station's matching visits with ↑↓ and Enter; Backspace in the empty box
takes the last one off. The picked references are `related_to` of the record."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ..i18n import tr
from .form_fields import FormInput

MATCHES = 5  # a short list: the officer narrows by typing more
BRIEF = 16  # characters of the summary beside each reference (double width: 32 cells)


class RelatedPicker(Vertical):
    DEFAULT_CSS = """
    RelatedPicker { height: auto; width: 1fr; }
    RelatedPicker > OptionList { height: auto; max-height: 5; }
    RelatedPicker > #f-related-picked { height: auto; }
    """

    class Changed(Message):
        """A reference was picked or taken off."""

    def __init__(self, *, id: str | None = None):
        super().__init__(id=id)
        self.refs: list[str] = []
        self.own_ref = ""  # the record being edited: never its own relative
        self.lang = "zh"

    def compose(self) -> ComposeResult:
        yield FormInput(id="f-related-search", max_length=40, compact=True)
        yield OptionList(id="f-related-matches", compact=True)
        yield Static(id="f-related-picked", classes="hint")

    def on_mount(self) -> None:
        matches = self.query_one(OptionList)
        matches.can_focus = False  # picked from the box with ↑↓ Enter: one Tab stop
        matches.display = False
        self.relabel(self.lang)

    def relabel(self, lang: str) -> None:
        self.lang = lang
        self.query_one(Input).placeholder = tr("related_ph", lang)
        self._show_picked()

    def set_refs(self, refs: list[str]) -> None:
        self.refs = list(dict.fromkeys(refs))
        self._show_picked()

    def _show_picked(self) -> None:
        sep = "、" if self.lang == "zh" else ", "
        text = tr("related_picked", self.lang, refs=sep.join(self.refs)) if self.refs else ""
        picked = self.query_one("#f-related-picked", Static)
        picked.update(text)
        picked.display = bool(text)

    def _search(self, text: str) -> list[tuple[str, str]]:
        """(ref, line) of the station's visits matching `text`, newest first."""
        store = getattr(self.app, "store", None)
        if store is None or not text.strip():
            return []
        edit = getattr(self.screen, "edit", None)  # the intake screen's record, when editing
        own = self.own_ref or getattr(edit, "ref", "")
        out = []
        for row in store.index.search(text, limit=MATCHES + len(self.refs) + 1):
            if row.ref != own and row.ref not in self.refs and not row.deleted:
                brief = row.brief if len(row.brief) <= BRIEF else row.brief[:BRIEF - 1] + "…"
                out.append((row.ref, f"{row.ref}  {brief}"))  # one line each at 80 columns
        return out[:MATCHES]

    @on(Input.Changed, "#f-related-search")
    def _typed(self, event: Input.Changed) -> None:
        matches = self.query_one(OptionList)
        matches.clear_options()
        found = self._search(event.value)
        matches.add_options([Option(line, id=ref) for ref, line in found])
        matches.display = bool(found)
        if found:
            matches.highlighted = 0
            # The matches open under the box: bring them into view (the last field of the form).
            self.call_after_refresh(self.scroll_visible, animate=False)

    @on(Input.Submitted, "#f-related-search")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        matches = self.query_one(OptionList)
        if matches.display and matches.highlighted is not None:
            self._pick(matches.get_option_at_index(matches.highlighted).id or "")

    @on(OptionList.OptionSelected, "#f-related-matches")
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._pick(event.option.id or "")

    def _pick(self, ref: str) -> None:
        if ref and ref not in self.refs:
            self.refs.append(ref)
            self._show_picked()
            self.post_message(self.Changed())
        self.query_one(Input).value = ""  # clears the matches too

    def typeahead_key(self, key: str) -> bool:
        """↑↓ move through the matches, Backspace in the empty box takes the last pick
        off; called by the screen's type-ahead (tui/typeahead.py), which takes those keys
        before the box sees them. True when the key was used here."""
        box = self.query_one(Input)
        if self.screen.focused is not box:
            return False
        matches = self.query_one(OptionList)
        if key in ("up", "down") and matches.display:
            (matches.action_cursor_down if key == "down" else matches.action_cursor_up)()
            return True
        if key == "backspace" and not box.value and self.refs:
            self.refs.pop()
            self._show_picked()
            self.post_message(self.Changed())
            return True
        return False

    def on_key(self, event) -> None:
        if self.typeahead_key(event.key):  # on a screen without the type-ahead
            event.stop()
            event.prevent_default()
