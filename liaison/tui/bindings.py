"""Key labels follow the interface language, in one place.

A Binding's description is the Chinese label it was declared with; what the key bar
(and the help) shows is `label(binding, lang)`: the translation of the binding's id,
or, for keys that Textual's own widgets bring (a Select's menu, an Input's keys), of
its action. Bindings are never rewritten: the key bar reads `Screen.active_bindings`
(public) and translates as it draws, so a language switch only asks for a redraw.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.dom import DOMNode

from .i18n import STRINGS, tr

# Textual's widgets declare their bindings in English; these are the ones the key bar
# can show, by action. Anything else Textual brings and we have no label for is hidden
# rather than shown in the wrong language.
TEXTUAL_ACTIONS = {"dismiss": "dismiss_menu"}


def label(binding: Binding, lang: str) -> str:
    if binding.id in STRINGS:
        return tr(binding.id, lang)
    key = TEXTUAL_ACTIONS.get(binding.action)
    if key is not None:
        return tr(key, lang)
    return ""


def localize_bindings(node: DOMNode, lang: str) -> None:
    """Redraw `node`'s key hints in `lang` (labels are looked up as they are drawn)."""
    node.refresh_bindings()
