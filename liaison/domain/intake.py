"""Turning what people type (JSON on stdin, a CSV row, `--set field=value`, a form)
into consultations, with every mistake reported at once, by field.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Mapping

from . import input_values as iv
from .consultation import Clue, Consultation
from .input_values import VISITOR_KEYS
from .timeutil import now as _now
from .timeutil import parse_date, parse_datetime
from .validation import FieldError, ValidationError, check, validate
from .vocab import CATEGORIES, CATEGORY_DETAILS, STATUSES, lookup

# Keys the program assigns; input that sets them is refused rather than ignored.
ASSIGNED_KEYS = frozenset({"id", "ref", "version", "seq", "created_at", "updated_at", "deleted"})
INPUT_KEYS = frozenset({
    "station", "officer", "visited_at", "category", "status", "summary", "visitor", "details",
    "requests", "advice", "referrals", "clue", "notes", "follow_up_on", "related_to",
})
CLUE_KEYS = frozenset({"flag", "note"})


def fields_from_input(data: Mapping[str, Any], *, officer: str, station: str | None = None,
                      before: Consultation | None = None) -> dict[str, Any]:
    """Check and normalise a JSON-like mapping of consultation fields.

    Returns keyword arguments for `Consultation`; raises ValidationError listing every
    problem (unknown keys included) so a batch import can report all of them. A
    `station` key must name `station` (this one). `before` is the stored version an
    edit starts from: values it already had are not held to rules newer than them.
    """
    errs: list[FieldError] = []
    data = dict(data)
    for key in ("visitor", "details", "clue"):
        if data.get(key) is not None and not isinstance(data[key], (dict, bool) if key == "clue" else dict):
            errs.append(FieldError(key, "格式不对，应为对象", f"expected an object {{...}}, got {data[key]!r}"))
            data[key] = None
    for k in data:
        if k in ASSIGNED_KEYS:
            errs.append(FieldError(k, "由系统生成，请勿填写", "assigned by liaison; leave it out"))
        elif k not in INPUT_KEYS:
            errs.append(FieldError(k, "未知字段", f"unknown key; allowed: {', '.join(sorted(INPUT_KEYS))}"))
    if "station" in data and station is not None and data["station"] != station:
        errs.append(FieldError("station", f"只能录入本站点（{station}）的记录", f"must be this station, {station!r}"))
    category = iv.code("category", CATEGORIES, data["category"], errs) if data.get("category") else ""
    if not category:
        errs.append(FieldError("category", "类别必填", "a category is required"))
    out: dict[str, Any] = {
        "category": category,
        "summary": iv.text("summary", data.get("summary"), errs),
        "requests": iv.text("requests", data.get("requests"), errs),
        "advice": iv.text("advice", data.get("advice"), errs),
        "officer": iv.text("officer", data.get("officer"), errs) or officer,
        "status": iv.code("status", STATUSES, data["status"], errs) if data.get("status") else "open",
        "referrals": iv.referrals(data.get("referrals"), errs),
        "visitor": iv.visitor(data.get("visitor") or {}, errs),
        "details": iv.details(category, data.get("details") or {}, errs),
        "related_to": iv.related(data.get("related_to"), errs),
    }
    clue = data.get("clue") or {}
    if isinstance(clue, bool):
        clue = {"flag": clue}
    for k in clue:
        if k not in CLUE_KEYS:
            errs.append(FieldError(f"clue.{k}", "未知字段", "unknown key; allowed: flag, note"))
    out["clue"] = Clue(flag=iv.boolean("clue.flag", clue.get("flag", False), errs),
                       note=iv.text("clue.note", clue.get("note"), errs))
    for key, parse in (("visited_at", parse_datetime), ("follow_up_on", parse_date)):
        if data.get(key):
            if (value := iv.when(key, data[key], parse, errs)) is not None:
                out[key] = value
    out["notes"] = iv.notes(data.get("notes"), out["officer"], errs)
    # The record-level rules too, so a form or an import shows every problem at once.
    draft = Consultation(id="", ref="", station="", visited_at=out.get("visited_at") or _now(),
                         created_at=_now(), stored=before, **{k: v for k, v in out.items() if k != "visited_at"})
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
            "visited_at", "clue", "clue.flag", "clue.note", "officer", "related_to",
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
    fields = fields_from_input(data, officer=c.officer, before=c.stored)
    fields["notes"] = c.notes
    fields.setdefault("follow_up_on", None)  # cleared by an empty value
    return validate(c.evolve(**fields))
