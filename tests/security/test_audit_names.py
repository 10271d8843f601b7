"""A failed unlock never writes what was typed into the name field (issue 11, case 10):
a PIN typed there by mistake would land in the audit log and be shipped to the office.
An unknown name is logged as "unknown officer"; a known officer may be named."""

from __future__ import annotations

import pytest

from liaison.cli import main
from liaison.security.audit import AuditLog
from liaison.security.backoff import Backoff
from liaison.security.errors import WrongPin
from liaison.security.keyring import Keyring
from liaison.security.session import unlock
from tests.security._security_world import PIN_WANG, STATION, FakeTime

TYPED = "123456"


@pytest.fixture
def home(tmp_path):
    h = tmp_path / "station"
    Keyring.create(h, STATION, "王检察官", PIN_WANG)
    return h


def _log(home) -> str:
    return (home / "audit" / "log.jsonl").read_text(encoding="utf-8")


def test_a_pin_typed_as_the_name_is_not_logged(home):
    t = FakeTime()
    with pytest.raises(WrongPin):
        unlock(home, TYPED, "ks83jd-y", sleep=t.sleep, clock=t.clock)
    with pytest.raises(WrongPin):
        unlock(home, f" {TYPED}\n", PIN_WANG, sleep=t.sleep, clock=t.clock)
    assert TYPED not in _log(home)
    entries = AuditLog(home).entries_since(0)
    assert [(e["action"], e["officer"]) for e in entries] == [("unlock_failed", "")] * 2
    # A known officer's failure still names them: a reviewer wants to see who was tried.
    with pytest.raises(WrongPin):
        unlock(home, "王检察官", "ks83jd-y", sleep=t.sleep, clock=t.clock)
    assert AuditLog(home).entries_since(0)[-1]["officer"] == "王检察官"


def test_officer_commands_do_not_log_the_typed_name(home, monkeypatch, capsys):
    monkeypatch.setenv("LIAISON_PIN", "ks83jd-y")
    monkeypatch.setenv("LIAISON_NEW_PIN", "kq83jd-x")
    monkeypatch.setenv("LIAISON_RECOVERY_CODE", "AAAAA-BBBBB-CCCCC-DDDDD-EEEEE-FFFFF")
    monkeypatch.setitem(Backoff.__init__.__kwdefaults__, "sleep", lambda s: None)  # no real back-off waits
    main(["--home", str(home), "officer", "add", "李检察官", "--officer", TYPED])
    main(["--home", str(home), "officer", "remove", "李检察官", "--officer", TYPED])
    main(["--home", str(home), "officer", "reset-pin", TYPED])
    main(["--home", str(home), "list", "--officer", TYPED])
    capsys.readouterr()
    assert "unlock_failed" in _log(home) and TYPED not in _log(home)
