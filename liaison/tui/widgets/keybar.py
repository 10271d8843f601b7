"""The key hints at the bottom of every screen: one line of text.

Textual's Footer builds a widget per key and rebuilds them on every focus change,
which cost ~80 ms each time a screen opened here (measured); the officer only needs
to read which keys do what, so this draws the screen's active bindings as text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

from ..bindings import label

if TYPE_CHECKING:
    from ..app_base import BaseApp

# Shown first, in this order: help and the language switch must never be the keys cut
# off at the right of an 80-column terminal (someone who cannot read the labels finds
# the other language here). Lock and quit come after the screen's own keys.
FIRST = ("help", "lang")
LAST = ("lock", "quit")


class KeyBar(Static):
    app: BaseApp  # Textual types it as any App: this project's (an annotation only)
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-foreground;
    }
    """

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.watch(self.app, "lang", lambda _: self._bindings_changed(self.screen), init=False)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _order(self, binding) -> int:
        if binding.id in FIRST:
            return FIRST.index(binding.id) - len(FIRST)
        return 1 + LAST.index(binding.id) if binding.id in LAST else 0

    def _bindings_changed(self, screen) -> None:
        lang = self.app.lang
        text = Text(no_wrap=True, overflow="ellipsis")
        seen_actions, seen_labels = set(), set()
        shown = [(b, enabled) for _node, b, enabled, _tooltip in screen.active_bindings.values()]
        shown.sort(key=lambda be: self._order(be[0]))  # stable: the screen's order otherwise
        for binding, enabled in shown:
            text_label = label(binding, lang)
            if not binding.show or not text_label or binding.action in seen_actions or text_label in seen_labels:
                continue  # one entry per action and per label (`q 退出` beside `^q 退出` says it twice)
            seen_actions.add(binding.action)
            seen_labels.add(text_label)
            style = "" if enabled else "dim"
            text.append(f" {self.app.get_key_display(binding)} ", style=f"bold reverse {style}".strip())
            text.append(f"{text_label} ", style=style)  # tight: 80 columns hold most of them
        if not getattr(self.app, "locked", False):  # no palette on the unlock screen
            text.append(" ^p ", style="bold reverse")
            text.append("命令" if lang == "zh" else "Commands")
        self.update(text, layout=False)
