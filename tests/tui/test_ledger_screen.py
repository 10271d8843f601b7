"""The ledger (台账) as the officer opens it from the dashboard: this month's rows with
masked visitors, totals, month switching, and the XLSX written where it says."""

from __future__ import annotations

from datetime import date

from openpyxl import load_workbook
from textual.widgets import DataTable, Static

from liaison.demo import DEMO_PIN, seed_demo
from liaison.security.session import unlock
from liaison.tui.app import build_app
from liaison.tui.screens.ledger import LedgerScreen

TODAY = date(2026, 11, 28)


async def test_ledger_month_rows_and_export(tmp_path):
    home = seed_demo(tmp_path, on=TODAY)["fengqiao-yuanfang"]
    docs = tmp_path / "documents"
    app = build_app(home, session=unlock(home, "王检察官", DEMO_PIN), today=TODAY, exports_dir=docs)
    async with app.run_test(size=(140, 40)) as pilot:
        while app.store is None:
            await pilot.pause(0.05)
        await app.workers.wait_for_complete()
        await pilot.press("t")
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LedgerScreen)
        november = [r for r in app.store.index.newest_first() if r.visited_at.startswith("2026-11")]
        table = screen.query_one(DataTable)
        assert table.row_count == len(november) > 0
        cells = [str(c) for r in range(table.row_count) for c in table.get_row_at(r)]
        assert not any(r.phone in " ".join(cells) for r in november if r.phone)  # masked
        assert any("****" in c for c in cells)
        assert f"合计: {len(november)}" in str(screen.query_one("#ledger-totals", Static).render())

        await pilot.press("left_square_bracket")  # October: the demo has nothing there
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.month == "2026-10" and table.row_count == 0

        await pilot.press("right_square_bracket", "x")
        await app.workers.wait_for_complete()
        await pilot.pause()
    path = docs / "fengqiao-yuanfang-2026-11.xlsx"  # outside the (encrypted) data folder
    assert not list(home.rglob("*.xlsx"))
    ws = load_workbook(path).active
    values = [c.value for row in ws.iter_rows() for c in row]
    assert "序号" in values and sum(1 for v in values if v == "动迁/征收") >= 1
