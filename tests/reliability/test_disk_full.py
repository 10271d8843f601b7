"""A full disk: a save that cannot be written fails loudly, changes nothing on disk or
in memory, and the store carries on once there is room again.

Part (a) and (c) inject ENOSPC through `liaison.store.atomic._write_all` (the one
function that writes bytes): the fake writes half of the data and then raises, as a
real full disk does. Part (b) fills a real, tiny tmpfs.
"""

from __future__ import annotations

import errno
import os
import subprocess
from pathlib import Path

import pytest

from liaison.store import Store, StoreWriteError, atomic
from liaison.store.shards import SHARD_CAPACITY
from tests.reliability._reliability import (
    assert_unique,
    contents,
    fill_store,
    make_fields,
    raw_docs,
    shard_files,
    snapshot,
    temp_files,
)


def _half_then_enospc(fd: int, data: bytes) -> None:
    os.write(fd, data[: len(data) // 2])
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _enospc_for(name: str):
    """A `_write_all` that fails like a full disk only for the temp file of `name`."""
    real = atomic._write_all

    def write(fd: int, data: bytes) -> None:
        if f".{name}." in os.path.basename(os.readlink(f"/proc/self/fd/{fd}")):
            _half_then_enospc(fd, data)
        real(fd, data)

    return write


def _assert_disk_full_message(e: StoreWriteError) -> None:
    msg = str(e)
    assert "磁盘已满" in msg and "disk full" in msg, msg


def _ids(store: Store) -> set[str]:
    return set(store.index.by_id)


# -- (a) a create that hits ENOSPC -------------------------------------------------------

@pytest.mark.parametrize("earlier", [SHARD_CAPACITY + SHARD_CAPACITY // 2, SHARD_CAPACITY],
                         ids=["into-a-shard", "first-of-a-new-shard"])
def test_create_on_full_disk_changes_nothing(home: Path, monkeypatch: pytest.MonkeyPatch, earlier: int) -> None:
    """Injected ENOSPC (half the bytes written, then the error) on a create that goes into
    a partly filled shard, and on one that would start a new shard file."""
    store = Store.open(home)
    fill_store(store, earlier)
    before = snapshot(home / "consultations")
    ids, max_seq = _ids(store), store.index.max_seq

    monkeypatch.setattr(atomic, "_write_all", _half_then_enospc)
    with pytest.raises(StoreWriteError) as caught:
        store.create(make_fields("这条保存失败"))
    _assert_disk_full_message(caught.value)

    assert snapshot(home / "consultations") == before  # byte for byte; no new shard, no temp
    assert not temp_files(home)
    assert _ids(store) == ids and len(store.index) == earlier  # the failed record is not shown
    assert store.index.max_seq == max_seq
    assert not store.index.search("这条保存失败")
    again = Store.open(home)
    assert _ids(again) == ids
    again.close()

    monkeypatch.undo()
    c = store.create(make_fields("磁盘清理后保存"))
    assert c.seq == max_seq + 1
    assert c.ref.endswith(f"-{earlier + 1:03d}")
    assert store.get(c.id).summary == "磁盘清理后保存"
    reopened = Store.open(home)
    assert _ids(reopened) == ids | {c.id}
    assert_unique(raw_docs(home))
    reopened.close()
    store.close()


# -- (c) an edit, and a create_many, that hit ENOSPC -------------------------------------

def test_edit_on_full_disk_changes_nothing(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Injected ENOSPC on the rewrite of the shard holding the edited record."""
    store = Store.open(home)
    records = fill_store(store, 30)
    target = records[7]
    before = snapshot(home / "consultations")
    max_seq = store.index.max_seq

    monkeypatch.setattr(atomic, "_write_all", _half_then_enospc)
    with pytest.raises(StoreWriteError) as caught:
        store.edit(target.id, {"summary": "改动未能保存", "status": "referred"})
    _assert_disk_full_message(caught.value)

    assert snapshot(home / "consultations") == before
    assert not temp_files(home)
    row = store.index.by_id[target.id]
    assert (row.version, row.seq, row.status) == (1, target.seq, "open")
    assert store.get(target.id) == target  # not the edit TinyDB had already applied in memory
    assert not store.index.search("改动未能保存")
    again = Store.open(home)
    assert again.get(target.id) == target
    again.close()

    monkeypatch.undo()
    edited = store.edit(target.id, {"summary": "改动已保存", "status": "referred"})
    assert (edited.version, edited.seq) == (2, max_seq + 1)
    reopened = Store.open(home)
    assert reopened.get(target.id) == edited
    assert len(reopened.index) == 30
    reopened.close()
    store.close()


def test_create_many_failing_on_its_second_shard_leaves_nothing(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """1.5 shards of records, then a batch of 3 shards' worth: the first part tops up
    the half-filled shard, the rest goes to new shards. Injected ENOSPC on the batch's
    second shard only, when the first already holds its part."""
    earlier = SHARD_CAPACITY + SHARD_CAPACITY // 2
    second = f"{earlier // SHARD_CAPACITY + 2:06d}.json"
    store = Store.open(home)
    fill_store(store, earlier)
    before = contents(home / "consultations")
    ids, max_seq = _ids(store), store.index.max_seq

    monkeypatch.setattr(atomic, "_write_all", _enospc_for(second))
    batch = [make_fields(f"整批导入 {i}", requests="batch") for i in range(3 * SHARD_CAPACITY)]
    with pytest.raises(StoreWriteError) as caught:
        store.create_many(batch)
    _assert_disk_full_message(caught.value)

    assert contents(home / "consultations") == before  # first shard's records rolled back byte for byte
    assert not temp_files(home)
    assert _ids(store) == ids and store.index.max_seq == max_seq
    assert not store.index.search("整批导入")
    again = Store.open(home)
    assert _ids(again) == ids
    assert not (home / "import.pending").exists()
    again.close()

    monkeypatch.undo()
    made = store.create_many(batch)
    # The failed batch's change numbers are not given again (the counter never goes back).
    assert made[0].seq > max_seq
    assert [c.seq for c in made] == list(range(made[0].seq, made[0].seq + len(batch)))
    reopened = Store.open(home)
    assert len(reopened.index) == earlier + len(batch)
    reopened.close()
    assert_unique(raw_docs(home))
    store.close()


def test_create_many_failing_on_its_marker_leaves_nothing(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Injected ENOSPC on the very first write of a batch, the import.pending marker."""
    store = Store.open(home)
    fill_store(store, 10)
    before_home, before = snapshot(home), snapshot(home / "consultations")
    monkeypatch.setattr(atomic, "_write_all", _enospc_for("import.pending"))
    with pytest.raises(StoreWriteError) as caught:
        store.create_many([make_fields(f"整批导入 {i}") for i in range(20)])
    _assert_disk_full_message(caught.value)
    assert snapshot(home / "consultations") == before
    assert set(snapshot(home)) == set(before_home)  # no marker, no temp
    assert len(store.index) == 10
    store.close()


# -- (b) a real, tiny file system ---------------------------------------------------------

@pytest.fixture
def tiny_disk(tmp_path: Path):
    """A 1 MiB tmpfs mounted for this test (needs root / CAP_SYS_ADMIN)."""
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", str(mnt)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.strip() or r.returncode}")
    try:
        yield mnt
    finally:
        if subprocess.run(["umount", str(mnt)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def _fill_up(path: Path) -> None:
    """Write zeros into `path` until the file system says it is full."""
    with open(path, "wb", buffering=0) as f:
        block = b"\0" * 4096
        while True:
            try:
                f.write(block)
            except OSError as e:
                assert e.errno == errno.ENOSPC
                return


def _long_fields(i: int):
    return make_fields(f"第{i}号：" + "工资被拖欠三个月，老板失联，工友们轮流来站里问进展。" * 12, requests=f"fill {i}")


def test_real_full_disk(tiny_disk: Path) -> None:
    """Creates until the tmpfs is full, then an edit and a batch on the full disk; each
    failure keeps files, memory and the next sequence number as they were, and saving
    works again once space is freed."""
    home = tiny_disk / "station"
    store = Store.init(home, station="fengqiao-yuanfang", code="FQYF", officer="王检察官")
    ballast = tiny_disk / "ballast"
    ballast.write_bytes(b"\0" * 128 * 1024)

    # 1. create until the disk is full; the shard files must not move on the failed save.
    saved, cache = [], {}
    while True:
        for p in shard_files(home):  # keep bytes of every shard as they were before this save
            stamp = os.stat(p).st_mtime_ns, os.stat(p).st_ino
            if cache.get(p.name, (None,))[0] != stamp:
                cache[p.name] = (stamp, p.read_bytes())
        try:
            saved.append(store.create(_long_fields(len(saved))))
        except StoreWriteError as e:
            _assert_disk_full_message(e)
            break
        assert len(saved) < 5000, "the disk never filled up"
    assert len(saved) > SHARD_CAPACITY, "fill more than one shard so the failing save is a real rewrite"
    assert {n: b for n, (_, b) in cache.items()} == snapshot(home / "consultations")
    assert not temp_files(home)
    ids, max_seq = {c.id for c in saved}, store.index.max_seq
    assert _ids(store) == ids and max_seq == len(saved)

    # 2. make it completely full; an edit of the newest record cannot be saved either.
    _fill_up(tiny_disk / "filler")
    before = snapshot(home / "consultations")
    target = saved[-1]
    with pytest.raises(StoreWriteError) as caught:
        store.edit(target.id, {"summary": "满盘时的修改", "status": "referred"})
    _assert_disk_full_message(caught.value)
    assert snapshot(home / "consultations") == before
    assert store.get(target.id) == target and store.index.by_id[target.id].version == 1
    assert not temp_files(home)

    # 3. a batch on the full disk: nothing of it, in memory or on disk.
    (tiny_disk / "filler").unlink()
    with pytest.raises(StoreWriteError) as caught:
        store.create_many([_long_fields(10_000 + i) for i in range(2 * SHARD_CAPACITY)])
    _assert_disk_full_message(caught.value)
    assert _ids(store) == ids, "records of the failed batch are shown"
    assert {d["id"] for d in raw_docs(home)} == ids, "records of the failed batch are on disk"
    assert snapshot(home / "consultations") == before
    assert not temp_files(home)

    # 4. still opens, with every earlier record, on a full disk.
    _fill_up(tiny_disk / "filler")
    again = Store.open(home)
    assert _ids(again) == ids
    again.close()

    # 5. room again: the next saves work and take the next sequence numbers.
    (tiny_disk / "filler").unlink()
    ballast.unlink()
    c = store.create(_long_fields(len(saved)))
    assert c.seq == max_seq + 1
    edited = store.edit(target.id, {"summary": "有空间后的修改"})
    assert (edited.version, edited.seq) == (2, max_seq + 2)
    reopened = Store.open(home)
    assert _ids(reopened) == ids | {c.id}
    assert reopened.get(target.id).summary == "有空间后的修改"
    assert_unique(raw_docs(home))
    assert not (home / "import.pending").exists()
    reopened.close()
    store.close()


def test_real_full_disk_create_many_fails_on_its_second_shard(tiny_disk: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """1.5 shards of records, and a ballast file sized so that a batch can write its
    marker and top up the half-filled shard (A), but then finds no room for its next,
    full shard (B), and must take A back (for which the freed old A leaves room). A
    pass-through wrapper of `_write_all` only records which files were written (it
    injects nothing)."""
    home = tiny_disk / "station"
    store = Store.init(home, station="fengqiao-yuanfang", code="FQYF", officer="王检察官")
    earlier = SHARD_CAPACITY + SHARD_CAPACITY // 2
    for i in range(earlier):
        store.create(_long_fields(i))
    a = f"{earlier // SHARD_CAPACITY + 1:06d}"
    b = f"{earlier // SHARD_CAPACITY + 2:06d}"
    a_old = (home / "consultations" / f"{a}.json").stat().st_size
    per_record = a_old / (earlier % SHARD_CAPACITY)
    a_new = b_size = per_record * SHARD_CAPACITY
    n = 2 * SHARD_CAPACITY
    marker = 40 * n + 4096
    # Free space F: F >= marker + a_new (A fits), F - marker - a_new + a_old < b_size (B does not).
    target_free = int(marker + a_new + (b_size - a_old) / 2)
    st = os.statvfs(tiny_disk)
    (tiny_disk / "ballast").write_bytes(b"\0" * (st.f_bavail * st.f_frsize - target_free))
    before = contents(home / "consultations")
    ids, max_seq = _ids(store), store.index.max_seq

    real, outcome = atomic._write_all, []

    def observe(fd: int, data: bytes) -> None:
        name = os.path.basename(os.readlink(f"/proc/self/fd/{fd}")).split(".")[1]
        try:
            real(fd, data)
        except OSError as e:
            outcome.append((name, errno.errorcode[e.errno]))
            raise
        outcome.append((name, "ok"))

    monkeypatch.setattr(atomic, "_write_all", observe)
    with pytest.raises(StoreWriteError) as caught:
        store.create_many([_long_fields(10_000 + i) for i in range(n)])
    _assert_disk_full_message(caught.value)
    assert outcome[:3] == [("import", "ok"), (a, "ok"), (b, "ENOSPC")], outcome

    assert _ids(store) == ids and store.index.max_seq == max_seq
    assert contents(home / "consultations") == before
    assert not temp_files(home)
    again = Store.open(home)
    assert _ids(again) == ids
    again.close()

    monkeypatch.undo()
    (tiny_disk / "ballast").unlink()
    made = store.create_many([_long_fields(20_000 + i) for i in range(n)])
    assert made[0].seq > max_seq  # the failed batch's numbers are not given again
    reopened = Store.open(home)
    assert len(reopened.index) == earlier + n
    reopened.close()
    assert not (home / "import.pending").exists()
    store.close()
