"""The dashboard's figures, as an officer reads them: today's visits, follow-ups due and
overdue, and what the nightly sync has not yet delivered (after a real sync cycle)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from liaison.demo_data import scenarios  # noqa: E402
from liaison.domain.intake import fields_from_input  # noqa: E402
from liaison.sync.run import sync  # noqa: E402
from liaison.tui.app import build_app  # noqa: E402
from tests.sync._sync_world import World  # the sync tests' real office + station set-up
from tests.tui.unlocked import new_station, opened, seal, session_for, toast_texts

TODAY = date(2026, 11, 28)


def _tiles(app) -> dict[str, str]:
    return {t.id: str(t.render()) for t in app.screen.query(".tile")}


async def _ready(app, pilot) -> None:
    while app.store is None:
        await pilot.pause(0.05)
    await app.workers.wait_for_complete()
    await pilot.pause()


def _station_with_scenarios(tmp_path: Path) -> tuple[World, Path, list[dict]]:
    """A sealed 枫桥远坊 with its scenarios saved, beside a real office."""
    world = World(tmp_path)
    home = world.station("fengqiao-yuanfang")
    seal(home, "fengqiao-yuanfang")
    store = opened(home)
    mine = [m for sid, m in scenarios(TODAY) if sid == "fengqiao-yuanfang"]
    store.create_many([fields_from_input(m, officer="王检察官") for m in mine])
    store.close()
    return world, home, mine


async def test_figures_and_sync_state(tmp_path: Path):
    world, home, mine = _station_with_scenarios(tmp_path)

    app = build_app(home, session=session_for(home), today=TODAY)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await _ready(app, pilot)
        tiles = _tiles(app)
        assert f"\n{len(mine)}\n" in tiles["tile-unexported"] and "从未" in tiles["tile-unexported"]
        overdue = [m for m in mine if m.get("follow_up_on") and m["follow_up_on"] < TODAY.isoformat()
                   and m.get("status") not in ("resolved", "closed")]
        assert f"\n{len(overdue)}\n" in tiles["tile-overdue"]

    # The night: export + deliver to the folder, the office ingests, the next sync reads the receipt.
    sync(home, [str(world.drop)])
    world.ingest()
    report = sync(home, [str(world.drop)])
    assert report.result == "ok"

    app = build_app(home, session=session_for(home), today=TODAY)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await _ready(app, pilot)
        tiles = _tiles(app)
        assert "\n0\n" in tiles["tile-unexported"] and "✓" in tiles["tile-unexported"]


async def test_a_record_added_by_another_process_appears_without_restart(tmp_path):
    """`liaison add` (here: another Store object, as another process would) while the
    app is open: the list shows the new record after the app's next poll."""
    from liaison.tui.widgets.record_list import RecordList

    home = new_station(tmp_path, "fengqiao-yuanfang", "FQYF")
    app = build_app(home, session=session_for(home), today=TODAY)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await _ready(app, pilot)
        await pilot.press("l")
        await _ready(app, pilot)
        assert app.screen.query_one(RecordList).rows == []
        other = opened(home)
        other.create(fields_from_input({"category": "other", "summary": "另一个进程登记的来访"}, officer="李"))
        other.close()
        for _ in range(100):
            await pilot.pause(0.1)
            if app.screen.query_one(RecordList).rows:
                break
        assert [r.brief for r in app.screen.query_one(RecordList).rows] == ["另一个进程登记的来访"]


async def test_a_missing_shard_is_shown_to_the_officer_and_nothing_is_saved(tmp_path: Path):
    """Issue 11: the app never shows fewer records as if nothing happened."""
    _, home, _ = _station_with_scenarios(tmp_path)
    (home / "consultations" / "000001.json").unlink()

    app = build_app(home, session=session_for(home), today=TODAY)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await _ready(app, pilot)
        shown = toast_texts(app)
        assert any("000001.json" in m and "liaison verify" in m for m in shown), shown
        assert app.store.problems
