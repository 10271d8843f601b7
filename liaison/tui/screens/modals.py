"""Small dialogs: confirm, pick one, type a line."""

from __future__ import annotations

from typing import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ..base import LiaisonModal


class ConfirmScreen(LiaisonModal):
    """Yes / no. Dismisses with True only on an explicit yes (y / Enter)."""

    BINDINGS = [
        Binding("y,enter", "answer(True)", "确定", id="yes"),
        Binding("n,escape", "answer(False)", "取消", id="no"),
    ]

    def __init__(self, question: str):
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, id="question")
            yield Static(id="keys", classes="hint")

    def apply_lang(self) -> None:
        self.query_one("#keys", Static).update(f"[b]y[/b] / Enter {self.tr('yes')}    [b]n[/b] / Esc {self.tr('no')}")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class PickScreen(LiaisonModal):
    """Pick one of a few choices; dismisses with its value, or None on Esc."""

    BINDINGS = [Binding("escape", "cancel", "取消", id="no")]

    def __init__(self, title: str, choices: Sequence[tuple[str, str]], current: str | None = None):
        super().__init__()
        self.title_text = title
        self.choices = list(choices)
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text)
            yield OptionList(*[Option(f"{i + 1}. {label}", id=value) for i, (label, value) in enumerate(self.choices)])

    def on_mount(self) -> None:
        super().on_mount()
        ol = self.query_one(OptionList)
        ol.focus()
        if self.current is not None:
            ol.highlighted = next((i for i, (_, v) in enumerate(self.choices) if v == self.current), 0)

    def on_key(self, event) -> None:
        if event.character and event.character.isdigit():
            i = int(event.character) - 1
            if 0 <= i < len(self.choices):
                event.stop()
                self.dismiss(self.choices[i][1])

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
