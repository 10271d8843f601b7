"""One catalogue of what liaison says to people, in Chinese and English (issue 15).

The screens read one language (`say(key, "en")`); the CLI and the logs keep both,
Chinese first and English in brackets (`say(key, BOTH)`: "中文 (English)").

Errors the officer reads are `Explained` exceptions built from a catalogue key and
values: `str(e)` is the both-languages text, `e.text(lang)` one language, and the TUI
shows `e.text(app.lang)` (tui/i18n.explain). To add one:
  1. put its key, prefixed `err_`, with (zh, en) in messages/errors.py;
  2. raise a subclass of `Explained` (usually also of the package's error base):
     `super().__init__("err_key", name=name)`;
  3. name the class in tests/unit/test_messages.py so its texts stay pinned.
Older raise sites still pass an inline "中文 (English)" string to a plain exception;
they are shown as they are, in both languages, until moved here the same way.

Pure: imports nothing of liaison, tinydb or textual, so every layer may use it.
"""

from __future__ import annotations

from typing import NamedTuple

from .errors import ERRORS
from .ui import UI

BOTH = "both"  # the CLI's "中文 (English)"

CATALOGUE: dict[str, tuple[str, str]] = {**UI, **ERRORS}  # keys are disjoint (tests/unit/test_messages.py)


class Both(NamedTuple):
    """A value that is itself written in each language (e.g. a list joined by "、" or ", ")."""

    zh: str
    en: str


def _one(text: str, lang: str, values: dict[str, object]) -> str:
    if not values:
        return text
    return text.format(**{k: (v.zh if lang == "zh" else v.en) if isinstance(v, Both) else v
                          for k, v in values.items()})


def say(key: str, lang: str, **values: object) -> str:
    """The catalogue's text for `key` in `lang` ("zh", "en" or BOTH); an unknown key is
    shown as itself, so a missing entry is visible rather than fatal."""
    pair = CATALOGUE.get(key)
    if pair is None:
        return key
    if lang == BOTH:
        return f"{_one(pair[0], 'zh', values)} ({_one(pair[1], 'en', values)})"
    return _one(pair[0] if lang == "zh" else pair[1], lang, values)


class Explained(Exception):
    """An error whose message comes from the catalogue: key and values are kept, so the
    screen can show it in the officer's language while str() stays bilingual."""

    def __init__(self, key: str, /, **values: object) -> None:
        self.key, self.values = key, values
        super().__init__(self.text(BOTH))

    def text(self, lang: str) -> str:
        return say(self.key, lang, **self.values)
