"""The `liaison` command as scripts use it: stdout is data, stderr is for people, exit codes documented."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from liaison.cli import exitcodes as ec
from liaison.demo import DEMO_PIN
from liaison.demo_data import DEMO_OFFICERS
from tests.cli._cli import run

pytestmark = pytest.mark.usefixtures("pin")


S2 = {"category": "labour", "summary": "27名工人被分包商拖欠工资约60万元",
      "visitor": {"name": "刘师傅", "phone": "139 0000 5678", "party_size": 27, "consent": True},
      "details": {"employer": "某建筑劳务公司", "amount_owed": 600000, "workers": 27},
      "referrals": ["labour_inspection"], "follow_up_on": "+1w", "requests": "尽快拿到工资"}


def test_add_list_show_edit_round_trip(h, capsys, monkeypatch):
    code, out, _ = run(capsys, "--home", h, "add", stdin=json.dumps(S2), monkeypatch=monkeypatch)
    assert code == ec.OK
    cid, ref = out.strip().split("\t")
    assert ref.startswith("FQYF-")
    code, out, _ = run(capsys, "--home", h, "list", "--json")
    [rec] = json.loads(out)
    assert set(rec) >= {"id", "ref", "station", "category", "status", "summary", "visitor", "details", "requests",
                        "advice", "referrals", "clue", "notes", "follow_up_on", "version", "seq", "created_at", "updated_at"}
    assert rec["id"] == cid and rec["visitor"]["party_size"] == 27 and rec["visitor"]["phone"] == "13900005678"
    code, out, _ = run(capsys, "--home", h, "edit", ref, "--set", "status=resolved", "--note", "已足额支付", "--json")
    rec = json.loads(out)
    assert code == 0 and rec["status"] == "resolved" and rec["version"] == 3 and rec["notes"][0]["text"] == "已足额支付"
    code, out, _ = run(capsys, "--home", h, "show", cid[:8])
    assert code == 0 and "刘师傅" in out and "已足额支付" in out


def test_list_masks_personal_details_and_searches(h, capsys, monkeypatch):
    run(capsys, "--home", h, "add", stdin=json.dumps(S2), monkeypatch=monkeypatch)
    code, out, _ = run(capsys, "--home", h, "list", "--search", "lsf")
    assert code == 0 and "刘**" in out and "139****5678" in out and "13900005678" not in out
    code, out, err = run(capsys, "--home", h, "list", "--search", "邻居")
    assert "FQYF-" not in out and "共 0 条" in err


def test_bad_input_gives_message_and_code_and_saves_nothing(h, capsys, monkeypatch):
    bad = {**S2, "visitor": {"phone": "12345", "name": "x", "consent": True}, "colour": "red"}
    code, out, err = run(capsys, "--home", h, "add", stdin=json.dumps(bad), monkeypatch=monkeypatch)
    assert code == ec.INVALID and out == ""
    assert "visitor.phone" in err and "colour" in err and "Traceback" not in err
    code, out, err = run(capsys, "--home", h, "add", stdin="{not json", monkeypatch=monkeypatch)
    assert code == ec.INVALID and "JSON" in err
    assert json.loads(run(capsys, "--home", h, "list", "--json")[1]) == []


def test_errors_map_to_documented_codes(h, tmp_path, capsys):
    assert run(capsys, "--home", h, "show", "FQYF-20000101-001")[0] == ec.NOT_FOUND
    code, _, err = run(capsys, "--home", str(tmp_path / "empty"), "list")
    assert code == ec.NOT_SET_UP and "liaison init" in err
    code, _, err = run(capsys, "--home", h, "init", "--station", "nowhere")
    assert code == ec.NOT_SET_UP and "fengqiao-ban" in err  # lists the known ids
    code, _, err = run(capsys, "--home", h, "list", "--status", "done")
    assert code == ec.INVALID and "following_up" in err


PAPER = """来访日期,类别,事由摘要,来访人,电话,同意记录,转介,回访日期
2026-11-03,劳资/欠薪,保洁员被辞退未签劳动合同,徐阿姨,13700007777,是,劳动仲裁,2026-11-17
2026-11-03,动迁/征收,亭子间面积认定争议,陈阿姨,138 0000 1234,是,行政争议化解,
"""


def test_import_paper_records_gbk_and_all_or_nothing(h, tmp_path, capsys):
    good = tmp_path / "paper.csv"
    good.write_bytes(PAPER.encode("gb18030"))  # as Excel saves it on a Chinese Windows
    code, out, err = run(capsys, "--home", h, "import", str(good))
    assert code == 0 and "已导入 2 条" in err
    assert [line.split("\t")[1] for line in out.splitlines()] == ["FQYF-20261103-001", "FQYF-20261103-002"]

    bad = tmp_path / "bad.csv"
    bad.write_text(PAPER + "2026-11-04,邻里纠纷,,钱先生,1390000,否,,\n", encoding="utf-8")
    code, out, err = run(capsys, "--home", h, "import", str(bad))
    assert code == ec.INVALID and out == ""
    assert "第4行" in err and "summary" in err and "visitor.phone" in err and "visitor.consent" in err
    assert len(json.loads(run(capsys, "--home", h, "list", "--json")[1])) == 2  # nothing of the bad file


def test_delete_needs_confirmation_when_not_interactive(h, capsys, monkeypatch):
    _, out, _ = run(capsys, "--home", h, "add", stdin=json.dumps(S2), monkeypatch=monkeypatch)
    cid = out.split("\t")[0]
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code, _, err = run(capsys, "--home", h, "delete", cid)
    assert code == ec.USAGE and "--yes" in err
    assert run(capsys, "--home", h, "delete", cid, "--yes")[0] == 0
    assert json.loads(run(capsys, "--home", h, "list", "--json")[1]) == []


def test_installed_command_runs_and_demo_seeds_all_scenarios(tmp_path):
    """Through the real console script, as a user or cron would call it."""
    exe = Path(sys.executable).with_name("liaison")
    demo = subprocess.run([str(exe), "demo", "--no-ui", "--home", str(tmp_path / "d")],
                          capture_output=True, text=True, timeout=120)
    assert demo.returncode == 0, demo.stderr
    assert DEMO_PIN in demo.stderr and DEMO_OFFICERS["fengqiao-yuanfang"] in demo.stderr
    total = 0
    for station in ("fengqiao-yuanfang", "fengqiao-ban", "rider-friendly"):
        out = subprocess.run([str(exe), "--home", str(tmp_path / "d" / station), "list", "--json",
                              "--officer", DEMO_OFFICERS[station]], env={**os.environ, "LIAISON_PIN": DEMO_PIN},
                             capture_output=True, text=True, timeout=60)
        total += len(json.loads(out.stdout))
    assert total == 14  # twelve scenarios; S5 is three riders, three consultations
    bad = subprocess.run([str(exe), "--home", str(tmp_path / "none"), "show", "x"], capture_output=True, text=True)
    assert bad.returncode == ec.NOT_SET_UP and "Traceback" not in bad.stderr and bad.stdout == ""


@pytest.mark.parametrize("argv", [("officer",), ("hq", "officer")])
def test_officer_without_a_subcommand_prints_its_usage_on_stderr(capsys, argv):
    """stdout is the commands' API: a usage message is a diagnostic, station and office alike."""
    from liaison.cli import exitcodes as ec
    from tests.cli._cli import run

    code, out, err = run(capsys, *argv)
    assert code == ec.USAGE and out == "" and "usage:" in err and "officer" in err
