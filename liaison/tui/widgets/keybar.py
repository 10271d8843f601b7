"""The key hints at the bottom of every screen: one line of text.

Textual's Footer builds a widget per key and rebuilds them on every focus change,
which cost ~80 ms each time a screen opened here (measured); the officer only needs
to read which keys do what, so this draws the screen's active bindings as text.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


LAST = frozenset({"quit", "lang", "help"})  # binding ids shown after the others


class KeyBar(Static):
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
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        seen = set()
        shown = [(b, enabled) for _node, b, enabled, _tooltip in screen.active_bindings.values()]
        # The screen's own keys first, then ctrl+l (lock), then the keys every screen has:
        # what does not fit is cut at the right, and locking must not be what is cut.
        shown.sort(key=lambda be: be[0].id in LAST)
        for binding, enabled in shown:
            if not binding.show or not binding.description or binding.action in seen:
                continue
            seen.add(binding.action)
            style = "" if enabled else "dim"
            text.append(f" {self.app.get_key_display(binding)} ", style=f"bold reverse {style}".strip())
            text.append(f"{binding.description} ", style=style)  # tight: 80 columns hold them all
        if not getattr(self.app, "locked", False):  # no palette on the unlock screen
            palette = "命令" if self.app.lang == "zh" else "commands"
            text.append(" ^p ", style="bold reverse")
            text.append(palette)
        self.update(text, layout=False)
