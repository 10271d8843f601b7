"""A backlog ingested in one run (`hq ingest` after weeks without a data ferry): every
receipt is written durably to receipts/ and verifies, and the run keeps none of them in
memory for its summary: a year's backlog of 70 053 nightly bundles held ~8 KB of receipt
each, 678 MB at the end of the run."""

from __future__ import annotations

from liaison.hq.ingest import ingest_folder
from liaison.store import Store
from liaison.sync import bundle, receipt
from liaison.sync.export import export
from tests.hq._report_world import FQ, _create
from tests.sync._sync_world import World


def test_a_backlog_run_writes_every_receipt_and_keeps_none_in_memory(tmp_path):
    world = World(tmp_path)
    home = world.station(FQ)
    inbox = world.drop / "inbox"
    names, parsed = [], []
    for day in ("2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05"):
        store = Store.open(home)
        _create(store, FQ, day, "labour", "open", [], None, None)
        store.close()
        b = export(home).path
        (inbox / b.name).write_bytes(b.read_bytes())
        names.append(b.name)
        parsed.append(bundle.parse(b.read_bytes()))
    with world.office() as o:
        summary, outcomes = ingest_folder(o, inbox)
        office_key = o.ed25519.public_key()
    assert summary["bundles"] == 4 and summary["accepted"] == 4
    assert [out.name for out in outcomes] == names and all(out.receipt is None for out in outcomes)
    for p in parsed:
        data = (world.drop / "receipts" / receipt.file_name(p.name)).read_bytes()
        assert receipt.verify(data, office_key, station=FQ, number=p.number, digest=p.digest)
