"""Store benchmark at N stored consultations: durable save, search, open, memory.

Anchors measured in the same run on the same rows: stdlib sqlite3 (insert + commit,
synchronous=FULL; LIKE search) and TinyDB's default JSONStorage (a few inserts only:
each one rewrites everything).
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import sqlite3
import tempfile
import time
from pathlib import Path

import orjson

from ..domain.intake import fields_from_input
from ..store import Store
from ..store.baseline import plain_tinydb_insert_ms
from ..synth import generate
from .common import print_table, stats, timed, verdict

TWO_CHAR_TERMS = ["欠薪", "噪音", "漏水", "动迁", "骑手", "罚款", "停车", "工资", "补偿", "调解", "宠物", "合同"]
INITIALS = ["zs", "wxm", "lsf", "cay", "liu", "zhang", "wang", "li", "chen", "zy"]


def _seed(home: Path, n: int) -> tuple[Store, list[dict]]:
    store = Store.init(home, station="fengqiao-yuanfang", code="FQYF", officer="bench")
    mappings = list(generate(n + 1000, seed=11))
    batch = [fields_from_input(m, officer="bench") for m in mappings[:n]]
    store.create_many(batch)
    return store, mappings[n:]


def _sqlite(path: Path, docs: list[dict], extra: list[dict], saves: int) -> tuple[list[float], list[float]]:
    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE c (id TEXT PRIMARY KEY, seq INTEGER, summary TEXT, name TEXT, phone TEXT, doc TEXT)")
    db.executemany("INSERT INTO c VALUES (?,?,?,?,?,?)", [
        (d["id"], d["seq"], d["summary"], d["visitor"]["name"], d["visitor"]["phone"], orjson.dumps(d).decode())
        for d in docs])
    db.commit()
    save_ms = []
    for i, d in enumerate(extra[:saves]):
        row = (f"x{i}", 10**9 + i, d["summary"], (d.get("visitor") or {}).get("name"), None, orjson.dumps(d).decode())
        save_ms.append(timed(lambda: (db.execute("INSERT INTO c VALUES (?,?,?,?,?,?)", row), db.commit())))
    like_ms = [timed(lambda t=t: db.execute(
        "SELECT id FROM c WHERE summary LIKE ? OR name LIKE ? ORDER BY seq DESC", (f"%{t}%", f"%{t}%")).fetchall())
        for t in TWO_CHAR_TERMS * 3]
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


def _open_in_fresh_process(home: Path) -> dict:
    """Open as the TUI or the nightly job would: a new process, cold Python objects."""
    out = subprocess.run([sys.executable, "-c", OPENER, str(home)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def run(records: int, saves: int) -> None:
    rnd = random.Random(5)
    with tempfile.TemporaryDirectory(prefix="liaison-bench-") as tmp:
        tmp = Path(tmp)
        t = time.perf_counter()
        store, extra = _seed(tmp / "station", records)
        seed_s = time.perf_counter() - t
        print(f"seeded {len(store.index)} consultations in {seed_s:.1f} s "
              f"({sum(p.stat().st_size for p in (tmp / 'station').rglob('*.json')) / 1e6:.0f} MB on disk)")

        # Timed saves are today's walk-ins, as at a station (the seed spans three years).
        walk_ins = [fields_from_input({k: v for k, v in m.items() if k not in ("visited_at", "follow_up_on")},
                                      officer="bench") for m in extra[:saves]]
        save_ms = [timed(lambda f=f: store.create(f)) for f in walk_ins]
        rows = store.index.newest_first()
        phones = [r.phone for r in rows if r.phone]
        tails = [rnd.choice(phones)[-4:] for _ in range(36)]
        search = {
            "2-char Chinese term": [timed(lambda q=q: store.index.search(q)) for q in TWO_CHAR_TERMS * 3],
            "phone tail (4 digits)": [timed(lambda q=q: store.index.search(q)) for q in tails],
            "pinyin / initials": [timed(lambda q=q: store.index.search(q)) for q in INITIALS * 3],
        }
        hits = {q: len(store.index.search(q)) for q in TWO_CHAR_TERMS[:3]}
        store.close()
        opened = [_open_in_fresh_process(tmp / "station") for _ in range(3)]
        open_ms = [o["open_ms"] for o in opened]
        warm_ms = [o["warm_ms"] for o in opened]
        rss = max(o["rss_mb"] for o in opened)

        docs = Store.read_changes(tmp / "station", 0)[1][:records]
        sq_save, sq_like = _sqlite(tmp / "anchor.sqlite", docs, extra, saves)
        tiny = plain_tinydb_insert_ms(tmp / "anchor-tinydb.json", docs, extra, 3)

    s_med, s_p95 = stats(save_ms)
    q_med, q_p95 = stats(sq_save)
    t_med, _ = stats(tiny)
    like_med, like_p95 = stats(sq_like)
    o_med, _ = stats(open_ms)
    table = [
        ("durable save, median", f"{s_med:.2f} ms", f"sqlite FULL {q_med:.2f} ms", f"{s_med / q_med:.1f}x (target <= 3x)", verdict(s_med <= 3 * q_med)),
        ("durable save, p95", f"{s_p95:.2f} ms", f"sqlite FULL {q_p95:.2f} ms", f"{s_p95 / q_p95:.1f}x", ""),
        ("TinyDB default insert", "", f"{t_med:.0f} ms", f"{t_med / q_med:.0f}x sqlite", "(anchor)"),
    ]
    for name, ms in search.items():
        med, p95 = stats(ms)
        table.append((f"search {name}, median / p95", f"{med:.1f} / {p95:.1f} ms",
                      f"sqlite LIKE {like_med:.1f} / {like_p95:.1f} ms" if name.startswith("2-char") else "",
                      "p95 target <= 20 ms", verdict(p95 <= 20)))
    table += [
        ("store open, fresh process", f"{o_med:.0f} ms", "", "target <= 500 ms", verdict(o_med <= 500)),
        ("search segment build (once)", f"{stats(warm_ms)[0]:.0f} ms", "", "off the UI thread", ""),
        ("peak RSS after open + warm", f"{rss:.0f} MB", "", "target <= 200 MB", verdict(rss <= 200)),
    ]
    print_table(f"store benchmark at {records:,} consultations ({saves} timed saves each)", table)
    print(f"\nhits for {', '.join(f'{k}: {v}' for k, v in hits.items())}")
