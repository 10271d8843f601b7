"""Crash safety: a writer killed with SIGKILL at random moments loses nothing it
reported as saved, and leaves a store that opens clean.

Real processes, real files, real fsyncs. SIGKILL runs no cleanup in the child (no
`finally`, no atexit, no flushing), which is as close to a power cut as a test gets
without a VM; what it cannot show is the loss of unsynced page-cache data.
"""

from __future__ import annotations

import collections
import random
import time
from pathlib import Path

import pytest

from liaison.store import Store
from liaison.store.shards import SHARD_CAPACITY
from tests.reliability._reliability import Child, assert_unique, contents, fill_store, raw_docs, temp_files

KILLS = 50
SEED = 20240611


def _batch_counts(docs) -> dict[tuple[str, int], int]:
    """(tag, size) -> how many records of that create_many batch are stored."""
    counts: collections.Counter = collections.Counter()
    for d in docs:
        req = d.get("requests") or ""
        if req.startswith("batch "):
            _, tag, pos = req.split()
            counts[(tag, int(pos.split("/")[1]))] += 1
    return dict(counts)


def _check_after_kill(home: Path, reported: dict[str, tuple[int, int]], rng: random.Random) -> dict:
    """Open the store after a kill and check every promise; returns a few counts."""
    store = Store.open(home)
    try:
        leftovers = temp_files(home / "consultations")
        assert not leftovers, f"temp files left where readers look: {leftovers}"

        docs = raw_docs(home)
        assert_unique(docs)  # ids, sequence numbers, reference numbers
        assert len(store.index) == len(docs)
        by_id = {d["id"]: d for d in docs}

        for cid, (version, seq) in reported.items():
            d = by_id.get(cid)
            assert d is not None, f"{cid} was reported saved (version {version}) but is gone"
            assert d["version"] >= version, f"{cid}: reported version {version}, stored {d['version']}"
            if d["version"] == version:
                assert d["seq"] == seq, f"{cid} v{version}: reported seq {seq}, stored {d['seq']}"
            row = store.index.by_id[cid]
            assert (row.version, row.seq) == (d["version"], d["seq"])
        assert store.index.max_seq == max((d["seq"] for d in docs), default=0)

        for d in docs:  # an edit is never half applied: content and version move together
            if d["version"] > 1:
                assert d["advice"] == f"edit v{d['version']}", d
        for (tag, size), n in _batch_counts(docs).items():
            assert n == size, f"create_many batch {tag}: {n} of {size} records stored"

        for cid in rng.sample(sorted(by_id), min(10, len(by_id))):  # whole records read back
            assert store.get(cid).version == by_id[cid]["version"]
        unreported = sum(1 for d in docs if reported.get(d["id"], (0, 0))[0] < d["version"])
        return {"records": len(docs), "unreported": unreported}
    finally:
        store.close()


def test_sigkill_at_random_moments_loses_no_reported_save(home: Path) -> None:
    """50 successive writers on one data folder, each SIGKILLed 0.05–0.6 s after it is
    ready, while it creates, edits earlier records and saves small batches."""
    rng = random.Random(SEED)
    reported: dict[str, tuple[int, int]] = {}  # id -> (highest reported version, its seq)
    saves = edits = batches = unreported = 0
    started = time.monotonic()
    for run in range(KILLS):
        child = Child("loop", home, SEED + run)
        try:
            child.wait_for("READY")
            time.sleep(rng.uniform(0.05, 0.6))
            child.kill()
        finally:
            child.ensure_dead()
        for line in child.lines:
            kind, *rest = line.split()
            if kind in ("C", "E"):
                cid, version, seq = rest[0], int(rest[1]), int(rest[2])
                if version >= reported.get(cid, (0, 0))[0]:
                    reported[cid] = (version, seq)
                saves += 1
                edits += kind == "E"
            elif kind == "B":
                batches += 1
        stats = _check_after_kill(home, reported, rng)
        unreported += stats["unreported"] > 0
    elapsed = time.monotonic() - started
    print(f"{KILLS} kills, {saves} reported saves ({edits} edits, {batches} batches), "
          f"{stats['records']} records, saves caught unreported by {unreported} kills, {elapsed:.1f} s")
    # The test is only worth something if the children really worked between kills.
    assert saves > 20 * KILLS and edits > 5 * KILLS and batches > KILLS / 2


BATCH = 600


def _tagged(docs, tag: str) -> int:
    return sum(1 for d in docs if (d.get("requests") or "").startswith(f"batch {tag} "))


