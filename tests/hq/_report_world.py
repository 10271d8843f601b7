"""A real office with two stations' records ingested, whose figures are known by hand.

Reused by the report, browser and dashboard tests. Each record is created with a fixed
creation time, so the resolution time (visit → last change of a resolved record) is
exact; station 枫桥远坊's second bundle is never delivered, so the office sees a gap.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from liaison.domain.intake import fields_from_input  # noqa: E402
from liaison.store import Store  # noqa: E402
from liaison.sync.export import export  # noqa: E402
from tests.sync._sync_world import World  # the sync tests' real office + stations

FQ, RIDER = "fengqiao-yuanfang", "rider-friendly"
CST = timezone(timedelta(hours=8))
START, END = date(2026, 11, 1), date(2026, 11, 20)


def at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T09:00:00").replace(tzinfo=CST)


# (station, visit day, category, status, referrals, follow-up, created/last changed)
ROWS = [
    (FQ, "2026-11-02", "labour", "resolved", ["labour_inspection"], None, "2026-11-06"),      # 4 days
    (FQ, "2026-11-03", "labour", "referred", ["labour_inspection", "legal_aid"], "2026-11-10", None),
    (FQ, "2026-11-10", "relocation", "closed", ["admin_resolution"], None, "2026-11-20"),    # 10 days
    (FQ, "2026-11-11", "neighbour", "open", [], "2026-11-25", None),                         # not yet due
    (RIDER, "2026-11-04", "rider", "following_up", ["public_interest"], "2026-11-05", None),
    (RIDER, "2026-11-12", "rider", "resolved", ["public_interest"], None, "2026-11-14"),     # 2 days
    (RIDER, "2026-10-20", "rider", "open", [], "2026-10-27", None),  # before --from, still overdue
]


def _create(store: Store, sid: str, day: str, cat: str, status: str, refs: list[str], fu: str | None,
            changed: str | None) -> str:
    data = {"visited_at": at(day).isoformat(), "category": cat, "status": status, "referrals": refs,
            "summary": f"{cat} 测试咨询 {day}", "visitor": {"name": "测试人", "consent": True}}
    if fu:
        data["follow_up_on"] = fu
    return store.create(fields_from_input(data, officer="测试"), at=at(changed or day)).id


def build(root: Path) -> tuple[World, dict[str, list[str]]]:
    world = World(root)
    homes = {sid: world.station(sid) for sid in (FQ, RIDER)}
    ids: dict[str, list[str]] = {FQ: [], RIDER: []}
    for sid, *row in ROWS:
        store = Store.open(homes[sid])
        ids[sid].append(_create(store, sid, *row))
        store.close()
    inbox = world.drop / "inbox"
    first = export(homes[FQ]).path
    for note in ("第二次回访", "第三次回访"):  # bundles 2 and 3: edits of the open neighbour visit
        store = Store.open(homes[FQ])
        store.edit(ids[FQ][3], {"advice": note})
        store.close()
        last = export(homes[FQ]).path
    for b in (first, last, export(homes[RIDER]).path):  # bundle 2 of 枫桥远坊 is never delivered
        (inbox / b.name).write_bytes(b.read_bytes())
    world.ingest()
    return world, ids
