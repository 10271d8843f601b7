"""The form's one-line fields and text areas, without the keys the form itself uses.

Textual's Input and TextArea bind ctrl+a (line start) and f6 (select line); the
intake form's own keys (ctrl+a, ctrl+s, f5, f6) win anyway (priority), and fields
that do not claim them keep the key bar in the same order wherever the cursor is.
Declared here, as bindings (`inherit_bindings = False` and the base's list without
those keys), rather than removed from each widget after it is built.
"""

from __future__ import annotations

from textual.binding import Binding, BindingType
from textual.widgets import Input, TextArea

FORM_KEYS = ("ctrl+a", "ctrl+s", "f5", "f6")  # the screen's keys


def without_keys(widget: type, keys: tuple[str, ...]) -> list[BindingType]:
    """The bindings `widget` declares and inherits (nearest class first for a key, as
    Textual merges them), with `keys` taken out (`home,ctrl+a` keeps `home`)."""
    by_key: dict[str, list[Binding]] = {}
    for cls in reversed(widget.__mro__):
        declared: dict[str, list[Binding]] = {}
        for b in Binding.make_bindings(cls.__dict__.get("BINDINGS", ())):  # one Binding per key
            declared.setdefault(b.key, []).append(b)
        by_key.update(declared)
    return [b for key, bs in by_key.items() if key not in keys for b in bs]


class FormInput(Input, inherit_bindings=False):
    BINDINGS = without_keys(Input, FORM_KEYS)


class FormTextArea(TextArea, inherit_bindings=False):
    BINDINGS = without_keys(TextArea, FORM_KEYS)
