"""Turning what people type (JSON on stdin, a CSV row, `--set field=value`, a form)
into consultations, with every mistake reported at once, by field.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any, Mapping

from .consultation import Clue, Consultation, Note, Visitor
from .timeutil import now as _now, parse_date, parse_datetime
from .validation import FieldError, ValidationError, check, coerce_number, normalize_phone, validate
from .vocab import CATEGORIES, CATEGORY_DETAILS, REFERRALS, STATUSES, lookup

# Keys the program assigns; input that sets them is refused rather than ignored.
ASSIGNED_KEYS = frozenset({"id", "ref", "version", "seq", "created_at", "updated_at", "deleted"})
INPUT_KEYS = frozenset({
    "station", "officer", "visited_at", "category", "status", "summary", "visitor", "details",
    "requests", "advice", "referrals", "clue", "notes", "follow_up_on",
})
VISITOR_KEYS = frozenset({"name", "phone", "party_size", "consent", "anonymous"})
CLUE_KEYS = frozenset({"flag", "note"})
TRUE_WORDS = {"1", "true", "yes", "y", "是", "有", "同意", "on"}
FALSE_WORDS = {"0", "false", "no", "n", "否", "无", "不同意", "off", ""}


def _bool(field: str, value: Any, errs: list[FieldError]) -> bool:
    if isinstance(value, bool):
        return value
    t = str(value).strip().lower()
    if t in TRUE_WORDS:
        return True
    if t in FALSE_WORDS:
        return False
    errs.append(FieldError(field, f"应为是/否：{value}", f"expected yes/no, got {value!r}"))
    return False


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


# Short forms people write on paper for a referral.
REFERRAL_ALIASES = {"公安": "police", "报警": "police", "110": "police", "96110": "police",
                    "劳动监察大队": "labour_inspection", "仲裁": "labour_arbitration",
                    "12309": "service_centre_12309", "调解": "mediation", "调解员": "mediation"}


def _code(field: str, table: dict, value: Any, errs: list[FieldError]) -> str:
    code = lookup(table, _text(value))
    if code is None and table is REFERRALS:
        code = REFERRAL_ALIASES.get(_text(value))
    if code is None:
        errs.append(FieldError(field, f"未知取值：{value}", f"unknown value {value!r}; one of {', '.join(table)}"))
        return _text(value)
    return code


def _referrals(value: Any, errs: list[FieldError]) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    items = value if isinstance(value, (list, tuple)) else re.split(r"[,，;；、/]", str(value))
    return tuple(_code("referrals", REFERRALS, i, errs) for i in items if _text(i))


def _details(category: str, raw: Mapping[str, Any], errs: list[FieldError]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in CATEGORY_DETAILS.get(category, ()):
            errs.append(FieldError(f"details.{key}", "此类别不含该项", f"{key!r} is not a detail of category {category!r}"))
            continue
        try:
            if key == "workers":
                value = coerce_number("details.workers", value, integer=True)
            elif key == "amount_owed":
                value = coerce_number("details.amount_owed", value, integer=False)
            else:
                value = _text(value) or None
        except ValidationError as e:
            errs.extend(e.errors)
            continue
        if value is not None:
            out[key] = value
    return out


def _visitor(raw: Mapping[str, Any], errs: list[FieldError]) -> Visitor:
    for k in raw:
        if k not in VISITOR_KEYS:
            errs.append(FieldError(f"visitor.{k}", "未知字段", f"unknown key; allowed: {', '.join(sorted(VISITOR_KEYS))}"))
    anonymous = _bool("visitor.anonymous", raw.get("anonymous", False), errs)
    phone = _text(raw.get("phone")) or None
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
        name=_text(raw.get("name")) or None,
        phone=phone,
        party_size=party,
        consent=_bool("visitor.consent", raw.get("consent", False), errs),
        anonymous=anonymous,
    )


def fields_from_input(data: Mapping[str, Any], *, officer: str) -> dict[str, Any]:
    """Check and normalise a JSON-like mapping of consultation fields.

    Returns keyword arguments for `Consultation`; raises ValidationError listing every
    problem (unknown keys included) so a batch import can report all of them.
    """
    errs: list[FieldError] = []
    data = dict(data)
    for key in ("visitor", "details", "clue"):
        if data.get(key) is not None and not isinstance(data[key], (dict, bool) if key == "clue" else dict):
            errs.append(FieldError(key, "格式不对，应为对象", f"expected an object {{...}}, got {data[key]!r}"))
            data[key] = None
    if isinstance(data.get("notes"), str):
        data["notes"] = [data["notes"]]  # one note, not one per character
    for k in data:
        if k in ASSIGNED_KEYS:
            errs.append(FieldError(k, "由系统生成，请勿填写", "assigned by liaison; leave it out"))
        elif k not in INPUT_KEYS:
            errs.append(FieldError(k, "未知字段", f"unknown key; allowed: {', '.join(sorted(INPUT_KEYS))}"))
    category = _code("category", CATEGORIES, data.get("category", ""), errs) if data.get("category") else ""
    if not category:
        errs.append(FieldError("category", "类别必填", "a category is required"))
    out: dict[str, Any] = {
        "category": category,
        "summary": _text(data.get("summary")),
        "requests": _text(data.get("requests")),
        "advice": _text(data.get("advice")),
        "officer": _text(data.get("officer")) or officer,
        "status": _code("status", STATUSES, data["status"], errs) if data.get("status") else "open",
        "referrals": _referrals(data.get("referrals"), errs),
        "visitor": _visitor(data.get("visitor") or {}, errs),
        "details": _details(category, data.get("details") or {}, errs),
    }
    clue = data.get("clue") or {}
    if isinstance(clue, bool):
        clue = {"flag": clue}
    for k in clue:
        if k not in CLUE_KEYS:
            errs.append(FieldError(f"clue.{k}", "未知字段", "unknown key; allowed: flag, note"))
    out["clue"] = Clue(flag=_bool("clue.flag", clue.get("flag", False), errs), note=_text(clue.get("note")))
    for key, parse in (("visited_at", parse_datetime), ("follow_up_on", parse_date)):
        if data.get(key):
            try:
                out[key] = parse(str(data[key]))
            except ValueError:
                errs.append(FieldError(key, f"日期格式不对：{data[key]}", f"not a date: {data[key]!r} (YYYY-MM-DD)"))
    notes = []
    for n in data.get("notes") or ():
        if isinstance(n, str):
            n = {"text": n}
        try:
            at = parse_datetime(n["at"]) if n.get("at") else _now()
            notes.append(Note(at=at, officer=_text(n.get("officer")) or out["officer"], text=_text(n["text"])))
        except (KeyError, ValueError, TypeError, AttributeError):
            errs.append(FieldError("notes", "备注格式不对", "each note is a text or {at, officer, text}"))
    out["notes"] = tuple(notes)
    # The record-level rules too, so a form or an import shows every problem at once.
    draft = Consultation(id="", ref="", station="", visited_at=out.get("visited_at") or _now(),
                         created_at=_now(), **{k: v for k, v in out.items() if k != "visited_at"})
    seen = {e.field for e in errs}
    errs += [e for e in check(draft) if e.field not in seen]
    if errs:
        raise ValidationError(errs)
    return out


def new_consultation(fields: Mapping[str, Any], *, station: str, ref: str,
                     at: datetime | None = None) -> Consultation:
    """A first version, validated. `ref` comes from the store (unique per station/day)."""
    t = at or _now()
    kwargs = dict(fields)
    kwargs.setdefault("visited_at", t)
    c = Consultation(id=str(uuid.uuid4()), ref=ref, station=station, created_at=t, updated_at=t, **kwargs)
    return validate(c)


SETTABLE = ("category", "status", "summary", "requests", "advice", "referrals", "follow_up_on",
            "visited_at", "clue", "clue.flag", "clue.note", "officer",
            *(f"visitor.{k}" for k in sorted(VISITOR_KEYS)),
            *sorted({f"details.{k}" for ks in CATEGORY_DETAILS.values() for k in ks}))


def apply_edits(c: Consultation, edits: Mapping[str, Any]) -> Consultation:
    """Apply `field=value` edits (dotted names for visitor/details/clue), validated.

    An empty value clears an optional field. Moving to another category drops the
    details that category does not have.
    """
    data = c.to_dict()
    for k in ASSIGNED_KEYS | {"station", "notes"}:
        data.pop(k, None)
    errs: list[FieldError] = []
    for name, value in edits.items():
        if name not in SETTABLE:
            errs.append(FieldError(name, "不能修改此字段", f"cannot be set; settable: {', '.join(SETTABLE)}"))
            continue
        if "." in name:
            head, key = name.split(".", 1)
            sub = data.setdefault(head, {})
            if value in ("", None):
                sub.pop(key, None)
            else:
                sub[key] = value
        else:
            data[name] = None if value == "" else value
    if errs:
        raise ValidationError(errs)
    if data.get("category") != c.category:
        keep = CATEGORY_DETAILS.get(lookup(CATEGORIES, str(data.get("category"))) or "", ())
        data["details"] = {k: v for k, v in (data.get("details") or {}).items() if k in keep}
    fields = fields_from_input(data, officer=c.officer)
    fields["notes"] = c.notes
    fields.setdefault("follow_up_on", None)  # cleared by an empty value
    return validate(c.evolve(**fields))
