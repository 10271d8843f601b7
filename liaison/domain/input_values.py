"""One value of consultation input (JSON, a CSV cell, `--set`, a form field) to its
typed form, or a FieldError. Exact types: a list or an object where text is expected
is refused, never turned into its Python spelling.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Callable, Mapping

from .consultation import Note, Visitor
from .refs import parse_ref
from .timeutil import iso, now, parse_date, parse_datetime
from .validation import FieldError, ValidationError, coerce_number, normalize_phone
from .vocab import CATEGORY_DETAILS, DETAIL_KINDS, REFERRALS, lookup

VISITOR_KEYS = frozenset({"name", "phone", "party_size", "consent", "anonymous"})
NOTE_KEYS = frozenset({"at", "officer", "text"})
TRUE_WORDS = {"1", "true", "yes", "y", "是", "有", "同意", "on"}
FALSE_WORDS = {"0", "false", "no", "n", "否", "无", "不同意", "off", ""}
# Short forms people write on paper for a referral.
REFERRAL_ALIASES = {"公安": "police", "报警": "police", "110": "police", "96110": "police",
                    "劳动监察大队": "labour_inspection", "仲裁": "labour_arbitration",
                    "12309": "service_centre_12309", "调解": "mediation", "调解员": "mediation"}


def text(field: str, value: Any, errs: list[FieldError]) -> str:
    """Text as typed (trimmed; Windows line ends as newlines); "" for nothing."""
    if value is None:
        return ""
    if not isinstance(value, str):
        errs.append(FieldError(field, "应为文字", f"expected text, got {type(value).__name__}"))
        return ""
    return value.replace("\r\n", "\n").strip()


def boolean(field: str, value: Any, errs: list[FieldError]) -> bool:
    if isinstance(value, bool):
        return value
    t = value.strip().lower() if isinstance(value, str) else None
    if t in TRUE_WORDS:
        return True
    if t in FALSE_WORDS:
        return False
    errs.append(FieldError(field, f"应为是/否：{value}", f"expected yes/no, got {value!r}"))
    return False


def code(field: str, table: dict[str, tuple[str, str]], value: Any, errs: list[FieldError]) -> str:
    t = text(field, value, errs)
    found = lookup(table, t)
    if found is None and table is REFERRALS:
        found = REFERRAL_ALIASES.get(t)
    if found is None:
        if isinstance(value, str):
            errs.append(FieldError(field, f"未知取值：{value}", f"unknown value {value!r}; one of {', '.join(table)}"))
        return t
    return found


def referrals(value: Any, errs: list[FieldError]) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        items: Any = re.split(r"[,，;；、/]", value)
    elif isinstance(value, (list, tuple)):
        items = value
    else:
        errs.append(FieldError("referrals", "应为文字或列表", f"expected a text or a list, got {value!r}"))
        return ()
    return tuple(code("referrals", REFERRALS, i, errs) for i in items if not (isinstance(i, str) and not i.strip()))


def details(category: str, raw: Mapping[str, Any], errs: list[FieldError]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in CATEGORY_DETAILS.get(category, ()):
            errs.append(FieldError(f"details.{key}", "此类别不含该项", f"{key!r} is not a detail of category {category!r}"))
            continue
        kind, field = DETAIL_KINDS.get(key, "text"), f"details.{key}"
        try:
            if kind in ("count", "amount"):
                value = coerce_number(field, value, integer=kind == "count")
            elif kind == "flag":
                value = None if value in (None, "") else boolean(field, value, errs)
            elif kind in ("date", "datetime"):
                # Stored as ISO text (a date, or a date-time in +08:00), as JSON carries it.
                t = text(field, value, errs)
                got = when(field, t, parse_date if kind == "date" else parse_datetime, errs) if t else None
                value = None if got is None else got.isoformat() if kind == "date" else iso(got)
            else:
                value = text(field, value, errs) or None
        except ValidationError as e:
            errs.extend(e.errors)
            continue
        if value is not None:
            out[key] = value
    return out


def visitor(raw: Mapping[str, Any], errs: list[FieldError]) -> Visitor:
    for k in raw:
        if k not in VISITOR_KEYS:
            errs.append(FieldError(f"visitor.{k}", "未知字段", f"unknown key; allowed: {', '.join(sorted(VISITOR_KEYS))}"))
    anonymous = boolean("visitor.anonymous", raw.get("anonymous", False), errs)
    phone = text("visitor.phone", raw.get("phone"), errs) or None
    if phone:
        try:
            phone = normalize_phone(phone)
        except ValidationError as e:
            errs.extend(e.errors)
    party = raw.get("party_size", 1)
    try:
        party = coerce_number("visitor.party_size", party, integer=True)
        party = 1 if party is None else party
    except ValidationError as e:
        errs.extend(e.errors)
        party = 1
    return Visitor(
        name=text("visitor.name", raw.get("name"), errs) or None,
        phone=phone,
        party_size=party,
        consent=boolean("visitor.consent", raw.get("consent", False), errs),
        anonymous=anonymous,
    )


def when(field: str, value: Any, parse: Callable[[str], date | datetime], errs: list[FieldError]) -> Any:
    if not isinstance(value, str):
        errs.append(FieldError(field, "日期应为文字，如 2026-11-03", f"expected a date as text, got {value!r}"))
        return None
    try:
        return parse(value)
    except ValueError:
        errs.append(FieldError(field, f"日期格式不对：{value}", f"not a date: {value!r} (YYYY-MM-DD, 2026/11/3, 2026年11月3日)"))
        return None


def notes(value: Any, officer: str, errs: list[FieldError]) -> tuple[Note, ...]:
    """A list of notes (each a text, or {at, officer, text}); one text is one note."""
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        value = [value]  # one note, not one per character
    if not isinstance(value, list):
        errs.append(FieldError("notes", "备注应为文字或列表", "notes are a text or a list of notes"))
        return ()
    out = []
    for n in value:
        n = {"text": n} if isinstance(n, str) else n
        if not isinstance(n, dict) or not set(n) <= NOTE_KEYS or not isinstance(n.get("text"), str):
            errs.append(FieldError("notes", "备注格式不对", "each note is a text or {at, officer, text}"))
            continue
        at = when("notes", n["at"], parse_datetime, errs) if n.get("at") else now()
        out.append(Note(at=at or now(), officer=text("notes", n.get("officer"), errs) or officer,
                        text=text("notes", n["text"], errs)))
    return tuple(out)


def related(value: Any, errs: list[FieldError]) -> tuple[str, ...]:
    """References of earlier visits this one belongs with ("与前三起相同"), upper-cased,
    each once. Whether they exist is the store's to say (validation.related_errors)."""
    if value is None or value == "":
        return ()
    items = re.split(r"[,，;；、\s]+", value) if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)):
        errs.append(FieldError("related_to", "应为编号列表", f"expected a list of references, got {value!r}"))
        return ()
    out: list[str] = []
    for i in items:
        if not isinstance(i, str) or parse_ref(i) is None:
            errs.append(FieldError("related_to", f"不是来访编号：{i}", f"not a reference: {i!r}"))
        elif i.strip().upper() not in out:
            out.append(i.strip().upper())
    return tuple(out)
