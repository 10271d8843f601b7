"""`hq list` as a person reads it: a reference is the key to a record and is never cut
(the city's 19-character references, D13S11-20261202-001, showed as D13S11-20261202-0…;
a station code may have ten characters, a reference 23 or more)."""

from __future__ import annotations

import orjson

from liaison.cli import main
from tests.hq._report_world import FQ, build
from tests.sync._sync_world import AS_OFFICE, PIN

LONG = "ABCDEFGHIJ-20261103-1234"  # the longest a reference gets: a ten-letter code, a busy day


def test_every_reference_shows_whole(tmp_path, capsys, monkeypatch):
    world, ids = build(tmp_path)
    with world.office() as o:
        db = o.db.db
        doc = orjson.loads(db.execute("SELECT doc FROM records WHERE id=?", (ids[FQ][1],)).fetchone()[0])
        db.execute("UPDATE records SET doc=? WHERE id=?", (orjson.dumps({**doc, "ref": LONG}), ids[FQ][1]))
        db.commit()
        refs = [orjson.loads(d)["ref"] for (d,) in db.execute("SELECT doc FROM records WHERE deleted=0")]
    monkeypatch.setenv("LIAISON_PIN", PIN)
    assert main(["hq", "list", "--home", str(world.hq), *AS_OFFICE]) == 0
    lines = capsys.readouterr().out.splitlines()[2:]
    assert sorted(line.split()[1] for line in lines) == sorted(refs) and LONG in refs
