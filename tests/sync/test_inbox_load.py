"""Load test of the real `liaison hq serve` on 127.0.0.1: 20 real stations upload their
bundles at once while the inbox gets 200 garbage requests, 50 slow connections (25
dripped heads, 25 dripped bodies, 2 of them with a station's valid signed headers)
and 5 gzip bombs (250 MB of zeros, ~250 KB compressed). Correctness only (every
station's records arrive, every attacker is answered or cut off, nothing stored),
plus the one time bound the issue sets: /health, polled every 0.1 s, answers within
1 s throughout. Bounded: each attacker gives up by itself within 50 s."""

from __future__ import annotations

import asyncio
import json

from liaison.bench.inbox_attack import (
    Outcome,
    garbage,
    gzip_bomb,
    gzip_bombs,
    peak_rss_mb,
    poll_health,
    slow_bodies,
    slow_heads,
    upload_all,
)
from liaison.hq.quarantine import Quarantine
from liaison.security import keys
from liaison.sync.export import export
from tests.sync._sync_world import free_port, seed, start_server, stop_server

STATIONS = 20


def test_twenty_stations_upload_through_an_attack(world):
    homes, uploads, expected = [], [], set()
    for i in range(STATIONS):
        sid = f"load-{i:02d}"
        home = world.station(sid)
        expected.update(seed(home, sid, n=5))
        made = export(home)
        homes.append(home)
        uploads.append((home, made.path.name, made.path.read_bytes()))
    signers = [(keys.station_signing_key(h), h.name) for h in homes[:2]]
    bomb = gzip_bomb()

    port = free_port()
    proc = start_server(world.hq, port)
    out = Outcome()
    try:
        async def attack() -> tuple[list, list[float]]:
            stop = asyncio.Event()
            poller = asyncio.ensure_future(poll_health(port, stop))
            receipts, *_ = await asyncio.gather(
                asyncio.to_thread(upload_all, f"http://127.0.0.1:{port}", uploads),
                garbage(port, out, n=200), slow_heads(port, out, n=25),
                slow_bodies(port, out, signers, n=25), gzip_bombs(port, out, signers, bomb, n=5))
            stop.set()
            return receipts, await poller

        receipts, latency = asyncio.run(attack())
        rss = peak_rss_mb(proc.pid)
    finally:
        stop_server(proc)

    assert all(r is not None and json.loads(r)["receipt"]["status"] == "ingested" for r in receipts), receipts
    assert expected <= set(world.records())

    s = out.statuses
    assert len(s["garbage"]) == 200 and not {"200", "held"} & set(s["garbage"]), s["garbage"]
    assert set(s["slow-head"]) <= {"408", "closed"} and len(s["slow-head"]) == 25, s["slow-head"]
    assert set(s["slow-body"]) <= {"403", "503", "closed"} and len(s["slow-body"]) == 23, s["slow-body"]
    assert s["slow-body-signed"] == ["408", "408"], s["slow-body-signed"]  # the minimum body rate ended them
    assert set(s["gzip-bomb"]) <= {"415", "closed"} and len(s["gzip-bomb"]) == 5, s["gzip-bomb"]

    print(f"\n/health polls {len(latency)}, slowest {max(latency):.3f} s; server peak RSS {rss:.0f} MB; {s}")
    assert latency and max(latency) < 1.0, f"/health slowest {max(latency):.2f} s over {len(latency)} polls"
    assert rss < 300, f"server peak RSS {rss:.0f} MB"

    q = Quarantine(world.hq / "quarantine").summary()
    assert q["files"] <= q["max_files"] and q["bytes"] <= q["max_bytes"]
    assert q["files"] == 0  # garbage never reaches the quarantine; the stations' bundles were all good
    assert not [p for p in (world.hq / "incoming").iterdir()]
