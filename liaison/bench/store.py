"""Store benchmark at N stored consultations, encryption at rest on: durable save,
search, unlock/open, memory.

The store is set up as a station runs it: an officer's keyring, the office's public
key installed, opened through security.session (so every save seals the shard's
personal part under the data key and the record's copy for the office). A plain
store with the same rows is opened beside it, so the cost of sealing is visible.

Anchors measured in the same run on the same rows: stdlib sqlite3 (insert + commit,
synchronous=FULL; LIKE search) and TinyDB's default JSONStorage (a few inserts only:
each one rewrites everything).
"""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from functools import cached_property, partial
from itertools import pairwise
from pathlib import Path
from typing import Any, Mapping

import orjson

from ..domain.intake import fields_from_input
from ..store import Store
from ..store.baseline import plain_tinydb_insert_ms
from ..synth import generate
from .common import print_table, stats, timed, verdict

TWO_CHAR_TERMS = ["欠薪", "噪音", "漏水", "动迁", "骑手", "罚款", "停车", "工资", "补偿", "调解", "宠物", "合同"]
INITIALS = ["zs", "wxm", "lsf", "cay", "liu", "zhang", "wang", "li", "chen", "zy"]


STATION, OFFICER, PIN = "fengqiao-yuanfang", "bench", "bench-pin-4821"


def _seed(home: Path, n: int) -> tuple[Store, list[dict]]:
    """A plain store (no officers) with n records."""
    store = Store.init(home, station=STATION, code="FQYF", officer=OFFICER)
    mappings = list(generate(n + 1000, seed=11))
    batch: list[Mapping[str, Any]] = [fields_from_input(m, officer=OFFICER) for m in mappings[:n]]
    store.create_many(batch)
    return store, mappings[n:]


def seal_station(home: Path, office_home: Path) -> float:
    """Give a plain station an officer and the office's key, then unlock once: the
    first unlock seals every shard (the migration a real station goes through).
    Returns that first unlock's seconds."""
    from ..hq.office import init_office
    from ..security import keys
    from ..security.keyring import Keyring
    from ..security.session import open_store, unlock

    keys.install_office_key(home, init_office(office_home, "bench office"))
    Keyring.create(home, STATION, OFFICER, PIN)
    t = time.perf_counter()
    open_store(unlock(home, OFFICER, PIN)).close()
    return time.perf_counter() - t


def sealed_seed(home: Path, office_home: Path, n: int) -> list[dict]:
    """A sealed station with n records (seeded plain, then sealed by the first unlock)."""
    store, extra = _seed(home, n)
    store.close()
    seal_station(home, office_home)
    return extra


def _sqlite(path: Path, docs: list[dict], extra: list[dict], saves: int) -> tuple[list[float], list[float]]:
    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE c (id TEXT PRIMARY KEY, seq INTEGER, summary TEXT, name TEXT, phone TEXT, doc TEXT)")
    db.executemany("INSERT INTO c VALUES (?,?,?,?,?,?)", [
        (d["id"], d["seq"], d["summary"], d["visitor"]["name"], d["visitor"]["phone"], orjson.dumps(d).decode())
        for d in docs])
    db.commit()
    def save(row: tuple[object, ...]) -> None:
        db.execute("INSERT INTO c VALUES (?,?,?,?,?,?)", row)
        db.commit()

    def like(t: str) -> None:
        db.execute("SELECT id FROM c WHERE summary LIKE ? OR name LIKE ? ORDER BY seq DESC",
                   (f"%{t}%", f"%{t}%")).fetchall()

    save_ms = []
    for i, d in enumerate(extra[:saves]):
        row = (f"x{i}", 10**9 + i, d["summary"], (d.get("visitor") or {}).get("name"), None, orjson.dumps(d).decode())
        save_ms.append(timed(partial(save, row)))
    like_ms = [timed(partial(like, t)) for t in TWO_CHAR_TERMS * 3]
    db.close()
    return save_ms, like_ms


OPENER = """
import json, sys, time
from pathlib import Path
from liaison.store import Store
from liaison.bench.common import peak_rss_mb
t = time.perf_counter(); s = Store.open(Path(sys.argv[1])); o = time.perf_counter() - t
t = time.perf_counter(); s.index.warm(); w = time.perf_counter() - t
print(json.dumps({"open_ms": o * 1000, "warm_ms": w * 1000, "rss_mb": peak_rss_mb()}))
"""

# What an officer waits for after typing the PIN: scrypt unwraps the data key (keyring),
# the unlock is audited (fsync), the sealed shards are read and decrypted into the index.
UNLOCKER = """
import json, sys, time
from pathlib import Path
from liaison.bench.common import peak_rss_mb
from liaison.security.session import open_store, unlock
from liaison.store import Store
home = Path(sys.argv[1])
Store.check_ready(home)  # imports done, as in the TUI by the time the PIN is typed
t = time.perf_counter(); session = unlock(home, sys.argv[2], sys.argv[3], read_ahead=True); k = time.perf_counter() - t
s = open_store(session); o = time.perf_counter() - t
t = time.perf_counter(); s.index.warm(); w = time.perf_counter() - t
print(json.dumps({"unlock_ms": o * 1000, "keyring_ms": k * 1000, "open_ms": (o - k) * 1000,
                  "warm_ms": w * 1000, "rss_mb": peak_rss_mb()}))
"""


