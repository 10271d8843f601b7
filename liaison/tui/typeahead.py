"""Keys typed back to back land where they were meant (issue 13: no keystroke lost).

Textual hands a key to the focused widget's own queue and goes on with the next key
at once; a key that a *binding* handles (Tab, Enter, Backspace, Space on a checkbox)
is only resolved when it has bubbled back up to the app — by then later keys may
have gone to the old field, and the binding is looked up from wherever the focus is
*then*. Typing `Tab 陈秀英` in one burst (a terminal, an input method, a fast officer)
put the name nowhere.

A screen that mixes in `TypeAhead` takes the keys that move the focus or act on a
widget as priority bindings, which the app runs before it takes the next key. Each
one first waits until the focused widget has dealt with the keys already sent to it
(the characters typed into a field), then does what that widget's own binding would
do, right away. Characters still go straight to the focused field, in order.
"""

from __future__ import annotations

import asyncio

from textual.actions import SkipAction
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Input

# Keys handled here (everything else goes to the focused widget as usual). Not Escape
# or ctrl-keys: those are the screen's and the app's own, already priority or final.
KEYS = ("tab", "shift+tab", "enter", "space", "backspace", "delete", "left", "right",
        "home", "end", "up", "down", "pageup", "pagedown")

DRAIN_SECONDS = 1.0


def typeahead_bindings(exclude: tuple[str, ...] = ()) -> list[Binding]:
    return [Binding(key, f"typeahead('{key}')", show=False, priority=True)
            for key in KEYS if key not in exclude]


def _bindings_of(widget: Widget, key: str) -> list[Binding]:
    """The widget's own bindings for `key` (its class's and its bases', nearest first)."""
    found: list[Binding] = []
    for cls in type(widget).__mro__:
        for b in Binding.make_bindings(cls.__dict__.get("BINDINGS", ())):
            if b.key == key:
                found.append(b)
    return found


async def drained(widget: Widget) -> None:
    """Return once `widget`, then each of its containers up to the screen, has handled
    every message queued for it before now: a key the widget does not use bubbles up
    (the status field's digits are the form's), and must be handled too."""
    nodes = [widget, *(a for a in widget.ancestors if isinstance(a, Widget))]
    for node in nodes:
        if node is widget.screen:
            break
        done = asyncio.Event()
        if node.call_later(done.set):
            try:
                # Bounded: a widget busy on something else must never freeze the keyboard
                # (the app takes no key while this waits); then the key just goes on.
                await asyncio.wait_for(done.wait(), DRAIN_SECONDS)
            except asyncio.TimeoutError:
                pass


class TypeAhead:
    """Mixed into a Screen, before it; add `typeahead_bindings()` to its BINDINGS.

    `typeahead_enter(widget)` may handle Enter on a widget (return True when it did);
    by default Enter in a one-line Input moves on to the next field."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # A widget that shows its own Enter in the key bar (the list's "⏎ 打开") keeps
        # it: hidden here, so the key bar shows that one, which then handles it.
        if action == "typeahead" and parameters == ("enter",):
            widget = self.focused  # type: ignore[attr-defined]
            if widget is not None and any(b.show and b.description for b in _bindings_of(widget, "enter")):
                return False
        return super().check_action(action, parameters)  # type: ignore[misc]

    async def action_typeahead(self, key: str) -> None:
        screen = self  # a Screen
        widget = screen.focused  # type: ignore[attr-defined]
        if widget is None:
            raise SkipAction()
        await drained(widget)
        widget = screen.focused  # type: ignore[attr-defined]
        if widget is None:
            raise SkipAction()
        if key == "tab":
            screen.focus_next()  # type: ignore[attr-defined]
            return
        if key == "shift+tab":
            screen.focus_previous()  # type: ignore[attr-defined]
            return
        if key == "enter" and self.typeahead_enter(widget):
            return
        for node in (widget, *widget.ancestors):  # a widget that gives a key its own meaning first
            if node is screen:
                break
            hook = getattr(node, "typeahead_key", None)
            if hook is not None and hook(key):
                return
        for node in (widget, *widget.ancestors):
            if node is screen:
                break
            for b in _bindings_of(node, key):
                if await screen.app.run_action(b.action, node):  # type: ignore[attr-defined]
                    return
        raise SkipAction()  # not a binding there (a newline in a text area …): the widget's

    def typeahead_enter(self, widget: Widget) -> bool:
        if isinstance(widget, Input):
            self.focus_next()  # type: ignore[attr-defined]
            return True
        return False
