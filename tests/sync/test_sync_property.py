"""Any interleaving of edits, exports, deliveries (partial, out of order, repeated)
ends with the office holding exactly the station's latest versions."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liaison.store import Store
from liaison.sync.export import export
from liaison.sync.run import sync
from tests.sync._sync_world import World, seed, station_records

FQ = "fengqiao-yuanfang"
OPS = st.lists(st.one_of(
    st.tuples(st.just("edit"), st.integers(0, 50)),
    st.tuples(st.just("delete"), st.integers(0, 50)),
    st.tuples(st.just("export"), st.just(0)),
    st.tuples(st.just("deliver"), st.integers(0, 2**8)),  # bit mask: which pending bundles reach the office
    st.tuples(st.just("redeliver"), st.integers(0, 50)),
    st.tuples(st.just("sync"), st.just(0)),
), max_size=14)


def _copy(world: World, paths: list[Path]) -> None:
    for p in paths:
        shutil.copyfile(p, world.drop / "inbox" / p.name)
    world.ingest()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(OPS)
def test_office_ends_with_the_station_latest_versions(ops):
    with tempfile.TemporaryDirectory() as tmp:
        world = World(Path(tmp))
        home = world.station(FQ)
        ids = seed(home, FQ, n=4)
        box = home / "outbox"
        for op, arg in ops:
            if op in ("edit", "delete"):
                s = Store.open(home)
                live = [i for i in ids if not s.get(i).deleted]
                if live:
                    key = live[arg % len(live)]
                    s.delete(key) if op == "delete" else s.edit(key, {"advice": f"补充{arg}"})
                s.close()
            elif op == "export":
                export(home)
            elif op == "deliver":
                pending = sorted((box / "pending").glob("*.bundle"), reverse=bool(arg & 1))
                _copy(world, [p for i, p in enumerate(pending) if arg >> (i % 8) & 1])
            elif op == "redeliver":
                done = sorted((box / "delivered").glob("*.bundle"))
                if done:
                    _copy(world, [done[arg % len(done)]])
            else:
                sync(home, [str(world.drop)])
        # The night ends: sync, the office ingests, sync again collects the receipts.
        sync(home, [str(world.drop)])
        world.ingest()
        rep = sync(home, [str(world.drop)])
        assert rep.pending == 0
        office = world.records()
        expected = station_records(home)
        assert office == expected
        with world.office() as o:
            assert o.db.gaps(FQ) == []
