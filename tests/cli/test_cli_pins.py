"""PINs on the command line, through the real `liaison` process as a script or cron runs it.

Each child runs in its own session with stdin from /dev/null, so it has no controlling
terminal (no /dev/tty): exactly the situation where a PIN cannot be asked for. Every
successful unlock costs one scrypt (~0.1 s), so the tests share stations where they can.
"""

from __future__ import annotations

import json
import os
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from liaison.cli import exitcodes as ec
from liaison.domain.intake import fields_from_input
from liaison.store import Store

EXE = str(Path(sys.executable).with_name("liaison"))
WANG, PIN_WANG = "王检察官", "ks83jd-x"
LI, PIN_LI = "李检察官", "桥头调解2024"
CODE_RE = re.compile(r"^([A-Z2-7]{5}-){5}[A-Z2-7]{5}$")
SECRETS = ("刘师傅", "13900005678")  # a visitor's name and phone, as a thief would grep for them

S2 = {"category": "labour", "summary": "27名工人被分包商拖欠工资约60万元",
      "visitor": {"name": "刘师傅", "phone": "139 0000 5678", "party_size": 27, "consent": True},
      "details": {"employer": "某建筑劳务公司", "amount_owed": 600000, "workers": 27}}


def liaison(home, *argv, pin: str | None = None, stdin: str | None = None, **env: str):
    """Run the installed command with no terminal; `pin` goes in LIAISON_PIN."""
    clean = {k: v for k, v in os.environ.items()
             if k not in ("LIAISON_PIN", "LIAISON_NEW_PIN", "LIAISON_RECOVERY_CODE")}
    if pin is not None:
        clean["LIAISON_PIN"] = pin
    p = subprocess.run([EXE, "--home", str(home), *argv], env={**clean, **env}, text=True, capture_output=True,
                       input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL,
                       start_new_session=True, timeout=120)
    assert "Traceback" not in p.stderr, p.stderr
    return p


def on_terminal(home, *argv, answers: list[tuple[bytes, str]], stdin_file: Path | None = None):
    """Run the command with a real terminal (a pty as its controlling tty), typing each
    answer after its prompt appears; stdin may come from a file, as in `… | liaison add`.
    Returns (exit code, everything the terminal showed)."""
    import pty

    env = {k: v for k, v in os.environ.items() if k != "LIAISON_PIN"}
    pid, fd = pty.fork()
    if pid == 0:  # the child: a new session whose controlling terminal is the pty
        if stdin_file is not None:
            os.dup2(os.open(stdin_file, os.O_RDONLY), 0)
        os.execve(EXE, [EXE, "--home", str(home), *argv], env)
    shown = b""

    def read_until(marker: bytes | None, timeout: float = 30) -> None:
        nonlocal shown
        end = time.time() + timeout
        while (marker is None or marker not in shown) and time.time() < end:
            if select.select([fd], [], [], 0.2)[0]:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:  # the child exited and closed the pty
                    return
                if not chunk:
                    return
                shown += chunk
        assert marker is None or marker in shown, shown.decode(errors="replace")

    for prompt, answer in answers:
        read_until(prompt)
        shown = shown.replace(prompt, b"<asked>", 1)  # the next prompt may repeat the word
        os.write(fd, answer.encode() + b"\n")
    read_until(None, timeout=30)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), shown.decode(errors="replace")


def audit(home) -> list[dict]:
    return [orjson.loads(line) for line in (Path(home) / "audit" / "log.jsonl").read_bytes().splitlines()]


def raw_bytes(home) -> bytes:
    return b"".join(f.read_bytes() for f in Path(home).rglob("*") if f.is_file())


@pytest.fixture
def station(tmp_path):
    home = tmp_path / "h"
    p = liaison(home, "init", "--station", "fengqiao-yuanfang", "--officer", WANG, pin=PIN_WANG)
    assert p.returncode == ec.OK, p.stderr
    home_line, code = p.stdout.splitlines()
    assert home_line == str(home)
    return home, code


