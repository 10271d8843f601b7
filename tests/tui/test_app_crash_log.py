"""A bug in the app (issue 11, case 5): Textual's own report prints the traceback with
every frame's local variables — a record, a typed summary — on the terminal of a public
room. The app writes the redacted crash log instead and names it."""

from __future__ import annotations

import io
import os
import stat

import pytest
from rich.console import Console

from liaison.tui.app_base import BaseApp

SUMMARY = "张建国反映工头刘师傅拖欠三个月工资共一万二千元"


class Buggy(BaseApp):
    def on_mount(self) -> None:
        record = {"summary": SUMMARY}  # a local, as in any screen that holds a record
        raise ValueError(f"cannot show {record['summary']}")


async def test_a_crash_shows_the_log_not_the_record(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    app = Buggy(tmp_path / "station")
    out = io.StringIO()
    app.error_console = Console(file=out, width=400, color_system=None)  # the terminal, after exit
    with pytest.raises(ValueError):
        async with app.run_test() as pilot:
            await pilot.pause()
    shown = out.getvalue()
    logs = list((tmp_path / "state" / "liaison" / "crash").glob("*.log"))
    assert len(logs) == 1 and str(logs[0]) in shown.replace("\n", "")
    assert SUMMARY[:6] not in shown and SUMMARY[:6] not in logs[0].read_text(encoding="utf-8")
    assert stat.S_IMODE(os.stat(logs[0]).st_mode) == 0o600
