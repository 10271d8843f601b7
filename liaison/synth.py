"""Deterministic, realistic synthetic consultations for benchmarks and load tests.

`generate(n, seed=..., station=...)` yields input mappings in the shape
`liaison.domain.intake.fields_from_input` accepts (the same as `liaison add --json`),
with Chinese summaries built from templates, a category mix weighted toward the
station's focus, invented names and clearly fake phone numbers (1XX0000XXXX), and
visit times in station hours spread over `days` days. Same seed, same records:
the only source of randomness is one `random.Random(seed)`.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from .domain.timeutil import today as _today
from .synth_data import (
    AGES,
    CLOSE,
    EXTRA,
    FEMALE,
    FOLLOW_DAYS,
    GROUP,
    HOURS,
    ISSUES,
    JOBS,
    MALE,
    MIX_POOLS,
    NOTES,
    OFFICERS,
    OPEN,
    PLATFORMS,
    PLOTS,
    ROADS,
    ROLES,
    SITES,
    STATUS_POOLS,
    SURNAMES,
    TRADES,
    Issue,
)

# Every step below draws from the one generator in a fixed order, and some draws happen only
# on some branches: reordering a draw, or drawing where the old code short-circuited, changes
# every later record of every seed (tests/unit/test_synth_pinned.py holds them to it).

T = TypeVar("T")


class _Draws:
    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed).random

    def pick(self, seq: Sequence[T]) -> T:
        return seq[int(self.random() * len(seq))]

    def below(self, n: int) -> int:
        return int(self.random() * n)


@dataclass(frozen=True)
class _Station:
    mix: tuple[str, ...]
    hours: tuple[int, ...]
    officers: tuple[str, ...]
    weekend_open: float  # chance a weekend visit stays on the weekend rather than moving to Friday

    @classmethod
    def named(cls, station: str) -> _Station:
        return cls(MIX_POOLS.get(station, MIX_POOLS[""]), HOURS.get(station, HOURS["fengqiao-yuanfang"]),
                   OFFICERS.get(station, ("值班检察官",)), 0.5 if station == "rider-friendly" else 0.15)


@dataclass
class _Visit:
    """What the later steps need to know about one visit."""
    cat: str
    issue: Issue
    ordinal: int
    ago: int  # days before the end of the span
    hh: int
    mm: int
    visitor: dict[str, Any]
    ctx: dict[str, Any]  # the template fields: who, age, road, months, years and the category's own


def _money(n: int) -> str:
    return f"{n / 10000:g}万元" if n >= 10000 else f"{n}元"


def _when(d: _Draws, st: _Station, end: int, days: int) -> tuple[int, int, int, int]:
    """A weekday mostly, in station hours: (ordinal, days ago, hour, minute)."""
    ago = d.below(days)
    o = end - ago
    wd = (o - 1) % 7  # date.fromordinal(1) is a Monday
    if wd >= 5 and d.random() > st.weekend_open:
        o -= wd - 4
        ago += wd - 4
    return o, ago, d.pick(st.hours), d.below(60)


def _who(d: _Draws, cat: str) -> tuple[dict[str, Any], str, int]:
    """The visitor mapping, how the summary calls them, and their age."""
    r = d.random()
    female = d.random() < 0.5
    lo, span = AGES.get(cat, (22, 64))
    age = lo + d.below(span)
    if r >= 0.70:
        return {"anonymous": True}, "一名不愿留名的居民" if cat == "other" else "来访人", age
    surname = d.pick(SURNAMES)
    name = surname + d.pick(FEMALE if female else MALE)
    visitor: dict[str, Any] = {"consent": True}
    if r < 0.65:
        visitor["name"] = name
    if r < 0.55 or r >= 0.65:
        visitor["phone"] = f"1{d.pick('3456789')}{d.below(10)}0000{d.below(10000):04d}"
    if "name" not in visitor:
        who = "来访人"
    elif cat == "rider" and age < 40:
        who = "小" + surname
    elif female:
        who = surname + ("阿姨" if age >= 50 else "女士")
    else:
        who = surname + ("老伯" if age >= 70 else "师傅" if age >= 45 else "先生")
    return visitor, who, age


def _details(d: _Draws, v: _Visit) -> dict[str, Any]:
    """The category's own fields; fills in their template fields in `v.ctx` as it goes."""
    ctx, short = v.ctx, v.issue.short
    if v.cat == "relocation":
        r2 = d.random()
        project = (f"{d.pick(PLOTS)}街坊旧改地块" if r2 < 0.5 else f"{ctx['road']}路旧区改造地块" if r2 < 0.8
                   else f"{ctx['road']}新村城市更新项目")
        ctx.update(project=project, role=d.pick(ROLES))
        return {"project": project, "issue": short}
    if v.cat == "labour":
        employer = f"某{d.pick(TRADES)}公司"
        job = d.pick(JOBS)
        group = short == "拖欠工资" and d.random() < 0.3
        workers = 5 + d.below(60) if group else 1
        amt = workers * (3 + d.below(25)) * 1000 if group else (2 + d.below(60)) * 500
        ctx.update(employer=employer, job=job, amt=_money(amt), workers=workers, n=2 + d.below(4))
        details: dict[str, Any] = {"employer": employer, "workers": workers}
        if short in ("拖欠工资", "加班费", "违法解除"):
            details["amount_owed"] = amt
        if group:
            v.visitor["party_size"] = workers
        return details
    if v.cat == "rider":
        platform, site = d.pick(PLATFORMS), d.pick(SITES)
        ctx.update(platform=platform, site=site, amt=_money((1 + d.below(30)) * 50))
        return {"platform": platform, "delivery_site": site, "issue": short}
    ctx["amt"] = _money((1 + d.below(200)) * 500)
    return {}


