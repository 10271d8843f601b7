"""Issue 11: records stored before a rule existed (a year-1 visit, control characters)
never crash a screen, a ledger, a sync or an office report; they can be fixed and deleted."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest
from openpyxl import load_workbook

from liaison.cli import exitcodes as ec
from liaison.cli import main
from liaison.domain.intake import fields_from_input
from liaison.domain.timeutil import now
from liaison.store import Store
from liaison.sync.export import export
from tests.cli._cli import OFFICER, run
from tests.sync._sync_world import AS_OFFICE, PIN, World

pytestmark = pytest.mark.usefixtures("pin")

SID = "fengqiao-yuanfang"
YEAR_ONE = "0001-01-01T00:00:00+08:05:43"  # what `liaison add` stored for 0001-01-01T00:00:00
NASTY = "\x00\x07\x1b[2J\x1b]0;pwn\x07\u202e\x85"


def plant_old_records(home: Path) -> list[str]:
    """Four valid records, three rewritten by hand as the old code would have let them be."""
    store = Store.open(home)
    made = [store.create(fields_from_input({"category": "labour", "summary": f"欠薪 {i}",
                                            "details": {"employer": "某公司"}}, officer=OFFICER)) for i in (1, 2, 3, 4)]
    store.close()
    shard = home / "consultations" / "000001.json"
    data = orjson.loads(shard.read_bytes())
    a, b, c = data["consultations"]["1"], data["consultations"]["2"], data["consultations"]["3"]
    c.update(visited_at="0001-01-01T00:00:00+08:00")  # the same, written with the usual offset
    a.update(visited_at=YEAR_ONE, summary=f"年份错误{NASTY}", follow_up_on="0001-01-08")
    b["visitor"].update(name=f"张{NASTY}", consent=True)
    b.update(summary=f"响铃{NASTY}", advice="x" * 6000, details={"employer": f"某{NASTY}公司"},
             clue={"flag": True, "note": f"线索{NASTY}"},
             notes=[{"at": "2026-11-03T09:00:00+08:00", "officer": OFFICER, "text": f"备注{NASTY}" + "y" * 3000}])
    # Stored by a release before these rules, which was also before shards carried their
    # own check and the folder its manifest (store.manifest): a hand edit of today's
    # files is, rightly, refused as tampering.
    data.pop("_auth", None)
    shard.write_bytes(orjson.dumps(data))
    (home / "manifest.jsonl").unlink()
    meta = orjson.loads((home / "meta.json").read_bytes())
    for doc in meta["meta"].values():
        doc.pop("manifest", None)
    (home / "meta.json").write_bytes(orjson.dumps(meta))
    return [c.ref for c in made]


def clean(text: str) -> bool:
    return not any(ch in text for ch in "\x00\x07\x1b\u202e\x85")


def test_old_records_open_list_show_export_edit_and_delete(tmp_path, capsys, monkeypatch):
    home = tmp_path / "station"
    Store.init(home, station=SID, code="FQYF", officer=OFFICER).close()
    a, b, c, d = plant_old_records(home)
    h = str(home)
    assert main(["--home", h, "officer", "setup", "--officer", OFFICER]) == ec.OK  # seals the old records
    capsys.readouterr()

    code, out, err = run(capsys, "--home", h, "list")
    assert code == ec.OK and clean(out), err
    code, out, err = run(capsys, "--home", h, "list", "--json")
    assert code == ec.OK, err
    assert {r["ref"]: r["visited_at"] for r in json.loads(out)}[a] == YEAR_ONE
    for ref in (a, b, c):
        code, out, err = run(capsys, "--home", h, "show", ref)
        assert code == ec.OK and clean(out) and ("\ufffd" in out) == (ref != c), err
        assert run(capsys, "--home", h, "show", ref, "--json")[0] == ec.OK

    month = now().isoformat()[:7]
    code, out, err = run(capsys, "--home", h, "report", "--month", month)
    assert code == ec.OK and clean(out), err
    xlsx, csv = tmp_path / "l.xlsx", tmp_path / "l.csv"
    assert run(capsys, "--home", h, "report", "--month", month, "--xlsx", str(xlsx))[0] == ec.OK
    cells = [str(c.value) for row in load_workbook(xlsx).active.iter_rows() for c in row if c.value is not None]
    assert any("响铃" in c for c in cells) and all(clean(c) for c in cells)
    assert run(capsys, "--home", h, "report", "--month", month, "--csv", str(csv))[0] == ec.OK
    assert clean(csv.read_text(encoding="utf-8-sig"))
    assert run(capsys, "--home", h, "report", "--month", "0001-01")[0] in (ec.OK, ec.INVALID)

    # An edit is checked on what it changes; what was stored before the rule is left to fix later.
    code, _, err = run(capsys, "--home", h, "edit", a, "--set", "status=closed")
    assert code == ec.OK, err
    code, _, err = run(capsys, "--home", h, "edit", b, "--set", "summary=已改正", "--note", "补记")
    assert code == ec.OK, err
    code, _, err = run(capsys, "--home", h, "edit", b, "--set", "advice=仍有\x1b")
    assert code == ec.INVALID and "advice" in err
    code, _, err = run(capsys, "--home", h, "edit", a, "--set", "visited_at=2026-11-03 09:00")
    assert code == ec.INVALID and "follow_up_on" in err  # the old follow-up is now before the visit
    code, _, err = run(capsys, "--home", h, "edit", a, "--set", "visited_at=2026-11-03 09:00",
                       "--set", "follow_up_on=2026/11/10", "--set", "summary=年份已改正")
    assert code == ec.OK, err
    for ref in (b, c):  # deleted as they are, year 1 and control characters included
        code, _, err = run(capsys, "--home", h, "delete", ref, "--yes")
        assert code == ec.OK, err
    code, out, _ = run(capsys, "--home", h, "list", "--json")
    assert sorted(r["ref"] for r in json.loads(out)) == sorted([a, d])


def _hq(capsys, hq: Path, *argv: str) -> tuple[int, str, str]:
    unlock = AS_OFFICE if argv[0] != "status" else ()
    code = main(["hq", *argv[:1], "--home", str(hq), *argv[1:], *unlock])
    got = capsys.readouterr()
    return code, got.out, got.err


def test_old_records_sync_and_every_office_report_survives(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LIAISON_PIN", PIN)  # the office officer (AS_OFFICE) unlocks
    world = World(tmp_path)
    home = world.station(SID)
    refs = plant_old_records(home)
    bundle = export(home).path
    (world.drop / "inbox" / bundle.name).write_bytes(bundle.read_bytes())
    summary = world.ingest()  # a record that fails the rules is refused with its reason, the rest kept
    assert (summary["bundles"], summary["accepted"], summary["refused"]) == (1, 1, 3)
    assert [r["ref"] for r in world.records().values()] == [refs[3]]
    reasons = (world.hq / "quarantine" / f"{bundle.name}.refused.reason.txt").read_text(encoding="utf-8")
    assert all(ref in reasons for ref in refs[:3]) and "visited_at" in reasons and clean(reasons)
    # And records an office ingested before the rules existed.
    old = {**next(iter(world.records().values()), {}), "id": "00000000-old0-0000-0000-000000000000",
           "ref": "FQYF-00010101-001", "station": SID, "version": 1, "visited_at": YEAR_ONE,
           "follow_up_on": "0001-01-08", "summary": f"旧{NASTY}", "category": "labour", "status": "open",
           "visitor": {"name": f"王{NASTY}", "phone": None, "party_size": 1, "consent": True, "anonymous": False},
           "details": {"employer": f"某{NASTY}公司"}, "deleted": False, "updated_at": YEAR_ONE}
    with world.office() as o:
        o.db.merge(SID, 999, "x" * 64, now().isoformat(), [old, {**old, "id": "00000000-old1-0000-0000-000000000000",
                                                                 "ref": "FQYF-00010101-002"}],
                   lambda counts: b"receipt")
    for argv in (("report",), ("report", "--json"), ("report", "--from", "0001-01-01"),
                 ("report", "--xlsx", str(tmp_path / "r.xlsx")), ("report", "--html", str(tmp_path / "r.html")),
                 ("clusters",), ("clusters", "--json"), ("list",), ("list", "--json"), ("status",)):
        code, out, err = _hq(capsys, world.hq, *argv)
        assert code == ec.OK, (argv, err)
        assert "\x1b" not in out, argv
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert clean(html)
    cells = [str(c.value) for ws in load_workbook(tmp_path / "r.xlsx") for row in ws.iter_rows() for c in row
             if c.value is not None]
    assert all(clean(c) for c in cells)