def test_init_asks_for_the_first_pin_and_prints_the_recovery_code_once(tmp_path, station):
    home, code = station
    assert CODE_RE.match(code)
    init = audit(home)
    assert [(e["action"], e["officer"]) for e in init] == [("officer_add", WANG)]
    # Re-running init (e.g. to add a sync target) unlocks the keyring it already has:
    # no second data key, no second code.
    again = liaison(home, "init", "--station", "fengqiao-yuanfang", "--officer", WANG, pin=PIN_WANG)
    assert again.returncode == ec.OK and again.stdout.splitlines() == [str(home)]
    assert "恢复码" not in again.stderr

    fresh = tmp_path / "fresh"
    p = liaison(fresh, "init", "--station", "fengqiao-yuanfang", "--officer", WANG)
    assert p.returncode == ec.PIN_NEEDED and p.stdout == "" and "LIAISON_PIN" in p.stderr
    p = liaison(fresh, "init", "--station", "fengqiao-yuanfang", pin=PIN_WANG)  # whose PIN?
    assert p.returncode == ec.PIN_NEEDED and "--officer" in p.stderr
    p = liaison(fresh, "init", "--station", "fengqiao-yuanfang", "--officer", WANG, pin="123456")
    assert p.returncode == ec.INVALID and "PIN" in p.stderr and p.stdout == ""
    assert not fresh.exists()  # refused before anything was written


def test_init_output_for_people_and_for_scripts(station, tmp_path):
    home = tmp_path / "other"
    p = liaison(home, "init", "--station", "rider-friendly", "--officer", LI, pin=PIN_LI)
    assert p.returncode == ec.OK
    code = p.stdout.splitlines()[1]
    assert CODE_RE.match(code) and code not in p.stderr
    assert "恢复码" in p.stderr and "recovery code" in p.stderr and "not be shown again" in p.stderr
    assert code != station[1]


def test_without_pin_or_terminal_every_personal_command_refuses(station, tmp_path):
    home, _ = station
    paper = tmp_path / "paper.csv"
    paper.write_text("来访日期,类别,事由摘要,来访人,电话,同意记录\n2026-11-03,劳资/欠薪,被辞退,徐阿姨,13700007777,是\n",
                     encoding="utf-8")
    for argv, stdin in ((["add"], json.dumps(S2)), (["import", str(paper)], None), (["list"], None),
                        (["show", "FQYF-20261103-001"], None), (["report", "--month", "2026-11"], None),
                        (["edit", "x", "--set", "status=resolved"], None), (["delete", "x", "--yes"], None),
                        (["list", "--officer", WANG], None)):  # a name alone is not enough
        p = liaison(home, *argv, stdin=stdin)
        assert p.returncode == ec.PIN_NEEDED, (argv, p.stderr)
        assert p.stdout == "" and "终端" in p.stderr and "terminal" in p.stderr and "LIAISON_PIN" in p.stderr
    listed = liaison(home, "list", "--json", "--officer", WANG, pin=PIN_WANG)
    assert listed.returncode == ec.OK and json.loads(listed.stdout) == []  # nothing was saved


def test_wrong_pin_refused_and_logged(station):
    home, _ = station
    p = liaison(home, "add", "--officer", WANG, pin="not-the-pin-1", stdin=json.dumps(S2))
    assert p.returncode == ec.WRONG_PIN and p.stdout == "" and "PIN" in p.stderr
    p = liaison(home, "list", "--officer", "无此人", pin=PIN_WANG)  # an unknown name looks the same
    assert p.returncode == ec.WRONG_PIN
    failed = [e for e in audit(home) if e["action"] == "unlock_failed"]
    assert [e["officer"] for e in failed] == [WANG, ""]  # an unknown name is not written
    assert liaison(home, "audit", "verify").returncode == ec.OK


