"""The command tests' station (`h`, initialised by `liaison init`) and the PIN a script
passes in LIAISON_PIN (`pin`: the modules that script the command use it for every test,
`pytestmark = pytest.mark.usefixtures("pin")`; the PIN-prompt tests must not have it)."""

from __future__ import annotations

import pytest

from liaison.cli import main
from tests.cli._cli import OFFICER, PIN


@pytest.fixture
def pin(monkeypatch):
    monkeypatch.setenv("LIAISON_PIN", PIN)


@pytest.fixture
def h(tmp_path, capsys):
    home = str(tmp_path / "h")
    assert main(["--home", home, "init", "--station", "fengqiao-yuanfang", "--officer", OFFICER]) == 0
    assert capsys.readouterr().out.splitlines()[0] == home  # then the recovery code
    return home
