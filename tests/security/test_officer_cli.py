"""`liaison officer …` and `liaison audit verify` end to end, PINs from the environment."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from liaison.cli import exitcodes as ec
from liaison.cli import main
from liaison.store import Store
from tests.security._security_world import PIN_LI, PIN_WANG

CODE_RE = re.compile(r"^([A-Z2-7]{5}-){5}[A-Z2-7]{5}$")


def run(capsys, monkeypatch, *argv, **env):
    for k in ("LIAISON_PIN", "LIAISON_NEW_PIN", "LIAISON_RECOVERY_CODE"):
        monkeypatch.delenv(k, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # no terminal to ask on
    code = main(list(argv))
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return code, out.out, out.err


@pytest.fixture
def h(tmp_path):
    """A station set up before officers existed (`liaison officer setup` is for these;
    `liaison init` now sets up the first officer itself)."""
    home = tmp_path / "h"
    Store.init(home, station="fengqiao-yuanfang", code="FQYF", officer="王检察官").close()
    return str(home)


@pytest.fixture
def set_up(h, capsys, monkeypatch):
    code, out, err = run(capsys, monkeypatch, "--home", h, "officer", "setup", "--officer", "王检察官",
                         LIAISON_PIN=PIN_WANG)
    assert code == ec.OK and CODE_RE.match(out.strip())
    assert "恢复码" in err and "recovery code" in err and out.strip() not in err
    return h, out.strip()


def test_setup_needs_an_initialised_folder_and_a_pin(tmp_path, h, capsys, monkeypatch):
    code, _, err = run(capsys, monkeypatch, "--home", str(tmp_path / "nowhere"), "officer", "setup",
                       "--officer", "王检察官", LIAISON_PIN=PIN_WANG)
    assert code == ec.NOT_SET_UP and "liaison init" in err
    code, out, err = run(capsys, monkeypatch, "--home", h, "officer", "setup", "--officer", "王检察官")
    assert code == ec.PIN_NEEDED and "LIAISON_PIN" in err and "终端" in err and out == ""
    code, _, err = run(capsys, monkeypatch, "--home", h, "officer", "setup", "--officer", "王检察官",
                       LIAISON_PIN="123456")
    assert code == ec.INVALID and "123456" in err


def test_setup_twice_refused(set_up, capsys, monkeypatch):
    h, _ = set_up
    code, out, err = run(capsys, monkeypatch, "--home", h, "officer", "init", "--officer", "李检察官",
                         LIAISON_PIN=PIN_LI)
    assert code == ec.INVALID and out == "" and "officer add" in err


def test_add_list_remove_reset(set_up, capsys, monkeypatch):
    h, recovery = set_up
    code, _, err = run(capsys, monkeypatch, "--home", h, "officer", "add", "李检察官", "--officer", "王检察官",
                       LIAISON_PIN=PIN_WANG, LIAISON_NEW_PIN=PIN_LI)
    assert code == ec.OK and "李检察官" in err
    code, out, _ = run(capsys, monkeypatch, "--home", h, "officer", "list", "--json")
    assert code == ec.OK and [o["name"] for o in json.loads(out)] == ["李检察官", "王检察官"]
    code, _, err = run(capsys, monkeypatch, "--home", h, "officer", "add", "赵检察官", "--officer", "王检察官",
                       LIAISON_PIN="wrong-pin", LIAISON_NEW_PIN="zh9-ao2x")
    assert code == ec.WRONG_PIN and "PIN" in err
    code, _, _ = run(capsys, monkeypatch, "--home", h, "officer", "remove", "李检察官", "--officer", "李检察官",
                     LIAISON_PIN=PIN_LI)
    assert code == ec.OK
    code, _, err = run(capsys, monkeypatch, "--home", h, "officer", "remove", "王检察官", "--officer", "王检察官",
                       LIAISON_PIN=PIN_WANG)
    assert code == ec.INVALID and "最后" in err and "last officer" in err
    code, _, _ = run(capsys, monkeypatch, "--home", h, "officer", "reset-pin", "王检察官",
                     LIAISON_RECOVERY_CODE=recovery, LIAISON_NEW_PIN="fresh-pin-42")
    assert code == ec.OK
    code, _, _ = run(capsys, monkeypatch, "--home", h, "officer", "add", "赵检察官", "--officer", "王检察官",
                     LIAISON_PIN="fresh-pin-42", LIAISON_NEW_PIN="zh9-ao2x")
    assert code == ec.OK
    code, out, _ = run(capsys, monkeypatch, "--home", h, "officer", "list")
    assert "赵检察官" in out and "李检察官" not in out
    # Every change and the wrong PIN are in the audit log, which verifies.
    code, out, _ = run(capsys, monkeypatch, "--home", h, "audit", "verify", "--json")
    result = json.loads(out)
    assert code == ec.OK and result["ok"] and result["entries"] == 6


def test_list_without_officers(h, capsys, monkeypatch):
    code, _, err = run(capsys, monkeypatch, "--home", h, "officer", "list")
    assert code == ec.NOT_SET_UP and "officer setup" in err


def test_audit_verify_names_the_broken_entry(set_up, capsys, monkeypatch):
    h, _ = set_up
    for name in ("李检察官", "赵检察官"):
        run(capsys, monkeypatch, "--home", h, "officer", "add", name, "--officer", "王检察官",
            LIAISON_PIN=PIN_WANG, LIAISON_NEW_PIN="zh9-ao2x")
    code, out, _ = run(capsys, monkeypatch, "--home", h, "audit", "verify")
    assert code == ec.OK and "3" in out
    log = Path(h) / "audit" / "log.jsonl"
    lines = log.read_bytes().split(b"\n")
    entry = orjson.loads(lines[1])
    entry["target"] = "someone else"
    lines[1] = orjson.dumps(entry)
    log.write_bytes(b"\n".join(lines))
    code, out, err = run(capsys, monkeypatch, "--home", h, "audit", "verify")
    assert code == ec.AUDIT_BROKEN and out == "" and "第 2 条" in err and "entry 2" in err
    code, out, _ = run(capsys, monkeypatch, "--home", h, "audit", "verify", "--json")
    assert code == ec.AUDIT_BROKEN and json.loads(out)["first_bad"] == 2


def test_real_process_refuses_without_pin_and_no_traceback(h):
    env = {"PATH": "/usr/bin:/bin", "HOME": h}
    p = subprocess.run([sys.executable, "-c", "from liaison.cli import entry; entry()", "--home", h, "officer", "setup", "--officer", "王"],
                       capture_output=True, text=True, stdin=subprocess.DEVNULL, env=env)
    assert p.returncode == ec.PIN_NEEDED and "Traceback" not in p.stderr and "LIAISON_PIN" in p.stderr


def test_exit_codes_documented():
    for code in (ec.WRONG_PIN, ec.PIN_NEEDED, ec.AUDIT_BROKEN):
        assert code in ec.TABLE
    assert len(set(ec.TABLE)) == len(ec.TABLE)


def test_pin_asked_on_the_terminal_twice(h, capsys, monkeypatch):
    import getpass

    class Tty(io.StringIO):
        def isatty(self):
            return True

    for k in ("LIAISON_PIN", "LIAISON_NEW_PIN", "LIAISON_RECOVERY_CODE"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setattr(sys, "stdin", Tty(""))
    answers = iter([PIN_WANG, "different-1"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(answers))
    assert main(["--home", h, "officer", "setup", "--officer", "王检察官"]) == ec.INVALID
    assert "不一致" in capsys.readouterr().err
    answers = iter([PIN_WANG, PIN_WANG])
    assert main(["--home", h, "officer", "setup", "--officer", "王检察官"]) == ec.OK
    assert CODE_RE.match(capsys.readouterr().out.strip())
