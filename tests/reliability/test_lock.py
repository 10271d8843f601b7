"""One writer at a time across processes: a busy lock is reported, not waited on
forever; concurrent writers never share a sequence or reference number; a store
opened earlier picks up what another process saved."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from liaison.store import Store, StoreBusy
from tests.reliability._reliability import (
    WORKER,
    Child,
    assert_unique,
    duplicates,
    fill_store,
    make_fields,
    raw_docs,
    snapshot,
    temp_files,
)


def _parse(lines: list[str]) -> dict[str, tuple[int, int, str]]:
    """id -> (version, seq, ref) of every `C` line."""
    out = {}
    for line in lines:
        kind, *rest = line.split()
        if kind == "C":
            out[rest[0]] = (int(rest[1]), int(rest[2]), rest[3])
    return out


def test_busy_lock_gives_store_busy_after_the_timeout(home: Path) -> None:
    """Another process holds the write lock; our create gives up after ~0.5 s with
    StoreBusy, changes nothing, and succeeds once the other process lets go."""
    first = Store.open(home)
    earlier = fill_store(first, 5)
    first.close()

    holder = Child("hold", home, stdin=True)
    try:
        holder.wait_for("HOLDING")
        store = Store.open(home, lock_timeout=0.5)
        before = snapshot(home / "consultations")
        t0 = time.monotonic()
        with pytest.raises(StoreBusy) as caught:
            store.create(make_fields("等锁的记录"))
        waited = time.monotonic() - t0
        assert 0.45 <= waited < 2.5, f"gave up after {waited:.2f} s with lock_timeout=0.5"
        msg = str(caught.value)
        assert "另一个 liaison 程序正在写入" in msg and "another liaison process is writing" in msg, msg
        with pytest.raises(StoreBusy):  # an edit is refused the same way
            store.edit(earlier[0].id, {"status": "referred"})

        assert snapshot(home / "consultations") == before
        assert not temp_files(home)
        assert len(store.index) == 5 and not store.index.search("等锁的记录")
        assert store.get(earlier[0].id) == earlier[0]
        assert holder.proc.poll() is None  # the holder was not disturbed

        holder.send("release")
        holder.wait_for("RELEASED")
        assert holder.finish() == 0
        c = store.create(make_fields("等锁的记录"))
        assert c.seq == 6
        assert store.edit(earlier[0].id, {"status": "referred"}).version == 2
    finally:
        holder.ensure_dead()
    reopened = Store.open(home)
    assert len(reopened.index) == 6 and reopened.get(c.id) == c
    assert_unique(raw_docs(home))
    reopened.close()
    store.close()


def test_store_busy_says_how_long_it_waited(home: Path) -> None:
    """A fractional timeout is shown as given (it once read "gave up after 0 s")."""
    holder = Child("hold", home, stdin=True)
    try:
        holder.wait_for("HOLDING")
        store = Store.open(home, lock_timeout=0.5)
        with pytest.raises(StoreBusy) as caught:
            store.create(make_fields())
        assert "等待 0.5 秒" in str(caught.value) and "after 0.5 s" in str(caught.value), str(caught.value)
        store.close()
    finally:
        holder.ensure_dead()


def test_two_processes_adding_at_once(home: Path) -> None:
    """Two processes, each with its store open, are released together and add 100 records
    each (normal lock timeout), pausing 2 ms between saves so that each keeps finding the
    other's saves when it takes the lock. A store opened before either wrote catches up
    with refresh()."""
    early = Store.open(home)
    assert len(early.index) == 0
    writers = [Child("add", home, 100, 2, stdin=True) for _ in range(2)]
    try:
        for w in writers:
            w.wait_for("READY")
        for w in writers:
            w.send("go")
        for w in writers:
            w.wait_for("DONE", timeout=120)
            assert w.finish() == 0, w.stderr
    finally:
        for w in writers:
            w.ensure_dead()
    reported = {**_parse(writers[0].lines), **_parse(writers[1].lines)}
    assert len(reported) == 200

    docs = raw_docs(home)
    assert len(docs) == 200
    assert_unique(docs)
    assert sorted(d["seq"] for d in docs) == list(range(1, 201))
    by_id = {d["id"]: d for d in docs}
    for cid, (version, seq, ref) in reported.items():
        assert (by_id[cid]["version"], by_id[cid]["seq"], by_id[cid]["ref"]) == (version, seq, ref)
    # They really interleaved: in seq order, the writer changes many times.
    writer_of = {seq: k for k, w in enumerate(writers) for _, seq, _ in _parse(w.lines).values()}
    switches = sum(writer_of[s] != writer_of[s + 1] for s in range(1, 200))
    assert switches >= 10, f"the writers took turns only {switches} times"

    opened = Store.open(home)
    assert len(opened.index) == 200
    opened.close()

    assert early.refresh() is True
    assert len(early.index) == 200 and early.index.max_seq == 200
    some = next(iter(reported))
    assert early.get(some).ref == reported[some][2]
    mine = early.create(make_fields("早先打开的窗口"))
    assert mine.seq == 201
    assert early.refresh() is False
    assert_unique(raw_docs(home))
    early.close()


# -- races found while writing the tests above --------------------------------------------

def test_opening_the_store_does_not_break_another_process_save(home: Path) -> None:
    """A writer is stopped (injected pause in its `_write_all`) after writing its temp
    file but before replacing the shard with it; meanwhile this process opens the store,
    as `liaison list` or the nightly job would while the TUI saves."""
    s = Store.open(home)
    fill_store(s, 3)
    s.close()
    writer = Child("pause-in-write", home, stdin=True)
    try:
        writer.wait_for("TEMP-WRITTEN")
        Store.open(home).close()
        writer.send("continue")
        writer.finish()
    finally:
        writer.ensure_dead()
    outcome = [line for line in writer.lines if line.startswith(("C ", "FAILED"))]
    assert outcome and outcome[0].startswith("C "), outcome


def _other_process_saves(home: Path) -> None:
    subprocess.run([sys.executable, str(WORKER), "one", str(home)], check=True, capture_output=True)


@pytest.mark.parametrize("when", ["open", "refresh"])
def test_a_save_between_reading_shards_and_marking_seen(home: Path, monkeypatch: pytest.MonkeyPatch, when: str) -> None:
    """Another process saves in the gap between reading the shards and checking the
    generation. The gap is real but short (a reader/writer stress run hit it about once
    in 200 opens before the fix); here the other save is placed in it on purpose by
    wrapping Store._settle, which runs right after the shards were read."""
    s = Store.open(home)
    fill_store(s, 3)
    s.close()
    store = Store.open(home) if when == "refresh" else None
    real = Store._settle

    def save_then_settle(self: Store, gen: int) -> bool:
        _other_process_saves(home)
        return real(self, gen)

    monkeypatch.setattr(Store, "_settle", save_then_settle)
    if when == "open":
        store = Store.open(home)
    else:
        _other_process_saves(home)  # something to refresh for
        store.refresh()
    monkeypatch.undo()
    store.create(make_fields("随后保存的记录"))
    docs = raw_docs(home)
    dup_seqs, dup_refs = duplicates(docs, "seq"), duplicates(docs, "ref")
    store.close()
    assert not dup_seqs and not dup_refs, f"reused: seqs {dup_seqs}, refs {dup_refs}"
