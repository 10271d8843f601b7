"""Sync benchmark: export of N changed records, and office ingest beside sqlite3
executemany of the same rows (same run, same machine).

The station is sealed (encryption at rest, as `liaison init` makes it) and the export
runs with no PIN, as cron runs it. The export figure is the whole `liaison export`:
consistent read of the changed records (clear parts and each shard's sealed part), compression, encryption, signature, durable write of bundle and state. The
ingest figure is the whole `liaison hq ingest` of that bundle: parse, signature,
decryption, merge in one SQLite transaction (synchronous=FULL), receipt. The anchor
inserts the same rows (id, station, version, hash, deleted, visited_at, doc) with one
executemany and one commit: the floor for any SQLite-backed office.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from ..domain.intake import fields_from_input
from ..hq.db import SCHEMA, stored_form
from ..security import records_key
from ..security.records_key import BatchSealer
from ..hq.ingest import ingest_folder
from ..hq.office import Office, init_office
from ..security.keyring import Keyring
from ..security.session import open_store, unlock
from ..store import Store
from ..synth import generate
from ..sync import keys
from ..sync.export import export
from .common import print_table, verdict

PIN = "bench-2468"


def run(records: int = 50_000) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="liaison-bench-sync-"))
    try:
        home, hq = tmp / "station", tmp / "hq"
        t = time.perf_counter()
        store = Store.init(home, station="fengqiao-yuanfang", code="FQYF", officer="bench")
        store.create_many([fields_from_input(m, officer="bench") for m in generate(records, seed=11)])
        store.close()
        pub = init_office(hq, "bench office", "bench", PIN)  # staff set up: records sealed at rest
        keys.install_office_key(home, pub)
        office = Office(hq)
        office.enroll(keys.ensure_station_keys(home, "fengqiao-yuanfang"))
        Keyring.create(home, "fengqiao-yuanfang", "bench", PIN)
        unlocked = open_store(unlock(home, "bench", PIN))  # the first unlock seals every shard
        full = [c.to_dict() for c in unlocked.load(unlocked.index.by_id.values())]
        unlocked.close()
        print(f"seeded and sealed {records} consultations in {time.perf_counter() - t:.1f} s")

        t = time.perf_counter()
        made = export(home)
        export_s = time.perf_counter() - t
        size = made.path.stat().st_size
        inbox = tmp / "drop" / "inbox"
        inbox.mkdir(parents=True)
        shutil.copyfile(made.path, inbox / made.path.name)

        t = time.perf_counter()
        summary, _ = ingest_folder(office, inbox)
        ingest_s = time.perf_counter() - t
        office.close()
        assert summary["accepted"] == records, summary

        sealer = BatchSealer(records_key.public(hq))
        rows = [(r["id"], r["station"], r["version"], h, int(r["deleted"]), r["visited_at"], doc, sealed, 1)
                for r in full for doc, sealed, h in [stored_form(r, sealer)]]
        db = sqlite3.connect(tmp / "anchor.db", isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.executescript(SCHEMA)
        t = time.perf_counter()  # the rows are ready: only the database work is timed
        db.execute("BEGIN")
        db.executemany("INSERT INTO records VALUES (?,?,?,?,?,?,?,?,?)", rows)
        db.execute("COMMIT")
        db.close()
        anchor_s = time.perf_counter() - t

        rate, anchor_rate = records / ingest_s, records / anchor_s
        print_table(f"sync benchmark at {records:,} changed consultations (bundle {size / 1e6:.1f} MB)", [
            ("export (read, compress, encrypt, sign, durable write)", f"{export_s:.2f} s", "",
             "target <= 2 s", verdict(export_s <= 2.0)),
            ("office ingest (verify, decrypt, merge, receipt)", f"{rate:,.0f} rec/s", f"executemany {anchor_rate:,.0f} rec/s",
             f"{anchor_rate / rate:.1f}x slower; target >= 20,000 rec/s", verdict(rate >= 20_000)),
            ("office ingest, total", f"{ingest_s:.2f} s", f"{anchor_s:.2f} s", "", ""),
        ])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
