"""Validation with messages an officer can act on, in Chinese and English.

Every check names the field it is about, so a form can show the message next to it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Iterable

from .consultation import Consultation
from .vocab import CATEGORIES, CATEGORY_DETAILS, REFERRALS, STATUSES

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
MAX_TEXT = 4000


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    zh: str
    en: str

    def __str__(self) -> str:
        return f"{self.field}: {self.zh} ({self.en})"


class ValidationError(ValueError):
    """One or more fields are wrong; `errors` lists each with its message."""

    def __init__(self, errors: Iterable[FieldError]):
        self.errors = list(errors)
        super().__init__("; ".join(str(e) for e in self.errors))

    def for_field(self, name: str) -> FieldError | None:
        return next((e for e in self.errors if e.field == name), None)


def normalize_phone(text: str) -> str:
    """A mainland mobile number as 11 ASCII digits.

    Full-width digits, spaces, dashes and a +86 / 0086 prefix are accepted, because
    that is how numbers arrive from paper forms and phones.
    """
    t = unicodedata.normalize("NFKC", text)
    t = re.sub(r"[\s\-()（）]", "", t)
    if t.startswith("+86"):
        t = t[3:]
    elif t.startswith("0086"):
        t = t[4:]
    if not MOBILE_RE.match(t):
        raise ValidationError([FieldError(
            "visitor.phone",
            "手机号应为11位数字，以1开头，第二位为3-9",
            "a mainland mobile number has 11 digits, starting 1[3-9]",
        )])
    return t


def check(c: Consultation) -> list[FieldError]:
    """All that is wrong with a consultation; empty when it may be saved."""
    errs: list[FieldError] = []
    add = lambda f, zh, en: errs.append(FieldError(f, zh, en))  # noqa: E731

    if c.category not in CATEGORIES:
        add("category", f"未知类别：{c.category}", f"unknown category {c.category!r}; one of {', '.join(CATEGORIES)}")
    if c.status not in STATUSES:
        add("status", f"未知状态：{c.status}", f"unknown status {c.status!r}; one of {', '.join(STATUSES)}")
    if not c.summary.strip():
        add("summary", "事由摘要必填", "a summary is required")
    for name in ("summary", "requests", "advice"):
        if len(getattr(c, name)) > MAX_TEXT:
            add(name, f"内容过长（最多{MAX_TEXT}字）", f"too long (at most {MAX_TEXT} characters)")
    for r in c.referrals:
        if r not in REFERRALS:
            add("referrals", f"未知转介去向：{r}", f"unknown referral {r!r}")
    if len(set(c.referrals)) != len(c.referrals):
        add("referrals", "转介去向重复", "a referral is listed twice")

    v = c.visitor
    if v.party_size < 1:
        add("visitor.party_size", "来访人数至少为1", "party size must be at least 1")
    if v.anonymous and v.has_personal_data:
        add("visitor", "匿名来访不得记录姓名或电话", "an anonymous visit keeps no name or phone")
    if v.has_personal_data and not v.consent:
        add("visitor.consent", "记录姓名或电话前须征得来访人同意", "the visitor's consent is needed before their name or phone is kept")
    if v.phone is not None and not MOBILE_RE.match(v.phone):
        add("visitor.phone", "手机号应为11位数字，以1开头，第二位为3-9", "a mainland mobile number has 11 digits, starting 1[3-9]")

    allowed = CATEGORY_DETAILS.get(c.category, ())
    for key, value in c.details.items():
        if key not in allowed:
            add(f"details.{key}", f"“{CATEGORIES.get(c.category, ('?',))[0]}”类不含此项", f"not a detail of category {c.category!r} (allowed: {', '.join(allowed) or 'none'})")
        elif key == "workers" and value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
            add("details.workers", "涉及人数应为正整数", "workers must be a whole number of at least 1")
        elif key == "amount_owed" and value is not None and (not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0):
            add("details.amount_owed", "金额不能为负数", "the amount must be a number of at least 0")

    if c.follow_up_on is not None and c.follow_up_on < c.visited_at.date():
        add("follow_up_on", "回访日期不能早于来访日期", "the follow-up date cannot be before the visit")
    if c.created_at and c.visited_at > c.created_at + timedelta(days=1):
        add("visited_at", "来访时间不能在将来", "the visit time cannot be in the future")
    if c.clue.note and not c.clue.flag:
        add("clue.note", "填写线索说明时请同时标记为公益诉讼线索", "a clue note needs the clue flag")
    return errs


def validate(c: Consultation) -> Consultation:
    errs = check(c)
    if errs:
        raise ValidationError(errs)
    return c


def coerce_number(field: str, value: Any, *, integer: bool) -> int | float | None:
    """Numbers as typed by people: '60万', '600,000', '¥800', full-width digits."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValidationError([FieldError(field, "应为数字", "must be a number")])
    if isinstance(value, (int, float)):
        n = value
    else:
        t = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "").lstrip("¥￥").rstrip("元")
        scale = 1
        if t.endswith("万"):
            t, scale = t[:-1], 10_000
        try:
            n = float(t) * scale
        except ValueError:
            raise ValidationError([FieldError(field, f"应为数字：{value}", f"not a number: {value!r}")]) from None
    if integer:
        if n != int(n):
            raise ValidationError([FieldError(field, "应为整数", "must be a whole number")])
        return int(n)
    return int(n) if n == int(n) else n
