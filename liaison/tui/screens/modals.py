"""Small dialogs: confirm, pick one, type a line."""

from __future__ import annotations

from typing import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from ..base import LiaisonModal


class ConfirmScreen(LiaisonModal):
    """Yes / no, defaulting to no: most questions asked here discard or delete something,
    so a stray Enter must not. Focus starts on the no button (Enter there = no); `y` or
    the yes button answers yes; `n` and Esc no. `default=True` puts the focus on yes, for
    a question whose no is the loss (e.g. "restore the draft?")."""

    DEFAULT_CSS = """
    ConfirmScreen #confirm-buttons { height: auto; margin: 1 0; }
    ConfirmScreen #confirm-buttons Static { width: 3; }
    """

    BINDINGS = [
        Binding("y", "answer(True)", "确定", id="yes"),
        Binding("n,escape", "answer(False)", "取消", id="no"),
    ]

    def __init__(self, question: str, *, default: bool = False):
        super().__init__()
        self.question = question
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, id="question")
            with Horizontal(id="confirm-buttons"):
                yield Button("", id="yes", compact=True)
                yield Static(" ")
                yield Button("", id="no", compact=True)
            yield Static(id="keys", classes="hint")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#yes" if self.default else "#no", Button).focus()

    def apply_lang(self) -> None:
        self.query_one("#yes", Button).label = f" y {self.tr('yes')} "
        self.query_one("#no", Button).label = f" n {self.tr('no')} "
        enter = self.tr("yes") if self.default else self.tr("no")
        self.query_one("#keys", Static).update(
            f"[b]y[/b] {self.tr('yes')}    [b]n[/b] / Esc {self.tr('no')}    Enter = {enter}")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class PickScreen(LiaisonModal):
    """Pick one of a few choices; dismisses with its value, or None on Esc.

    Choices are numbered 1, 2, … in the order given (callers pass the vocabulary order,
    so a value has the same number in every dialog); a filter's "all" entry (`all_label`)
    is 0 and dismisses with "", so it never shifts the others."""

    BINDINGS = [Binding("escape", "cancel", "取消", id="no")]

    def __init__(self, title: str, choices: Sequence[tuple[str, str]], current: str | None = None,
                 *, all_label: str | None = None):
        super().__init__()
        self.title_text = title
        self.numbered = {str(i + 1): (label, value) for i, (label, value) in enumerate(choices)}
        if all_label is not None:
            self.numbered = {"0": (all_label, ""), **self.numbered}
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text)
            yield OptionList(*[Option(f"[b]{key}[/b]  {label}", id=value)
                               for key, (label, value) in self.numbered.items()])

    def on_mount(self) -> None:
        super().on_mount()
        ol = self.query_one(OptionList)
        ol.focus()
        if self.current is not None:
            values = [v for _, v in self.numbered.values()]
            ol.highlighted = values.index(self.current) if self.current in values else 0

    def on_key(self, event) -> None:
        if event.character in self.numbered:
            event.stop()
            self.dismiss(self.numbered[event.character][1])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class PromptScreen(LiaisonModal):
    """One line of text; dismisses with it (Enter) or None (Esc)."""

    BINDINGS = [Binding("escape", "cancel", "取消", id="no")]

    def __init__(self, title: str, value: str = "", placeholder: str = ""):
        super().__init__()
        self.title_text = title
        self.value = value
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text)
            yield Input(self.value, placeholder=self.placeholder, id="prompt")
            yield Static(id="prompt-error", classes="field-error")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def show_error(self, text: str) -> None:
        self.query_one("#prompt-error", Static).update(text)

    def action_cancel(self) -> None:
        self.dismiss(None)