EARLIER = SHARD_CAPACITY + SHARD_CAPACITY // 5  # the batch starts in a partly filled shard
ROOM = SHARD_CAPACITY - EARLIER % SHARD_CAPACITY
FIRST = EARLIER // SHARD_CAPACITY + 1  # shard number the batch starts in
BATCH_SHARDS = 1 + -(-(BATCH - ROOM) // SHARD_CAPACITY)


@pytest.mark.parametrize("stop_after", [1, 2, BATCH_SHARDS], ids=["after-1st-shard", "after-2nd-shard", "after-last-shard"])
def test_sigkill_inside_create_many_leaves_all_or_none(home: Path, stop_after: int) -> None:
    """A 600-record batch on top of EARLIER records spans several shards, starting in a
    partly filled one. The child announces each shard file as it lands (os.replace done)
    and stops after the given one; it is SIGKILLed there, with part (or, after the last
    shard, all) of the batch on disk and the import.pending marker still present. The
    pause is the only thing injected."""
    assert BATCH_SHARDS >= 3, "the batch should span several shards"
    store = Store.open(home)
    fill_store(store, EARLIER)
    store.close()
    before = contents(home / "consultations")
    earlier = {d["id"]: d for d in raw_docs(home)}

    child = Child("batch", home, "T", BATCH, stop_after)
    try:
        child.wait_for("READY")
        landed = [child.wait_for(f"SHARD {FIRST + k:06d}.json") for k in range(stop_after)]
        child.kill()
    finally:
        child.ensure_dead()
    assert len(landed) == stop_after

    # Before anyone opens the store: the kill really hit the middle of the batch.
    on_disk = _tagged(raw_docs(home), "T")
    assert on_disk == min(BATCH, ROOM + SHARD_CAPACITY * (stop_after - 1)), on_disk
    assert (home / "import.pending").exists()

    store = Store.open(home)
    try:
        docs = raw_docs(home)
        assert _tagged(docs, "T") == 0, "part of a killed create_many survived the next open"
        assert {d["id"]: d for d in docs} == earlier
        assert set(store.index.by_id) == set(earlier)
        assert not (home / "import.pending").exists()
        assert not temp_files(home / "consultations")
        after = contents(home / "consultations")
        assert {name: after[name] for name in before} == before  # rolled back byte for byte
        assert_unique(docs)
        # The store goes on: the same batch, not killed this time, lands whole.
        made = store.create_many([_batch_fields(i) for i in range(BATCH)])
        # Change numbers (and references) the killed batch had taken are not given again:
        # the counter never goes backwards (store.manifest), so they are skipped.
        first = made[0].seq
        assert first > EARLIER
        assert [c.seq for c in made] == list(range(first, first + BATCH))
    finally:
        store.close()
    reopened = Store.open(home)
    assert len(reopened.index) == EARLIER + BATCH
    assert_unique(raw_docs(home))
    reopened.close()


def _batch_fields(i: int):
    from tests.reliability._reliability import make_fields

    return make_fields(f"整批导入 {i}", requests=f"batch again {i}/{BATCH}")


def test_sigkill_at_random_moments_in_create_many(home: Path) -> None:
    """Eight 600-record batches, each SIGKILLed after a random delay within roughly the
    time one batch takes: after the next open each batch is entirely there or absent."""
    rng = random.Random(SEED + 1)
    store = Store.open(home)
    fill_store(store, 50)
    store.close()
    outcomes = collections.Counter()
    for trial in range(8):
        tag = f"R{trial}"
        child = Child("batch", home, tag, BATCH)
        try:
            child.wait_for("READY")
            time.sleep(rng.uniform(0.0, 0.12))
            if child.proc.poll() is None:
                child.kill()
        finally:
            child.ensure_dead()
        returned = any(line.startswith("B ") for line in child.lines)
        partial_on_disk = 0 < _tagged(raw_docs(home), tag) < BATCH or (home / "import.pending").exists()
        store = Store.open(home)
        try:
            docs = raw_docs(home)
            n = _tagged(docs, tag)
            assert n in (0, BATCH), f"batch {tag}: {n} of {BATCH} records after the kill"
            if returned:
                assert n == BATCH, f"batch {tag} was reported saved but only {n} records are there"
            assert_unique(docs)
            assert not temp_files(home / "consultations")
            assert not (home / "import.pending").exists()
            outcomes["whole" if n else ("cut mid-batch" if partial_on_disk else "killed before writing")] += 1
        finally:
            store.close()
    print(dict(outcomes))


def test_killed_while_writing_import_pending_leaves_no_temp_file(home: Path) -> None:
    """A writer SIGKILLed while writing the import.pending marker (the injected
    `_write_all` writes half of it, then stalls) leaves `.import.pending.<pid>.tmp` in the
    data folder. Opening the store cleans temp files in consultations/ only."""
    child = Child("pause-pending", home)
    try:
        child.wait_for("PENDING-TEMP")
        child.kill()
    finally:
        child.ensure_dead()
    assert temp_files(home), "the injection did not leave a temp file"
    store = Store.open(home)
    store.close()
    assert not (home / "import.pending").exists()
    assert not temp_files(home), f"left behind after open: {[p.name for p in temp_files(home)]}"