def _fresh(code: str, *args: str) -> dict:
    """Run as the TUI or the nightly job would: a new process, cold Python objects."""
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"benchmark step failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout)


def _open_in_fresh_process(home: Path) -> dict:
    return _fresh(OPENER, str(home))


def _unlock_in_fresh_process(home: Path) -> dict:
    return _fresh(UNLOCKER, str(home), OFFICER, PIN)


SIZES = (10_000, 50_000, 200_000)
TINYDB_MAX = 50_000  # the anchor rewrites its one file at every insert: minutes beyond this


class _Grower:
    """One plain store grown batch by batch through Store.create_many to each size in
    turn: 200 000 records are generated and validated once, not 260 000 for three
    stores, and each size is a copy of the same records (a prefix of one sequence)."""

    BATCH = 10_000

    def __init__(self, home: Path, largest: int):
        self.home = home
        self.inputs = generate(largest + 1000, seed=11)
        self.size = 0
        Store.init(home, station=STATION, code="FQYF", officer=OFFICER).close()

    def grow_to(self, n: int) -> float:
        t = time.perf_counter()
        store = Store.open(self.home)
        try:
            while self.size < n:
                k = min(self.BATCH, n - self.size)
                store.create_many([fields_from_input(next(self.inputs), officer=OFFICER) for _ in range(k)])
                self.size += k
        finally:
            store.close()
        return time.perf_counter() - t

    @cached_property
    def walk_ins(self) -> list[dict]:
        return list(generate(1000, seed=12))  # never stored in the plain store


def _measure(tmp: Path, grower: _Grower, records: int, saves: int) -> dict:
    from ..security.session import open_store, unlock

    rnd = random.Random(5)
    station = tmp / f"station-{records}"
    shutil.copytree(grower.home, station)
    migrate_s = seal_station(station, tmp / f"office-{records}")
    size = sum(p.stat().st_size for p in station.rglob("*.json")) / 1e6
    extra = grower.walk_ins
    store = open_store(unlock(station, OFFICER, PIN))
    assert store.sealed and store.office is not None
    # Timed saves are today's walk-ins, as at a station (the seed spans three years).
    walk_ins = [fields_from_input({k: v for k, v in m.items() if k not in ("visited_at", "follow_up_on")},
                                  officer=OFFICER) for m in extra[:saves]]
    save_ms = [timed(partial(store.create, f)) for f in walk_ins]
    rows = store.index.newest_first()
    phones = [r.phone for r in rows if r.phone]
    tails = [rnd.choice(phones)[-4:] for _ in range(36)]
    store.index.warm()
    search = {
        "2-char Chinese term": [timed(partial(store.index.search, q)) for q in TWO_CHAR_TERMS * 3],
        "phone tail (4 digits)": [timed(partial(store.index.search, q)) for q in tails],
        "pinyin / initials": [timed(partial(store.index.search, q)) for q in INITIALS * 3],
    }
    hits = {q: len(store.index.search(q)) for q in TWO_CHAR_TERMS[:3]}
    store.close()
    # Interleaved, so both see the same machine load.
    plain_open, unlocked = [], []
    for _ in range(3):
        plain_open.append(_open_in_fresh_process(grower.home))
        unlocked.append(_unlock_in_fresh_process(station))
    shutil.rmtree(station)

    docs = Store.read_changes(grower.home, 0)[1][:records]
    sq_save, sq_like = _sqlite(tmp / f"anchor-{records}.sqlite", docs, extra, saves)
    tiny = plain_tinydb_insert_ms(tmp / f"anchor-{records}.json", docs, extra, 3) if records <= TINYDB_MAX else None
    return {"records": records, "migrate_s": migrate_s, "mb": size, "save_ms": save_ms, "search": search,
            "hits": hits, "plain_open": plain_open, "unlocked": unlocked, "sq_save": sq_save, "sq_like": sq_like,
            "tiny": tiny}


