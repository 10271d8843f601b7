"""Sync benchmark: export of N changed records, and office ingest beside sqlite3
executemany of the same rows (same run, same machine), at several sizes so growth shows.

The station is sealed (encryption at rest, as `liaison init` makes it) and the export
runs with no PIN, as cron runs it. The export figure is the whole `liaison export`:
consistent read of the changed records (clear parts and each shard's sealed part),
compression, encryption, signature, durable write of bundle and state. The ingest
figure is the whole `liaison hq ingest` of that bundle: parse, signature, decryption,
screening, merge in one SQLite transaction (synchronous=FULL) with each personal part
sealed at rest, receipt, the office's sealed copy of the bundle. The anchor inserts the
same rows (id, station, version, hash, deleted, visited_at, doc, sealed personal part)
with one executemany and one commit: the floor for any SQLite-backed office. A second
line inserts the rows the office really writes (those columns and the report's tallied
ones, visits.COLUMNS) into the office's own table and indexes, with the merge's page
cache: the floor of this office's schema. CPU seconds (process_time) are printed beside
the wall clock: on a shared machine they move less.

Each size is seeded once; every run starts from a copy of that station and office, so
runs differ only by the machine's mood.
"""

from __future__ import annotations

import shutil
import sqlite3
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..domain.intake import fields_from_input
from ..hq.db import OfficeDB
from ..hq.ingest import ingest_folder
from ..hq.merge import MERGE_CACHE_KIB
from ..hq.office import Office, init_office
from ..hq.rowform import INSERT_RECORD, stored_form
from ..hq.schema import SCHEMA
from ..hq.visits import derived
from ..security import keys, records_key
from ..security.keyring import Keyring
from ..security.records_key import BatchSealer
from ..security.session import open_store, unlock
from ..store import Store
from ..sync.export import export
from ..synth import generate
from .common import print_table, verdict

PIN = "bench-2468"
SIZES = (5_000, 50_000)
EXPORT_BUDGET_S = 2.0  # at 50 000 records
INGEST_RATIO = 1.5  # office ingest at most this many times its anchor


@dataclass
class Run:
    records: int
    size_mb: float
    export_s: float
    ingest_s: float
    anchor_s: float
    ingest_cpu: float = 0.0
    anchor_cpu: float = 0.0
    schema_s: float = 0.0  # the office's own rows, table and indexes
    schema_cpu: float = 0.0

    @property
    def ratio(self) -> float:
        return self.ingest_s / self.anchor_s

    def per_10k(self, seconds: float) -> float:
        return seconds * 10_000 / self.records


def _seed(tmp: Path, records: int) -> tuple[Path, Path, list[dict]]:
    """A sealed station with `records` changed consultations and an office it may send to."""
    home, hq = tmp / "station", tmp / "hq"
    t = time.perf_counter()
    store = Store.init(home, station="fengqiao-yuanfang", code="FQYF", officer="bench")
    store.create_many([fields_from_input(m, officer="bench") for m in generate(records, seed=11)])
    store.close()
    pub = init_office(hq, "bench office", "bench", PIN)  # staff set up: records sealed at rest
    keys.install_office_key(home, pub)
    office = Office(hq)
    office.enroll(keys.ensure_station_keys(home, "fengqiao-yuanfang"))
    office.close()
    Keyring.create(home, "fengqiao-yuanfang", "bench", PIN)
    unlocked = open_store(unlock(home, "bench", PIN))  # the first unlock seals every shard
    full = [c.to_dict() for c in unlocked.load(unlocked.index.by_id.values())]
    unlocked.close()
    print(f"seeded and sealed {records:,} consultations in {time.perf_counter() - t:.1f} s")
    return home, hq, full


