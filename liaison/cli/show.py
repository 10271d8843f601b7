"""A whole consultation as text, for `liaison show`."""

from __future__ import annotations

from ..domain.consultation import Consultation
from ..domain.text import safe_text
from ..domain.vocab import CATEGORIES, DETAIL_LABELS, REFERRALS, STATUSES, label


def render(c: Consultation) -> str:
    v = c.visitor
    who = "匿名来访 (anonymous)" if v.anonymous or not v.has_personal_data else " ".join(
        x for x in (v.name, v.phone) if x)
    lines = [
        f"{c.ref}  [{label(STATUSES, c.status)}]{'  （已删除 deleted）' if c.deleted else ''}",
        f"  类别 Category   {label(CATEGORIES, c.category)}",
        f"  来访 Visited    {c.visited_at:%Y-%m-%d %H:%M}  接待 {c.officer}",
        f"  来访人 Visitor  {who}" + (f"  共{v.party_size}人" if v.party_size > 1 else "")
        + ("" if not v.has_personal_data else f"  同意记录: {'是' if v.consent else '否'}"),
    ]
    for key, value in c.details.items():
        lines.append(f"  {label(DETAIL_LABELS, key)}  {value}")
    lines += [f"  事由 Summary    {c.summary}"]
    if c.requests:
        lines.append(f"  诉求 Requests   {c.requests}")
    if c.advice:
        lines.append(f"  答复 Advice     {c.advice}")
    if c.referrals:
        lines.append("  转介 Referrals  " + "、".join(label(REFERRALS, r) for r in c.referrals))
    if c.clue.flag:
        lines.append(f"  公益诉讼线索    {c.clue.note or '是'}")
    if c.follow_up_on:
        lines.append(f"  回访 Follow-up  {c.follow_up_on}")
    for n in c.notes:
        lines.append(f"  · {n.at:%Y-%m-%d %H:%M} {n.officer}: {n.text}")
    lines.append(f"  v{c.version} · seq {c.seq} · id {c.id}")
    return safe_text("\n".join(lines))  # old records may hold control characters
