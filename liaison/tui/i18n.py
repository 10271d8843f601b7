"""Interface strings in Chinese and English, read from the one catalogue (liaison/messages).
Keys are stable ids; `tr(key, lang)`; `explain(error, lang)` for an error shown on a screen."""

from __future__ import annotations

from ..domain import vocab
from ..messages import CATALOGUE, Explained

# The catalogue (UI strings and the errors an officer reads); bindings.py labels keys from it.
STRINGS = CATALOGUE

# A category in the 80-column list (record_list.py): English labels run to 25 cells.
CATEGORY_SHORT = {"rider": ("骑手/新业态", "Rider/gig"), "labour": ("劳资/欠薪", "Labour"),
                  "neighbour": ("邻里纠纷", "Neighbours"), "family": ("婚恋家庭", "Family"),
                  "fraud": ("电信网络诈骗", "Fraud"), "administrative": ("行政争议", "Admin"),
                  "relocation": ("动迁/征收", "Relocation"), "other": ("其他", "Other")}


def tr(key: str, lang: str, **values: object) -> str:
    pair = STRINGS.get(key)
    text = key if pair is None else (pair[0] if lang == "zh" else pair[1])
    return text.format(**values) if values else text


def category(code: str, lang: str) -> str:
    return vocab.label(vocab.CATEGORIES, code, lang)


def category_short(code: str, lang: str) -> str:
    pair = CATEGORY_SHORT.get(code)
    return category(code, lang) if pair is None else pair[0 if lang == "zh" else 1]


def status(code: str, lang: str) -> str:
    return vocab.label(vocab.STATUSES, code, lang)


def referral(code: str, lang: str) -> str:
    return vocab.label(vocab.REFERRALS, code, lang)


def explain(error: BaseException, lang: str) -> str:
    """An error as the officer reads it: a catalogue error in the screen's language; any
    other in its own text (older ones carry "中文 (English)")."""
    return error.text(lang) if isinstance(error, Explained) else str(error)
