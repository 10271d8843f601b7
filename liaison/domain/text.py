"""Characters that have no place in a record, and how to show them when one is there.

Control characters break an Excel export (openpyxl refuses them), and escape sequences
reach the officer's terminal as commands; bidirectional overrides make a name or a
reference read differently from what is stored. Input refuses them (see validation);
what was stored before that rule is shown with U+FFFD in their place (`safe_text`),
so a screen, a ledger or a report never fails on an old record.
"""

from __future__ import annotations

import re
from typing import Any

# C0 except tab and newline, DEL and C1, lone surrogates, bidi controls and marks.
_BAD = "\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c"
BAD_MULTI_LINE = re.compile(f"[{_BAD}]")
BAD_SINGLE_LINE = re.compile(f"[{_BAD}\t\n]")  # a name or an employer is one line
REPLACEMENT = "\ufffd"


def bad_char(text: str, *, single_line: bool = False) -> str | None:
    """The first character `text` may not hold, as U+XXXX; None when it is clean."""
    m = (BAD_SINGLE_LINE if single_line else BAD_MULTI_LINE).search(text)
    return None if m is None else f"U+{ord(m.group()):04X}"


def safe_text(text: str) -> str:
    """`text` with every refused character (tab and newline kept) shown as U+FFFD."""
    return BAD_MULTI_LINE.sub(REPLACEMENT, text)


def safe_value(value: Any) -> Any:
    """`safe_text` for strings; other values (numbers, None, dates) as they are."""
    return safe_text(value) if isinstance(value, str) else value


def safe_doc(value: Any) -> Any:
    """`safe_text` applied to every string in a JSON-like value (a record as a dict)."""
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, dict):
        return {k: safe_doc(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [safe_doc(v) for v in value]
    return value