def test_two_officers_sign_what_they_write_and_a_removed_one_is_refused(station):
    home, _ = station
    p = liaison(home, "officer", "add", LI, "--officer", WANG, pin=PIN_WANG, LIAISON_NEW_PIN=PIN_LI)
    assert p.returncode == ec.OK, p.stderr
    p = liaison(home, "add", "--officer", WANG, pin=PIN_WANG, stdin=json.dumps(S2))
    assert p.returncode == ec.OK, p.stderr
    _, ref = p.stdout.strip().split("\t")
    p = liaison(home, "edit", ref, "--note", "已联系劳动监察大队", "--officer", LI, pin=PIN_LI)
    assert p.returncode == ec.OK, p.stderr
    p = liaison(home, "show", ref, "--json", "--officer", LI, pin=PIN_LI)
    rec = json.loads(p.stdout)
    assert rec["officer"] == WANG and [(n["officer"], n["text"]) for n in rec["notes"]] == [(LI, "已联系劳动监察大队")]

    # A script may not file a record under a colleague's name.
    p = liaison(home, "add", "--officer", LI, pin=PIN_LI, stdin=json.dumps({**S2, "officer": WANG}))
    assert p.returncode == ec.INVALID and "officer" in p.stderr

    assert liaison(home, "officer", "remove", LI, "--officer", WANG, pin=PIN_WANG).returncode == ec.OK
    p = liaison(home, "show", ref, "--officer", LI, pin=PIN_LI)
    assert p.returncode == ec.WRONG_PIN and p.stdout == ""

    entries = [(e["officer"], e["action"], e["target"]) for e in audit(home)]
    assert (WANG, "create", ref) in entries and (LI, "edit", ref) in entries and (LI, "view", ref) in entries
    assert entries[-1][:2] == ("", "unlock_failed")  # no longer an officer: not named


def test_recovery_code_sets_a_new_pin(station):
    home, code = station
    p = liaison(home, "officer", "reset-pin", WANG, LIAISON_RECOVERY_CODE=code.lower(),
                LIAISON_NEW_PIN="新的口令-7391")
    assert p.returncode == ec.OK, p.stderr
    assert liaison(home, "list", "--officer", WANG, pin="新的口令-7391").returncode == ec.OK
    assert liaison(home, "list", "--officer", WANG, pin=PIN_WANG).returncode == ec.WRONG_PIN


def test_every_command_is_audited(station, tmp_path):
    home, _ = station
    as_wang = {"pin": PIN_WANG}
    paper = tmp_path / "paper.csv"
    paper.write_text("来访日期,类别,事由摘要,来访人,电话,同意记录\n2026-11-03,劳资/欠薪,被辞退,徐阿姨,13700007777,是\n",
                     encoding="utf-8")
    p = liaison(home, "import", str(paper), "--officer", WANG, **as_wang)
    assert p.returncode == ec.OK, p.stderr
    _, ref = p.stdout.strip().split("\t")
    assert liaison(home, "show", ref, "--officer", WANG, **as_wang).returncode == ec.OK
    assert liaison(home, "edit", ref, "--set", "status=resolved", "--officer", WANG, **as_wang).returncode == ec.OK
    assert liaison(home, "report", "--month", "2026-11", "--officer", WANG, **as_wang).returncode == ec.OK
    assert liaison(home, "list", "--officer", WANG, **as_wang).returncode == ec.OK
    assert liaison(home, "delete", ref, "--yes", "--officer", WANG, **as_wang).returncode == ec.OK
    acts = [(e["action"], e["target"]) for e in audit(home) if e["action"] not in ("unlock", "officer_add")]
    assert acts == [("import", "import"), ("view", ref), ("edit", ref), ("report", "2026-11"), ("delete", ref)]
    assert all(e["officer"] == WANG for e in audit(home))
    # The details (which fields, how many rows) are sealed: they may say more than a ref.
    assert all(isinstance(e["details"], str) for e in audit(home) if e["action"] in ("import", "edit"))


def test_consent_is_required_before_a_name_or_phone_is_kept(station, tmp_path):
    home, _ = station
    no_consent = {**S2, "visitor": {"name": "刘师傅", "phone": "13900005678"}}
    p = liaison(home, "add", "--officer", WANG, pin=PIN_WANG, stdin=json.dumps(no_consent))
    assert p.returncode == ec.INVALID and "visitor.consent" in p.stderr and p.stdout == ""
    paper = tmp_path / "paper.csv"
    paper.write_text("来访日期,类别,事由摘要,来访人,电话,同意记录\n2026-11-03,劳资/欠薪,被辞退,徐阿姨,13700007777,否\n",
                     encoding="utf-8")
    p = liaison(home, "import", str(paper), "--officer", WANG, pin=PIN_WANG)
    assert p.returncode == ec.INVALID and "第2行" in p.stderr and "visitor.consent" in p.stderr
    # Refused before the PIN was even checked: no unlock was spent on input that cannot be saved.
    assert [e["action"] for e in audit(home)] == ["officer_add"]
    anonymous = {**S2, "visitor": {"anonymous": True, "party_size": 2}}
    p = liaison(home, "add", "--officer", WANG, pin=PIN_WANG, stdin=json.dumps(anonymous))
    assert p.returncode == ec.OK, p.stderr
    assert not any(s.encode() in raw_bytes(home) for s in SECRETS)