def _summary(d: _Draws, v: _Visit, details: dict[str, Any]) -> str:
    if v.cat == "labour" and details["workers"] > 1:  # a group: the head tells the story
        summary = d.pick(GROUP).format(**v.ctx) + d.pick(EXTRA) + "。"
    else:
        s = d.pick(v.issue.sentences)
        if "{" in s:
            s = s.format(**v.ctx)
        summary = d.pick(OPEN[v.cat]).format(**v.ctx) + s + "，" + d.pick(EXTRA) + "。"
    if d.random() < 0.5 or len(summary) < 40:
        summary += d.pick(CLOSE[v.cat])
    if len(summary) < 40:
        summary += "请求检察机关帮助。"
    return summary


def _referrals(d: _Draws, pool: tuple[str, ...]) -> list[str]:
    k = d.random()
    refs: list[str] = []
    if k < 0.7:
        refs.append(d.pick(pool))
        if k < 0.2 and len(pool) > 1:
            other = d.pick(pool)
            if other != refs[0]:
                refs.append(other)
    return refs


def _record(d: _Draws, st: _Station, v: _Visit, details: dict[str, Any], summary: str,
            refs: list[str], day: str, iso_day: dict[int, str]) -> dict[str, Any]:
    """The input mapping, with the outcome: status, clue, follow-up and notes."""
    clue = v.issue.clue_pct and d.random() * 100 < v.issue.clue_pct
    status = d.pick(STATUS_POOLS[(v.ago <= 30, bool(refs))])
    m: dict[str, Any] = {
        "officer": d.pick(st.officers),
        "visited_at": f"{day}T{v.hh:02d}:{v.mm:02d}:00+08:00",
        "category": v.cat,
        "status": status,
        "summary": summary,
        "visitor": v.visitor,
        "requests": d.pick(v.issue.requests) + "。",
        "advice": d.pick(v.issue.advice) + "。",
        "referrals": refs,
    }
    if details:
        m["details"] = details
    if clue:
        where = v.ctx.get("site") or v.ctx["road"] + "路一带"
        m["clue"] = {"flag": True, "note": f"{where}{v.issue.short}：同类反映可能涉及不特定多数人利益，报院本部评估。"}
    if d.random() < (0.6 if status in ("open", "referred", "following_up") else 0.12):
        m["follow_up_on"] = _iso(iso_day, v.ordinal + d.pick(FOLLOW_DAYS))
    if d.random() < 0.1:
        note = {"at": f"{day}T{min(v.hh + 1, 23):02d}:{v.mm:02d}:00+08:00", "officer": m["officer"], "text": d.pick(NOTES)}
        m["notes"] = [note]
    return m


def _iso(cache: dict[int, str], o: int) -> str:
    s = cache.get(o)
    if s is None:
        s = cache[o] = date.fromordinal(o).isoformat()
    return s


def generate(n: int, *, seed: int = 7, station: str = "fengqiao-yuanfang",
             start: date | None = None, days: int = 1095) -> Iterator[dict[str, Any]]:
    """`n` input mappings for `station`, visits spread over the `days` days up to `start`."""
    d = _Draws(seed)
    st = _Station.named(station)
    end = (start or _today()).toordinal()
    days = max(1, days)
    iso_day: dict[int, str] = {}  # a year of visits share a few hundred days: format each once
    for _ in range(n):
        cat = d.pick(st.mix)
        issue = d.pick(ISSUES[cat])
        o, ago, hh, mm = _when(d, st, end, days)
        visitor, who, age = _who(d, cat)
        ctx = {"who": who, "age": age, "road": d.pick(ROADS), "months": 2 + d.below(10), "years": 1 + d.below(9)}
        v = _Visit(cat, issue, o, ago, hh, mm, visitor, ctx)
        details = _details(d, v)
        summary = _summary(d, v, details)
        refs = _referrals(d, issue.referrals)
        yield _record(d, st, v, details, summary, refs, _iso(iso_day, o), iso_day)
