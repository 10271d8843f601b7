"""Issue 12, case 9: `liaison export --out NEWDIR` (a new stick, a wiped outbox) used to
start again at bundle 1, which the office refuses as a fork (409) with no way forward.
The station remembers where its chain of bundles stands in its own data folder."""

from __future__ import annotations

import shutil

from liaison.sync.export import export
from liaison.sync.run import sync
from tests.sync._sync_world import run, seed, station_records

FQ = "fengqiao-yuanfang"


def test_an_export_to_a_new_folder_continues_the_numbering(world, tmp_path):
    home = world.station(FQ)
    seed(home, FQ, n=2)
    sync(home, [str(world.drop)])
    world.ingest()
    assert sync(home, [str(world.drop)]).pending == 0

    seed(home, FQ, n=1)
    made = export(home, tmp_path / "new-stick")
    assert made.number == 2
    shutil.copy2(made.path, world.drop / "inbox" / made.path.name)
    summary = world.ingest()
    assert summary["quarantined"] == 0 and summary["accepted"] >= 1, summary
    with world.office() as o:
        assert o.db.gaps(FQ) == [] and o.db.station_status(FQ)["last_bundle"] == 2
    assert set(world.records()) == set(station_records(home))

    # The usual outbox goes on from there too (no second bundle 2).
    seed(home, FQ, n=1)
    p = run("--home", str(home), "sync", "--to", str(world.drop))
    assert p.returncode in (0, 10), p.stderr
    world.ingest()
    with world.office() as o:
        assert o.db.gaps(FQ) == [] and o.db.station_status(FQ)["last_bundle"] == 3
