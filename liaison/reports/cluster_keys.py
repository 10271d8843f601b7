"""What makes two consultations "the same matter": normalised keys and text similarity.

Pure string work, used by `clusters`. Officers type employers, projects and sites by
hand, so the same company turns up as 某建筑劳务有限公司 / 某建筑劳务公司（分包单位）/
某 建筑劳务 公司; keys are compared only after `normalise_*`.
"""

from __future__ import annotations

import math
import re
from typing import Any

# Everything but CJK ideographs, Latin letters and digits is noise for a key.
_NOISE = re.compile(r"[^0-9A-Za-z\u3400-\u9fff]+")
_BRACKETS = re.compile(r"[（(【\[][^）)】\]]*[）)】\]]")  # "（分包单位）": a role note, not the name
_EMPLOYER_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "集团公司", "公司", "集团")
_PROJECT_SUFFIXES = ("旧区改造", "城市更新", "地块", "项目", "基地", "旧改", "动迁", "征收")
_SITE_SUFFIXES = ("配送站", "站点", "站")
# Names that identify nobody: linking on them would merge unrelated visits.
_VAGUE = {"", "某", "不详", "未知", "个人", "包工头", "老板", "无"}

# Kinds of rider problem, checked in this order (first hit wins): a delivery site sees
# many unrelated problems, and only riders sharing one of them are a pattern.
RIDER_THEMES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("injury", "受伤/职业伤害", ("受伤", "伤害", "骨折", "摔伤", "撞伤", "事故", "工伤")),
    ("insurance", "保险扣费", ("保险",)),
    ("ban", "封号", ("封号", "封禁", "被封", "冻结")),
    ("dispatch", "派单降级", ("派单", "降级", "算法")),
    ("unpaid", "配送费拖欠", ("拖欠", "配送费", "押金", "没结")),
    ("penalty", "超时罚款", ("超时", "罚款")),
    ("deduction", "隐性扣款", ("扣款", "服务费", "管理费", "少钱", "扣钱", "隐性")),
)


def _strip_suffixes(text: str, suffixes: tuple[str, ...]) -> str:
    changed = True
    while changed:
        changed = False
        for s in suffixes:
            if text.endswith(s) and len(text) > len(s):
                text, changed = text[: -len(s)], True
    return text


def _clean(text: Any) -> str:
    return _NOISE.sub("", _BRACKETS.sub("", str(text or ""))).lower()


def normalise_employer(text: Any) -> str:
    key = _strip_suffixes(_clean(text), _EMPLOYER_SUFFIXES)
    return "" if key in _VAGUE or len(key) < 2 else key


def normalise_project(text: Any) -> str:
    key = _strip_suffixes(_clean(text), _PROJECT_SUFFIXES)
    return "" if key in _VAGUE or len(key) < 2 else key


def normalise_site(text: Any) -> str:
    key = _strip_suffixes(_clean(text), _SITE_SUFFIXES)
    return "" if key in _VAGUE else key


# One search per theme instead of one `in` per word: every rider's record is checked.
_THEME_RES = tuple((code, zh, re.compile("|".join(map(re.escape, words)))) for code, zh, words in RIDER_THEMES)


def rider_theme(record: dict[str, Any]) -> tuple[str, str] | None:
    """(code, label) of the rider's problem: from details.issue, else from the summary."""
    return rider_theme_of((record.get("details") or {}).get("issue"), record.get("summary"))


def rider_theme_of(issue: Any, summary: Any) -> tuple[str, str] | None:
    for text in (str(issue or ""), summary or ""):
        for code, zh, pattern in _THEME_RES:
            if pattern.search(text):
                return code, zh
    return None


def bigrams(text: str) -> frozenset[str]:
    """Character bigrams of the CJK / alphanumeric runs (punctuation breaks a run: a
    bigram across "，" is no evidence of anything). Chinese has no spaces, so bigrams
    are the cheapest unit that still carries meaning (扣款, 讲座, 欠薪)."""
    grams: set[str] = set()
    for run in _NOISE.split(text or ""):
        grams.update(map(str.__add__, run, run[1:]))  # C-level: this runs on every summary
    return frozenset(grams)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def prefix_length(size: int, threshold: float) -> int:
    """How many of a set's rarest grams must be indexed so that any other set with
    Jaccard ≥ threshold shares at least one of them (prefix filtering)."""
    return size - math.ceil(threshold * size) + 1
