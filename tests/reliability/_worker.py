"""A separate process that saves to a station's store, for the reliability tests.

Run as `python _worker.py MODE HOME [args]`. Every line it prints is flushed at once,
and a save is reported only *after* the store call returned, so the parent knows that
every reported save must survive anything that happens afterwards (SIGKILL included).

Modes
  loop SEED            creates, edits of earlier records, and small batches, forever
  batch TAG SIZE [K]   one create_many of SIZE records; with K, announce each shard file
                       as it lands and stop (sleep) after the K-th, so the parent can
                       kill the process in the middle of the batch
  hold                 take the write lock, say HOLDING, keep it until a line on stdin
  add N [PAUSE_MS]     say READY, wait for "go" on stdin, then create N records, pausing
                       PAUSE_MS between saves (as a form being filled in would)
  one                  create one record and report it
  pause-in-write       create one record, stopping between writing the temp file and
                       replacing the shard with it until a line arrives on stdin
  pause-pending        a create_many that stops forever while writing import.pending

Output lines: `READY`, `C id version seq ref` (created), `E id version seq ref`
(edited), `B tag size` (a whole batch returned), and mode-specific markers.
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

from liaison.domain.intake import fields_from_input
from liaison.store import Store

OFFICER = "王检察官"
NAMES = ["张三", "李四", "王芳", "赵敏", "陈建国", "刘洋", "周小红", None]
CATEGORIES = ["labour", "neighbour", "family", "fraud", "rider", "other"]


def say(*parts: object) -> None:
    sys.stdout.write(" ".join(str(p) for p in parts) + "\n")
    sys.stdout.flush()


def mapping(rng: random.Random, requests: str) -> dict:
    name = rng.choice(NAMES)
    visitor = {"consent": True} if name is None else {
        "name": name, "phone": f"138{rng.randrange(10**8):08d}", "consent": True}
    cat = rng.choice(CATEGORIES)
    m = {
        "category": cat,
        "summary": rng.choice(["工资被拖欠三个月", "楼上漏水协商未果", "网购被骗两千元", "离婚后探视子女"])
        + "，" + "来访人情绪稳定" * rng.randrange(1, 4),
        "visitor": visitor,
        "requests": requests,
    }
    if cat == "labour":
        m["details"] = {"employer": "某建筑公司", "workers": rng.randrange(1, 30)}
    return m


def fields(rng: random.Random, requests: str) -> dict:
    return fields_from_input(mapping(rng, requests), officer=OFFICER)


def report(kind: str, c) -> None:
    say(kind, c.id, c.version, c.seq, c.ref)


def loop(home: Path, seed: int) -> None:
    rng = random.Random(seed)
    store = Store.open(home)
    say("READY")
    k = 0
    while True:
        r = rng.random()
        ids = list(store.index.by_id)
        if r < 0.35 and ids:
            key = rng.choice(ids)
            version = store.index.by_id[key].version
            c = store.edit(key, {"advice": f"edit v{version + 1}", "status": rng.choice(["referred", "following_up"])})
            report("E", c)
        elif r < 0.42:
            k += 1
            tag, size = f"{seed}.{k}", rng.randrange(2, 40)
            made = store.create_many([fields(rng, f"batch {tag} {i}/{size}") for i in range(size)])
            for c in made:
                report("C", c)
            say("B", tag, size)
        else:
            report("C", store.create(fields(rng, "single")))


def batch(home: Path, tag: str, size: int, pause_after: int | None) -> None:
    rng = random.Random(tag)
    store = Store.open(home)
    if pause_after is not None:
        from liaison.store import atomic

        real = atomic.atomic_write
        landed = []

        def announcing(path: Path, data: bytes) -> None:
            # Only shard files go through atomic.atomic_write's module global here
            # (import.pending is written through consultations' own reference).
            real(path, data)
            landed.append(path.name)
            say("SHARD", path.name)
            if len(landed) >= pause_after:
                time.sleep(3600)

        atomic.atomic_write = announcing
    batch_fields = [fields(rng, f"batch {tag} {i}/{size}") for i in range(size)]
    say("READY")
    made = store.create_many(batch_fields)
    say("B", tag, len(made))


def hold(home: Path) -> None:
    store = Store.open(home)
    with store.lock.hold():
        say("HOLDING")
        sys.stdin.readline()
    say("RELEASED")


def add(home: Path, n: int, pause: float) -> None:
    rng = random.Random(os.getpid())
    store = Store.open(home)
    say("READY")
    if sys.stdin.readline().strip() != "go":
        return
    for _ in range(n):
        report("C", store.create(fields(rng, "concurrent")))
        time.sleep(pause)
    say("DONE")


def one(home: Path) -> None:
    store = Store.open(home)
    report("C", store.create(fields(random.Random(), "other process")))


def pause_in_write(home: Path) -> None:
    from liaison.store import StoreWriteError, atomic

    real = atomic._write_all

    def write_then_wait(fd: int, data: bytes) -> None:
        real(fd, data)
        say("TEMP-WRITTEN")
        sys.stdin.readline()

    store = Store.open(home)
    atomic._write_all = write_then_wait
    try:
        c = store.create(fields(random.Random(), "paused"))
    except StoreWriteError as e:
        say("FAILED", str(e).replace("\n", " "))
    else:
        report("C", c)


def pause_pending(home: Path) -> None:
    from liaison.store import atomic

    real = atomic._write_all

    def stall_on_pending(fd: int, data: bytes) -> None:
        if "import.pending" in os.readlink(f"/proc/self/fd/{fd}"):
            os.write(fd, data[: len(data) // 2])
            say("PENDING-TEMP")
            time.sleep(3600)
        real(fd, data)

    store = Store.open(home)
    atomic._write_all = stall_on_pending
    rng = random.Random(1)
    store.create_many([fields(rng, "stalled batch") for _ in range(5)])


def main(argv: list[str]) -> None:
    mode, home, rest = argv[0], Path(argv[1]), argv[2:]
    if mode == "loop":
        loop(home, int(rest[0]))
    elif mode == "batch":
        batch(home, rest[0], int(rest[1]), int(rest[2]) if len(rest) > 2 else None)
    elif mode == "hold":
        hold(home)
    elif mode == "add":
        add(home, int(rest[0]), float(rest[1]) / 1000 if len(rest) > 1 else 0.0)
    elif mode == "one":
        one(home)
    elif mode == "pause-in-write":
        pause_in_write(home)
    elif mode == "pause-pending":
        pause_pending(home)
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
