"""Finding a referral by typing part of its name, its pinyin or what officers call the
place (公安, gaj for 公安局, 110): the form's referral list is filtered with it, so no
one presses ↓ eight times to reach 公安报警."""

from __future__ import annotations

from functools import lru_cache

from .search import name_keys, normalize_query
from .vocab import LEGACY_REFERRALS, REFERRAL_WORDS, REFERRALS


@lru_cache(maxsize=None)
def _keys(code: str) -> tuple[str, ...]:
    zh, en = REFERRALS[code]
    words = (zh, *REFERRAL_WORDS.get(code, ()))
    pinyin = [k for w in words for k in name_keys(w).split() if k]
    return tuple(k.lower() for k in (*words, en, *pinyin))


def referral_choices() -> list[str]:
    """The referrals the form offers (the clue is its own box, not a referral)."""
    return [c for c in REFERRALS if c not in LEGACY_REFERRALS]


def referral_matches(query: str) -> list[str]:
    """The offered referrals matching `query`, best first: a key that starts with it,
    then one that contains it; vocabulary order within each. All of them for ""."""
    q = normalize_query(query).replace(" ", "")
    codes = referral_choices()
    if not q:
        return codes
    starts = [c for c in codes if any(k.replace(" ", "").startswith(q) for k in _keys(c))]
    within = [c for c in codes if c not in starts and any(q in k.replace(" ", "") for k in _keys(c))]
    return starts + within
