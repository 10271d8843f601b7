"""An internal error (a bug) leaves a crash log for the developer (issue 11, case 5):
the file and line of every frame, never what the records hold — exception messages
and arguments can carry a resident's summary. Owner-only, in the user's state folder,
and the message names it."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from liaison.cli import exitcodes as ec
from liaison.cli import main, officer_cmds

SUMMARY = "张建国反映工头刘师傅拖欠三个月工资共一万二千元"
PHONE = "13900004002"


def _buggy(args):
    try:
        {"visitor": {"phone": PHONE}}["visitor"]["name"]
    except KeyError as e:
        raise ValueError(f"cannot render record: summary={SUMMARY!r}", {"phone": PHONE}) from e
    return 0


def test_crash_log_names_the_code_not_the_records(tmp_path, monkeypatch, capsys):
    state = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    monkeypatch.setattr(officer_cmds, "cmd_list", _buggy)
    before = set(Path(tempfile.gettempdir()).glob("liaison-error-*.log"))

    code = main(["--home", str(tmp_path / "station"), "officer", "list"])

    assert code == ec.INTERNAL == 1
    err = capsys.readouterr().err
    logs = list((state / "liaison").rglob("*.log"))
    assert len(logs) == 1, logs
    log = logs[0]
    assert str(log) in err and "Traceback" not in err
    assert stat.S_IMODE(os.stat(log).st_mode) == 0o600
    text = log.read_text(encoding="utf-8")
    assert SUMMARY not in text and SUMMARY[:4] not in text and PHONE not in text
    # What a developer needs: the exception types, and file / line / function of each frame.
    assert "ValueError" in text and "KeyError" in text
    assert "test_crash_log.py" in text and "_buggy" in text and "line " in text
    assert set(Path(tempfile.gettempdir()).glob("liaison-error-*.log")) == before  # none in /tmp any more
