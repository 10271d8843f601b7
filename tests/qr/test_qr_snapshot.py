"""The QR screen as the officer and the resident see it, compared with a reviewed
snapshot (pytest-textual-snapshot). After a deliberate change: look at the report,
then `pytest tests/qr --snapshot-update`."""

from __future__ import annotations

from datetime import date

import pytest

from liaison.security.keyring import Keyring
from liaison.security.session import unlock
from liaison.store import Store
from liaison.tui.app import build_app

TODAY = date(2026, 11, 28)
PIN = "kx-4711-lotus"


@pytest.fixture
def ban_home(tmp_path):
    home = tmp_path / "fengqiao-ban"
    Store.init(home, station="fengqiao-ban", code="FQB", officer="李检察官").close()
    Keyring.create(home, "fengqiao-ban", "李检察官", PIN)  # a sealed station, as every one is
    return home


async def _open_qr(pilot) -> None:
    app = pilot.app
    while app.store is None:
        await pilot.pause(0.05)
    await app.workers.wait_for_complete()
    await pilot.press("q")
    for _ in range(2):
        await app.workers.wait_for_complete()
        await pilot.pause()


@pytest.mark.parametrize("size", [(120, 50), (60, 20)], ids=["fits", "too-small"])
def test_qr_screen(snap_compare, ban_home, size):
    assert snap_compare(build_app(ban_home, session=unlock(ban_home, "李检察官", PIN), today=TODAY), terminal_size=size, run_before=_open_qr)
