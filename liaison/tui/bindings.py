"""Footer labels follow the interface language.

Textual keeps a Binding's description fixed, so on a language switch each node's
bindings are replaced by copies whose description is the translation of their id.
"""

from __future__ import annotations

from dataclasses import replace

from textual.dom import DOMNode

from .i18n import STRINGS, tr


def localize_bindings(node: DOMNode, lang: str) -> None:
    # _bindings is the node's own BindingsMap (Textual copies the class bindings per
    # instance), so this changes nothing for other nodes.
    table = node._bindings.key_to_bindings
    changed = False
    for key, bindings in table.items():
        for i, b in enumerate(bindings):
            if b.id in STRINGS and b.description != (text := tr(b.id, lang)):
                bindings[i] = replace(b, description=text)
                changed = True
    if changed:  # each refresh rebuilds the footer: only when a label really changed
        node.refresh_bindings()