def _table(m: dict, saves: int) -> dict:
    """Print one size's table; return its size-dependent figures for the growth table."""
    records = m["records"]
    s_med, s_p95 = stats(m["save_ms"])
    q_med, q_p95 = stats(m["sq_save"])
    like_med, like_p95 = stats(m["sq_like"])
    unlocked = m["unlocked"]
    p_open = stats([o["open_ms"] for o in m["plain_open"]])[0]
    u_med = stats([o["unlock_ms"] for o in unlocked])[0]
    k_med = stats([o["keyring_ms"] for o in unlocked])[0]
    so_med = stats([o["open_ms"] for o in unlocked])[0]
    rss = max(o["rss_mb"] for o in unlocked)
    table = [
        ("durable save (sealed), median", f"{s_med:.2f} ms", f"sqlite FULL {q_med:.2f} ms",
         f"{s_med / q_med:.1f}x (target <= 3x)", verdict(s_med <= 3 * q_med)),
        ("durable save (sealed), p95", f"{s_p95:.2f} ms", f"sqlite FULL {q_p95:.2f} ms", f"{s_p95 / q_p95:.1f}x", ""),
    ]
    if m["tiny"] is not None:
        t_med, _ = stats(m["tiny"])
        table.append(("TinyDB default insert", "", f"{t_med:.0f} ms", f"{t_med / q_med:.0f}x sqlite", "(anchor)"))
    search_p95 = {}
    for name, ms in m["search"].items():
        med, p95 = stats(ms)
        search_p95[name] = p95
        table.append((f"search {name}, median / p95", f"{med:.1f} / {p95:.1f} ms",
                      f"sqlite LIKE {like_med:.1f} / {like_p95:.1f} ms" if name.startswith("2-char") else "",
                      "p95 target <= 20 ms", verdict(p95 <= 20)))
    table += [
        (f"unlock (PIN -> keyring -> sealed store open) at {records:,}", f"{u_med:.0f} ms",
         f"plain store open {p_open:.0f} ms", "target <= 1 s", verdict(u_med <= 1000)),
        ("  of which: PIN check (scrypt) + audit entry", f"{k_med:.0f} ms", "", "", ""),
        ("  of which: sealed store open", f"{so_med:.0f} ms", f"plain {p_open:.0f} ms",
         f"{so_med / p_open:.2f}x plain; target <= 500 ms", verdict(so_med <= 500)),
        ("search segment build (once)", f"{stats([o['warm_ms'] for o in unlocked])[0]:.0f} ms", "",
         "off the UI thread", ""),
        ("peak RSS after unlock + warm", f"{rss:.0f} MB", "", "target <= 200 MB", verdict(rss <= 200)),
        ("first unlock of a plain store (seals all)", f"{m['migrate_s']:.1f} s", "", "once per station", ""),
    ]
    print_table(f"store benchmark at {records:,} consultations, encryption at rest on ({saves} timed saves each; "
                f"{m['mb']:.0f} MB on disk, sealed)", table)
    print(f"hits for {', '.join(f'{k}: {v}' for k, v in m['hits'].items())}")
    return {"unlock (PIN -> sealed store open), ms": u_med, "  sealed store open, ms": so_med,
            "  plain store open, ms": p_open,
            **{f"search {k} p95, ms": v for k, v in search_p95.items()},
            "peak RSS after unlock + warm, MB": rss, "durable save median, ms": s_med}


def _growth(figures: list[tuple[int, dict]]) -> None:
    """Each size-dependent figure at every size, per 10 000 records on average and for
    the 10 000 added since the size before (a marginal cost that rises with size is
    growth worse than linear; a fixed part, e.g. the scrypt in an unlock or the
    interpreter in RSS, makes the average fall)."""
    sizes = [n for n, _ in figures]
    head = ["measure", *[f"{n:,}" for n in sizes], *[f"/10k at {n // 1000}k" for n in sizes],
            *[f"marginal /10k {a // 1000}k->{b // 1000}k" for a, b in pairwise(sizes)]]
    rows = [head]
    for name in figures[0][1]:
        vals = [f[name] for _, f in figures]
        avg = [v / (n / 10_000) for v, n in zip(vals, sizes, strict=True)]
        marg = [(b - a) / ((nb - na) / 10_000) for (a, na), (b, nb) in pairwise(zip(vals, sizes, strict=True))]
        rows.append([name, *[f"{v:.1f}" for v in vals], *[f"{v:.2f}" for v in avg], *[f"{v:.2f}" for v in marg]])
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    print("\nstore growth: size-dependent figures per 10 000 records")
    for i, r in enumerate(rows):
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))


def run(records: int | None = None, saves: int = 200, sizes: tuple[int, ...] = SIZES) -> None:
    sizes = tuple(sorted({records} if records else set(sizes)))
    with tempfile.TemporaryDirectory(prefix="liaison-bench-") as folder:
        tmp = Path(folder)
        grower = _Grower(tmp / "plain", sizes[-1])
        figures: list[tuple[int, dict[str, float]]] = []
        for n in sizes:
            seed_s = grower.grow_to(n)
            print(f"\nseeded {n:,} consultations ({seed_s:.1f} s for the {n - (figures[-1][0] if figures else 0):,} "
                  f"added)", flush=True)
            figures.append((n, _table(_measure(tmp, grower, n, saves), saves)))
    if len(figures) > 1:
        _growth(figures)
