"""The `liaison` command run in-process as a script runs it: the officer named, the PIN
in LIAISON_PIN (the `pin` fixture, tests/cli/conftest.py)."""

from __future__ import annotations

import io
import sys

from liaison.cli import main

OFFICER, PIN = "王检察官", "wang-pin-2468"
# Commands that unlock: scripts name the officer and put the PIN in LIAISON_PIN.
UNLOCKING = {"add", "import", "list", "show", "edit", "delete", "report"}


def run(capsys, *argv, stdin: str | None = None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin.encode())))
    argv = list(argv)
    if UNLOCKING & set(argv[:3]):
        argv += ["--officer", OFFICER]
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err
