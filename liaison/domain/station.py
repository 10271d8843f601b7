"""Station and office profiles: parsing a TOML table into checked, immutable values.

Pure: the caller reads the file and hands over the decoded dict and the file's path.
Profiles are edited by hand, so every message names the file, the key and what
was expected, in English and in Chinese, and a misspelt key is refused rather than
silently ignored.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from .vocab import CATEGORIES

CODE_RE = re.compile(r"^[A-Z][A-Z0-9]{1,9}$")
PHONE_RE = re.compile(r"^\+?[0-9][0-9\- ]{2,19}$")


class ProfileError(ValueError):
    """A profile is wrong. `en` and `zh` are complete messages; `str()` gives both."""

    def __init__(self, source: str, en: str, zh: str, key: str | None = None) -> None:
        self.source, self.key = source, key
        where_en = f"{source}: key '{key}'" if key else f"{source}:"
        where_zh = f"{source}：字段 '{key}' " if key else f"{source}："
        self.en = f"{where_en} {en}"
        self.zh = f"{where_zh}{zh}"
        super().__init__(f"{self.en}\n{self.zh}")


@dataclass(frozen=True, slots=True)
class Service:
    title: str
    line: str


@dataclass(frozen=True, slots=True)
class Contact:
    name: str
    role: str
    phone: str


@dataclass(frozen=True, slots=True)
class Station:
    id: str
    code: str
    name: str
    short_name: str
    place: str
    host: str
    schedule: str
    hours: str
    focus: tuple[str, ...]
    office: str
    url: str | None
    consent_text: str
    retention_years: int
    services: tuple[Service, ...]
    contacts: tuple[Contact, ...]


@dataclass(frozen=True, slots=True)
class Office:
    id: str
    name: str
    short_name: str
    place: str
    hours: str
    hotline: str
    url: str | None
    contacts: tuple[Contact, ...]


STATION_KEYS = ("id", "kind", "code", "name", "short_name", "place", "host", "schedule", "hours",
                "focus", "office", "url", "consent_text", "retention_years", "services", "contacts")
OFFICE_KEYS = ("id", "kind", "name", "short_name", "place", "hours", "hotline", "url", "contacts")


class _Table:
    """One TOML table being read; `prefix` is its dotted path, for messages."""

    def __init__(self, data: Any, source: str, allowed: tuple[str, ...], prefix: str = "") -> None:
        self.source, self.prefix = source, prefix
        if not isinstance(data, dict):
            raise ProfileError(source, f"must be a table, got {data!r}", f"应为表（table），实际为 {data!r}", prefix or None)
        # Unknown keys first: a typo also makes the real key "missing", and the typo is the useful news.
        for key in data:
            if key not in allowed:
                near = difflib.get_close_matches(key, allowed, n=1)
                if near:
                    raise self.error(key, f"is not a known key; did you mean '{near[0]}'?",
                                     f"不是可用字段，是否应为 '{near[0]}'？")
                raise self.error(key, f"is not a known key (known: {', '.join(allowed)})",
                                 f"不是可用字段（可用：{', '.join(allowed)}）")
        self.data = data

    def path(self, key: str) -> str:
        return f"{self.prefix}.{key}" if self.prefix else key

    def error(self, key: str, en: str, zh: str) -> ProfileError:
        return ProfileError(self.source, en, zh, self.path(key))

    def _get(self, key: str, required: bool) -> Any:
        if key not in self.data:
            if required:
                raise self.error(key, "is required but missing", "为必填项，但未填写")
            return None
        return self.data[key]

    def text(self, key: str) -> str:
        return self._text(key, self._get(key, True))

    def optional_text(self, key: str) -> str | None:
        value = self._get(key, False)
        return None if value is None else self._text(key, value)

    def _text(self, key: str, value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, f"must be a non-empty string, got {value!r}", f"应为非空字符串，实际为 {value!r}")
        return value.strip()

    def integer(self, key: str, minimum: int) -> int:
        value = self._get(key, True)
        # bool is an int subclass in Python; `true` in TOML is never a count of years.
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            raise self.error(key, f"must be a whole number of at least {minimum}, got {value!r}",
                             f"应为不小于{minimum}的整数，实际为 {value!r}")
        return value

    def items(self, key: str, required: bool = True) -> list[Any]:
        value = self._get(key, required)
        if value is None:
            return []
        if not isinstance(value, list) or (required and not value):
            raise self.error(key, f"must be a non-empty list, got {value!r}", f"应为非空列表，实际为 {value!r}")
        return value

    def tables(self, key: str, allowed: tuple[str, ...], required: bool = True) -> list[_Table]:
        return [_Table(item, self.source, allowed, f"{self.path(key)}[{i}]")
                for i, item in enumerate(self.items(key, required))]


def _contacts(t: _Table) -> tuple[Contact, ...]:
    out = []
    for c in t.tables("contacts", ("name", "role", "phone"), required=False):
        phone = c.text("phone")
        if not PHONE_RE.match(phone):
            raise c.error("phone", f"must be a phone number such as '021-65012345', got {phone!r}",
                          f"应为电话号码，如 '021-65012345'，实际为 {phone!r}")
        out.append(Contact(c.text("name"), c.text("role"), phone))
    return tuple(out)


def _url(t: _Table) -> str | None:
    url = t.optional_text("url")
    if url is not None and not url.startswith(("https://", "http://")):
        raise t.error("url", f"must start with https:// or http://, got {url!r}", f"应以 https:// 或 http:// 开头，实际为 {url!r}")
    return url


def _focus(t: _Table) -> tuple[str, ...]:
    focus = t.items("focus")
    for i, cat in enumerate(focus):
        if cat not in CATEGORIES:
            raise t.error(f"focus[{i}]", f"must be one of {', '.join(CATEGORIES)}, got {cat!r}",
                          f"应为以下类别之一：{', '.join(CATEGORIES)}，实际为 {cat!r}")
    if len(set(focus)) != len(focus):
        raise t.error("focus", f"lists a category twice: {focus!r}", f"类别重复：{focus!r}")
    return tuple(focus)


def _station(t: _Table, id_: str) -> Station:
    code = t.text("code")
    if not CODE_RE.match(code):
        raise t.error("code", f"must be 2-10 uppercase letters/digits starting with a letter, got {code!r}",
                      f"应为2-10位大写字母或数字、以字母开头，实际为 {code!r}")
    services = tuple(Service(s.text("title"), s.text("line")) for s in t.tables("services", ("title", "line")))
    return Station(
        id=id_, code=code, name=t.text("name"), short_name=t.text("short_name"), place=t.text("place"),
        host=t.text("host"), schedule=t.text("schedule"), hours=t.text("hours"), focus=_focus(t),
        office=t.text("office"), url=_url(t), consent_text=t.text("consent_text"),
        retention_years=t.integer("retention_years", 1), services=services, contacts=_contacts(t),
    )


def _office(t: _Table, id_: str) -> Office:
    return Office(
        id=id_, name=t.text("name"), short_name=t.text("short_name"), place=t.text("place"),
        hours=t.text("hours"), hotline=t.text("hotline"), url=_url(t), contacts=_contacts(t),
    )


def parse_profile(data: dict[str, Any], source: str) -> Station | Office:
    """A Station or Office from the decoded TOML of the file at `source`.

    The file's stem must equal `id`, so a profile can be found by its id without
    reading every file, and two profiles cannot claim the same id.
    """
    kind = data.get("kind") if isinstance(data, dict) else None
    if kind not in ("station", "office"):
        raise ProfileError(source, f"must be \"station\" or \"office\", got {kind!r}",
                           f"应为 \"station\" 或 \"office\"，实际为 {kind!r}", "kind")
    t = _Table(data, source, STATION_KEYS if kind == "station" else OFFICE_KEYS)
    id_ = t.text("id")
    stem = PurePath(source).stem
    if id_ != stem:
        raise t.error("id", f"must equal the file name '{stem}', got {id_!r}", f"应与文件名 '{stem}' 一致，实际为 {id_!r}")
    return _station(t, id_) if kind == "station" else _office(t, id_)