def _anchor(tmp: Path, hq: Path, full: list[dict]) -> tuple[float, float, float, float]:
    """(wall, CPU) of the plain anchor, then of the office-schema one."""
    sealer = BatchSealer(records_key.public(hq))
    rows = [(r["id"], r["station"], r["version"], h, int(r["deleted"]), r["visited_at"], doc, sealed, 1)
            for r in full for doc, sealed, h in [stored_form(r, sealer)]]
    db = sqlite3.connect(tmp / "anchor.db", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.executescript(SCHEMA)
    t, c = time.perf_counter(), time.process_time()  # the rows are ready: only the database work is timed
    db.execute("BEGIN")
    db.executemany("INSERT INTO records VALUES (?,?,?,?,?,?,?,?,?)", rows)
    db.execute("COMMIT")
    db.close()
    plain = time.perf_counter() - t, time.process_time() - c
    office_rows = [(*row, *derived(r, r["station"])) for row, r in zip(rows, full, strict=True)]
    (tmp / "anchor-office").mkdir()
    odb = OfficeDB(tmp / "anchor-office" / "office.db")
    odb.db.execute(f"PRAGMA cache_size={-MERGE_CACHE_KIB}")
    t, c = time.perf_counter(), time.process_time()
    odb.db.execute("BEGIN")
    odb.db.executemany(INSERT_RECORD, office_rows)
    odb.db.execute("COMMIT")
    odb.close()
    return (*plain, time.perf_counter() - t, time.process_time() - c)


def _one_run(tmp: Path, seeded: tuple[Path, Path, list[dict]], records: int) -> Run:
    home0, hq0, full = seeded
    home, hq = tmp / "station", tmp / "hq"
    shutil.copytree(home0, home)
    shutil.copytree(hq0, hq)
    t = time.perf_counter()
    made = export(home)
    export_s = time.perf_counter() - t
    if made.path is None:
        raise RuntimeError(f"{home}: the export made no bundle, though every record is new")
    inbox = tmp / "drop" / "inbox"
    inbox.mkdir(parents=True)
    shutil.copyfile(made.path, inbox / made.path.name)
    office = Office(hq)
    t, c = time.perf_counter(), time.process_time()
    summary, _ = ingest_folder(office, inbox)
    ingest_s, ingest_cpu = time.perf_counter() - t, time.process_time() - c
    office.close()
    assert summary["accepted"] == records, summary
    anchor_s, anchor_cpu, schema_s, schema_cpu = _anchor(tmp, hq, full)
    return Run(records, made.path.stat().st_size / 1e6, export_s, ingest_s, anchor_s, ingest_cpu, anchor_cpu,
               schema_s, schema_cpu)


def _print_runs(records: int, runs: list[Run]) -> None:
    budget = EXPORT_BUDGET_S * max(1.0, records / 50_000)
    rows = []
    for i, r in enumerate(runs, 1):
        tag = f"run {i}" if len(runs) > 1 else ""
        rows += [
            (f"export (read, compress, encrypt, sign, durable write) {tag}".rstrip(), f"{r.export_s:.2f} s", "",
             f"target <= {budget:.0f} s", verdict(r.export_s <= budget)),
            (f"office ingest (verify, decrypt, screen, seal, merge, receipt) {tag}".rstrip(),
             f"{r.ingest_s:.2f} s ({records / r.ingest_s:,.0f} rec/s)",
             f"executemany {r.anchor_s:.2f} s ({records / r.anchor_s:,.0f} rec/s)",
             f"{r.ratio:.1f}x; target <= {INGEST_RATIO}x", verdict(r.ratio <= INGEST_RATIO)),
            (f"  CPU of the same {tag}".rstrip(), f"{r.ingest_cpu:.2f} s", f"executemany {r.anchor_cpu:.2f} s",
             f"{r.ingest_cpu / r.anchor_cpu:.1f}x", ""),
            (f"  beside the office's own rows and indexes {tag}".rstrip(), f"{r.ingest_s:.2f} s, CPU {r.ingest_cpu:.2f} s",
             f"executemany {r.schema_s:.2f} s, CPU {r.schema_cpu:.2f} s",
             f"{r.ingest_s / r.schema_s:.1f}x, CPU {r.ingest_cpu / r.schema_cpu:.1f}x", ""),
        ]
    print_table(f"sync benchmark at {records:,} changed consultations (bundle {runs[0].size_mb:.1f} MB)", rows)


def _print_growth(results: dict[int, list[Run]]) -> None:
    """Seconds per 10 000 records at each size (median of the runs): flat means linear."""
    def med(runs: list[Run], f: Callable[[Run], float]) -> float:
        return statistics.median(f(r) for r in runs)

    rows = []
    for records, runs in results.items():
        n = f" (median of {len(runs)})" if len(runs) > 1 else ""
        rows.append((f"at {records:,}{n}", f"export {med(runs, lambda r: r.per_10k(r.export_s)):.3f} s, "
                     f"ingest {med(runs, lambda r: r.per_10k(r.ingest_s)):.3f} s",
                     f"{med(runs, lambda r: r.per_10k(r.anchor_s)):.3f} s",
                     f"ingest {med(runs, lambda r: r.ratio):.1f}x anchor", ""))
    print_table("sync cost per 10,000 records (anchor: executemany)", rows)


def run(records: int | None = None, sizes: tuple[int, ...] | None = None, runs: int = 1) -> None:
    """`sizes` (default 5 000 and 50 000; `records` alone: that one size), each `runs` times."""
    sizes = sizes or ((records,) if records else SIZES)
    results: dict[int, list[Run]] = {}
    for n in sizes:
        tmp = Path(tempfile.mkdtemp(prefix="liaison-bench-sync-"))
        try:
            seeded = _seed(tmp / "seed", n)
            results[n] = []
            for i in range(runs):
                results[n].append(_one_run(tmp / f"run{i}", seeded, n))
                shutil.rmtree(tmp / f"run{i}", ignore_errors=True)
            _print_runs(n, results[n])
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    _print_growth(results)
