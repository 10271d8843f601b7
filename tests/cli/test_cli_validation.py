"""Issue 11 through the command: what `liaison add`, `import` and `edit` refuse (exit 4,
every field named, nothing saved), and the dates a spreadsheet writes."""

from __future__ import annotations

import json

import pytest

from liaison.cli import exitcodes as ec
from tests.cli._cli import run

pytestmark = pytest.mark.usefixtures("pin")

OK = {"category": "other", "summary": "咨询"}


def _listed(capsys, h) -> list:
    code, out, _ = run(capsys, "--home", h, "list", "--json")
    assert code == ec.OK
    return json.loads(out)


@pytest.mark.parametrize("extra, field", [
    ({"visited_at": "0001-01-01T00:00:00"}, "visited_at"),  # case 3
    ({"visitor": {"party_size": 1e30}}, "visitor.party_size"),  # case 4
    ({"notes": 5}, "notes"),
    ({"follow_up_on": "+99999999w"}, "follow_up_on"),
    ({"summary": ["a", "b"]}, "summary"),
    ({"notes": {"a": 1}}, "notes"),
    ({"station": "rider-friendly"}, "station"),
    ({"summary": "事由\x00"}, "summary"),  # case 5
    ({"summary": "事由\x07"}, "summary"),
    ({"visitor": {"name": "\x1b[2J张三", "consent": True}}, "visitor.name"),
    ({"notes": ["x" * 5_000_000]}, "notes"),  # case 6
    ({"clue": {"flag": True, "note": "x" * 5_000}}, "clue.note"),
])
def test_add_refuses_with_exit_4_and_saves_nothing(h, capsys, monkeypatch, extra, field):
    code, out, err = run(capsys, "--home", h, "add", stdin=json.dumps({**OK, **extra}), monkeypatch=monkeypatch)
    assert code == ec.INVALID, err
    assert out == "" and field in err and "Traceback" not in err
    assert "\x1b" not in err and "\x00" not in err  # the refusal does not echo them either
    assert _listed(capsys, h) == []


def test_add_reports_every_field_error_at_once(h, capsys, monkeypatch):
    bad = {"category": "other", "summary": ["a"], "visited_at": "0001-01-01T00:00:00", "notes": 5,
           "visitor": {"party_size": 1e30}, "follow_up_on": "+99999999w", "station": "rider-friendly"}
    code, _, err = run(capsys, "--home", h, "add", stdin=json.dumps(bad), monkeypatch=monkeypatch)
    assert code == ec.INVALID
    for field in ("summary", "visited_at", "notes", "visitor.party_size", "follow_up_on", "station"):
        assert field in err


def test_edit_and_note_are_held_to_the_same_rules(h, capsys, monkeypatch):
    _, out, _ = run(capsys, "--home", h, "add", stdin=json.dumps(OK), monkeypatch=monkeypatch)
    ref = out.split("\t")[1].strip()
    for setting in ("visited_at=0001-01-01T00:00:00", "summary=a\x1bb", "follow_up_on=+99999999w",
                    "visitor.party_size=inf", "visitor.party_size=100000"):
        code, _, err = run(capsys, "--home", h, "edit", ref, "--set", setting)
        assert code == ec.INVALID and "Traceback" not in err, (setting, err)
    code, _, err = run(capsys, "--home", h, "edit", ref, "--note", "x" * 5_000_000)
    assert code == ec.INVALID and "notes" in err
    code, _, err = run(capsys, "--home", h, "edit", ref, "--note", "响铃\x07")
    assert code == ec.INVALID and "notes" in err
    [rec] = _listed(capsys, h)
    assert rec["version"] == 1 and rec["notes"] == []


PAPER = """来访日期,类别,事由摘要,回访日期
{visit},其他,咨询,{follow}
"""


@pytest.mark.parametrize("visit, follow, at", [
    ("2026/11/03", "2026/11/17", "2026-11-03T00:00:00+08:00"),
    ("2026/11/3", "2026/11/17", "2026-11-03T00:00:00+08:00"),  # what Excel writes on a Chinese Windows
    ("2026年11月3日", "2026年11月17日", "2026-11-03T00:00:00+08:00"),
    ("2026.11.3", "2026.11.17", "2026-11-03T00:00:00+08:00"),
    ("2026/11/3 9:30", "2026-11-17", "2026-11-03T09:30:00+08:00"),
])
def test_import_reads_the_dates_excel_and_people_write_in_both_columns(h, tmp_path, capsys, visit, follow, at):
    f = tmp_path / "paper.csv"
    f.write_bytes(PAPER.format(visit=visit, follow=follow).encode("gb18030"))
    code, _, err = run(capsys, "--home", h, "import", str(f))
    assert code == ec.OK, err
    [rec] = _listed(capsys, h)
    assert rec["visited_at"] == at and rec["follow_up_on"] == "2026-11-17"


def test_import_refuses_control_characters_and_overlong_cells(h, tmp_path, capsys):
    f = tmp_path / "paper.csv"
    f.write_text("来访日期,类别,事由摘要,线索说明,公益诉讼线索\n"
                 f"2026-11-03,其他,咨询\x1b[31m,{'x' * 3000},是\n", encoding="utf-8")
    code, _, err = run(capsys, "--home", h, "import", str(f))
    assert code == ec.INVALID and "summary" in err and "clue.note" in err
    assert _listed(capsys, h) == []