def test_officer_setup_seals_a_legacy_plain_store(tmp_path):
    home = tmp_path / "legacy"
    # A station set up before PINs existed: records in clear.
    store = Store.init(home, station="fengqiao-yuanfang", code="FQYF", officer=WANG)
    store.create(fields_from_input(S2, officer=WANG))
    store.close()
    assert all(s.encode() in raw_bytes(home / "consultations") for s in SECRETS)

    p = liaison(home, "list", "--officer", WANG, pin=PIN_WANG)
    assert p.returncode == ec.NOT_SET_UP and "liaison officer setup --officer" in p.stderr and p.stdout == ""
    p = liaison(home, "officer", "setup", "--officer", WANG, pin=PIN_WANG)
    assert p.returncode == ec.OK, p.stderr
    assert CODE_RE.match(p.stdout.strip()) and "1 existing records are now encrypted" in p.stderr
    for f in (home / "consultations").rglob("*.json"):
        assert not any(s.encode() in f.read_bytes() for s in SECRETS), f
    p = liaison(home, "list", "--json", "--officer", WANG, pin=PIN_WANG)
    [rec] = json.loads(p.stdout)
    assert rec["visitor"]["name"] == "刘师傅"


def test_sealed_station_without_unlocking_gives_no_records(station):
    """Commands that need no PIN still work on a sealed station, and show nothing personal."""
    home, _ = station
    p = liaison(home, "add", "--officer", WANG, pin=PIN_WANG, stdin=json.dumps(S2))
    assert p.returncode == ec.OK
    ref = p.stdout.strip().split("\t")[1]
    assert not any(s.encode() in raw_bytes(home) for s in SECRETS)
    p = liaison(home, "qr", "--receipt", ref)  # the index is sealed too: finding the record needs a PIN
    assert p.returncode == ec.PIN_NEEDED and p.stdout == ""
    assert liaison(home, "qr", "--receipt", ref, "--officer", WANG, pin=PIN_WANG).returncode == ec.OK
    p = liaison(home, "qr")  # the station's service code: from meta.json, no unlock
    assert p.returncode == ec.OK and p.stdout
    p = liaison(home, "officer", "list", "--json")
    assert p.returncode == ec.OK and [o["name"] for o in json.loads(p.stdout)] == [WANG]


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")
def test_pins_asked_on_the_terminal(tmp_path):
    home = tmp_path / "t"
    code, shown = on_terminal(home, "init", "--station", "fengqiao-yuanfang", "--officer", WANG,
                              answers=[(b"PIN", PIN_WANG), (b"again", "typo-" + PIN_WANG)])
    assert code == ec.INVALID and "不一致" in shown and not home.exists()
    code, shown = on_terminal(home, "init", "--station", "fengqiao-yuanfang", "--officer", WANG,
                              answers=[(b"PIN", PIN_WANG), (b"again", PIN_WANG)])
    assert code == ec.OK and PIN_WANG not in shown  # nothing echoed
    assert any(CODE_RE.match(line.strip()) for line in shown.splitlines())
    # `… | liaison add`: the JSON comes from stdin, the officer and PIN from the terminal.
    record = tmp_path / "s2.json"
    record.write_text(json.dumps(S2), encoding="utf-8")
    code, shown = on_terminal(home, "add", "--json", stdin_file=record,
                              answers=[(b"officer", WANG), (b"PIN", PIN_WANG)])
    assert code == ec.OK and '"officer": "王检察官"' in shown and PIN_WANG not in shown, shown
