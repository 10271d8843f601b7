"""Validation with messages an officer can act on, in Chinese and English.

Every check names the field it is about, so a form can show the message next to it.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Callable, Iterable

from .consultation import Consultation
from .refs import REF_RE
from .text import bad_char, safe_text
from .timeutil import TZ, now
from .vocab import CATEGORIES, CATEGORY_DETAILS, DETAIL_KINDS, REFERRALS, STATUSES

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
# Bounds a court clerk would accept; one place, shared by every way in.
MAX_TEXT = 4000  # summary, requests, advice
MAX_NOTE = 2000  # one note
MAX_CLUE_NOTE = 2000
MAX_NAME = 50  # a visitor's or an officer's name
MAX_DETAIL = 200  # a detail's text (employer, project, platform …)
MIN_PARTY, MAX_PARTY = 1, 10_000  # also the bounds of details.workers
MAX_AMOUNT = 10_000_000_000  # yuan owed
EARLIEST_VISIT = datetime(2000, 1, 1, tzinfo=TZ)
VISIT_AHEAD = timedelta(days=1)  # a clock a little wrong, not a visit in the future
FOLLOW_UP_DAYS = 5 * 365 + 1  # five years after the visit


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    zh: str
    en: str

    def __str__(self) -> str:
        # Messages quote what was typed: never echo a control character to a terminal.
        return safe_text(f"{self.field}: {self.zh} ({self.en})")


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


def whole_number_error(field: str, value: Any, lo: int = MIN_PARTY, hi: int = MAX_PARTY) -> FieldError | None:
    """A count (people, workers): an int, not a bool, within [lo, hi]."""
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        return FieldError(field, f"应为{lo}至{hi}之间的整数", f"must be a whole number from {lo} to {hi}")
    return None


def _text_errors(c: Consultation) -> Iterable[tuple[str, str, int, bool]]:
    """(field, text, limit, single line) for every free-text value of `c`."""
    for name in ("summary", "requests", "advice"):
        yield name, getattr(c, name), MAX_TEXT, False
    yield "officer", c.officer, MAX_NAME, True
    if c.visitor.name:
        yield "visitor.name", c.visitor.name, MAX_NAME, True
    for key, value in c.details.items():
        if isinstance(value, str):
            yield f"details.{key}", value, MAX_DETAIL, True
    yield "clue.note", c.clue.note, MAX_CLUE_NOTE, False


def _hygiene(c: Consultation, old: Consultation | None) -> list[FieldError]:
    """Lengths, characters and bounds. With `old` (the stored version), a value the
    edit did not change is not held to them: it may predate the rule."""
    errs: list[FieldError] = []
    prior = dict((f, t) for f, t, _, _ in _text_errors(old)) if old is not None else {}
    texts = list(_text_errors(c))
    fresh = [n for n in c.notes if old is None or n not in old.notes]
    texts += [("notes", n.text, MAX_NOTE, False) for n in fresh]
    texts += [("notes", n.officer, MAX_NAME, True) for n in fresh]
    for field, text, limit, single in texts:
        was = prior.get(field)
        if field != "notes" and was is not None and text in (was, was.strip()):  # input is trimmed
            continue
        if len(text) > limit:
            errs.append(FieldError(field, f"内容过长（最多{limit}字）", f"too long (at most {limit} characters)"))
        if (ch := bad_char(text, single_line=single)) is not None:
            errs.append(FieldError(field, f"含有不允许的控制字符 {ch}" + ("（不可换行）" if single else ""),
                                   f"contains a control character {ch}" + (" (one line only)" if single else "")))
    if old is None or c.visitor.party_size != old.visitor.party_size:
        if (e := whole_number_error("visitor.party_size", c.visitor.party_size)) is not None:
            errs.append(e)
    if old is None or c.visited_at != old.visited_at:
        try:
            ok = EARLIEST_VISIT <= c.visited_at <= now() + VISIT_AHEAD
        except OverflowError:
            ok = False
        if not ok:
            errs.append(FieldError("visited_at", "来访时间应在2000年1月1日至明天之间",
                                   "the visit must be between 2000-01-01 and tomorrow"))
    if c.follow_up_on is not None and (old is None or c.follow_up_on != old.follow_up_on
                                       or c.visited_at != old.visited_at):
        if (c.follow_up_on - c.visited_at.date()).days > FOLLOW_UP_DAYS:
            errs.append(FieldError("follow_up_on", "回访日期应在来访后五年以内",
                                   "the follow-up must be within five years of the visit"))
    return errs


def check(c: Consultation, *, strict: bool = False) -> list[FieldError]:
    """All that is wrong with a consultation; empty when it may be saved.

    A record read from storage is held to the newer rules only where it was changed
    (`c.stored`); `strict` holds every value to them (e.g. a record from a bundle)."""
    errs: list[FieldError] = []

    def add(field: str, zh: str, en: str) -> None:
        errs.append(FieldError(field, zh, en))

    if c.category not in CATEGORIES:
        add("category", f"未知类别：{c.category}", f"unknown category {c.category!r}; one of {', '.join(CATEGORIES)}")
    if c.status not in STATUSES:
        add("status", f"未知状态：{c.status}", f"unknown status {c.status!r}; one of {', '.join(STATUSES)}")
    if not c.summary.strip():
        add("summary", "事由摘要必填", "a summary is required")
    errs += _hygiene(c, None if strict else c.stored)
    for r in c.referrals:
        if r not in REFERRALS:
            add("referrals", f"未知转介去向：{r}", f"unknown referral {r!r}")
    if len(set(c.referrals)) != len(c.referrals):
        add("referrals", "转介去向重复", "a referral is listed twice")

    v = c.visitor
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
        elif key == "workers" and value is not None and whole_number_error("details.workers", value):
            add("details.workers", f"涉及人数应为{MIN_PARTY}至{MAX_PARTY}之间的整数",
                f"workers must be a whole number from {MIN_PARTY} to {MAX_PARTY}")
        elif DETAIL_KINDS.get(key) == "amount" and value is not None and (
                not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= MAX_AMOUNT):
            add(f"details.{key}", f"金额应在0至{MAX_AMOUNT}元之间", f"the amount must be from 0 to {MAX_AMOUNT}")
        elif (e := _kind_error(key, value, c)) is not None:
            errs.append(e)
    errs += _related_errors(c)

    if c.follow_up_on is not None and c.follow_up_on < c.visited_at.date():
        add("follow_up_on", "回访日期不能早于来访日期", "the follow-up date cannot be before the visit")
    if c.created_at and c.visited_at > c.created_at + timedelta(days=1):
        add("visited_at", "来访时间不能在将来", "the visit time cannot be in the future")
    if c.clue.note and not c.clue.flag:
        add("clue.note", "填写线索说明时请同时标记为公益诉讼线索", "a clue note needs the clue flag")
    return errs


def _kind_error(key: str, value: Any, c: Consultation) -> FieldError | None:
    """A flag is true/false; a date (or date-time) is ISO text, not after the visit: it
    says when something already happened (money paid, a decision learned of)."""
    kind, field = DETAIL_KINDS.get(key), f"details.{key}"
    if kind == "flag" and not isinstance(value, bool):
        return FieldError(field, "应为是/否", "must be yes or no")
    if kind in ("date", "datetime"):
        try:
            when = (date.fromisoformat(value) if kind == "date" else datetime.fromisoformat(value).date())
        except (TypeError, ValueError):
            return FieldError(field, "日期格式不对，如 2026-11-03", "not a date (YYYY-MM-DD)")
        if not EARLIEST_VISIT.date() <= when <= c.visited_at.date():
            return FieldError(field, "日期应在2000年以后、不晚于来访日", "the date must be from 2000 and not after the visit")
    return None


def _related_errors(c: Consultation) -> list[FieldError]:
    refs = c.related_to
    bad = [r for r in refs if not isinstance(r, str) or not REF_RE.match(r)]
    if bad:
        return [FieldError("related_to", f"不是来访编号：{bad[0]}", f"not a reference: {bad[0]!r}")]
    if c.ref and c.ref in refs:
        return [FieldError("related_to", "不能关联本次来访自身", "a visit cannot be related to itself")]
    if len(set(refs)) != len(refs):
        return [FieldError("related_to", "关联来访重复", "a related visit is listed twice")]
    return []


def related_errors(refs: Iterable[str], known: Callable[[str], str | None], station: str) -> list[FieldError]:
    """Each reference must name a record of `station` that exists: `known(ref)` gives the
    station of the record with that reference, or None. Pure: the caller asks its store."""
    for r in refs:
        where = known(r)
        if where is None:
            return [FieldError("related_to", f"找不到来访编号：{r}", f"no visit with reference {r}")]
        if where != station:
            return [FieldError("related_to", f"只能关联本站点的来访：{r}", f"only visits of this station: {r}")]
    return []


def validate(c: Consultation) -> Consultation:
    if c.deleted and c.stored is not None and c.evolve(deleted=c.stored.deleted) == c.stored:
        return c  # a deletion alone adds nothing to check, and must work on any stored record
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
    if isinstance(value, (list, tuple, dict)):
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
    if not math.isfinite(n):
        raise ValidationError([FieldError(field, f"应为数字：{value}", f"not a number: {value!r}")])
    if integer:
        if n != int(n):
            raise ValidationError([FieldError(field, "应为整数", "must be a whole number")])
        return int(n)
    return int(n) if n == int(n) else n
