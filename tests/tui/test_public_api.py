"""Only Textual's public API, in the app and the tests (issue 13).

Private attributes of Textual (`_bindings`, `_compositor`, `_character_to_key`,
`_notifications`) change between releases without notice, and overriding the app's
`push_screen`, `notify` or `on_event` (or building an `AwaitMount` by hand) ties the
lock to Textual's internals: the lock is a guard (`open_screen`, `notice`) instead.
This reads the source of the app and the tests, and the app's class itself."""

from __future__ import annotations

import re
from pathlib import Path

from textual.app import App

from liaison.tui.app import LiaisonApp

ROOT = Path(__file__).resolve().parents[2]
PRIVATE = re.compile(r"\b(_bindings|_compositor|_character_to_key|_notifications)\b")
OVERRIDE = re.compile(r"\bdef (push_screen|notify|on_event)\b|\bAwaitMount\b")


def sources() -> list[Path]:
    files = sorted((ROOT / "liaison" / "tui").rglob("*.py")) + sorted((ROOT / "tests").rglob("*.py"))
    return [f for f in files if f.resolve() != Path(__file__).resolve()]


def test_no_private_textual_names_or_overrides_in_the_source():
    found = []
    for path in sources():
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if PRIVATE.search(line) or OVERRIDE.search(line):
                found.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert found == []


def test_the_app_keeps_textuals_own_push_screen_notify_and_on_event():
    for name in ("push_screen", "notify", "on_event"):
        assert getattr(LiaisonApp, name) is getattr(App, name), name
