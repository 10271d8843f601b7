"""Issue 12: the quarantine keeps refused bundles as evidence, but within a quota: the
oldest go first, and how many went is counted for `hq status`."""

from __future__ import annotations

from liaison.hq.quarantine import Quarantine


def test_the_oldest_are_dropped_first_and_counted(tmp_path):
    q = Quarantine(tmp_path, max_files=3, max_bytes=10_000)
    names = []
    for i in range(5):
        names.append(q.put(f"st-{i:06d}.bundle", b"x" * 100, f"bad signature {i}").name)
    s = q.summary()
    assert s["files"] == 3 and s["dropped"] == 2
    kept = sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".bundle"))
    assert kept == sorted(names[2:])
    assert all((tmp_path / (n + ".reason.txt")).exists() for n in kept)
    assert not any((tmp_path / (n + ".reason.txt")).exists() for n in names[:2])
    assert s["latest"][0] == names[-1]


def test_the_byte_quota_holds_and_a_name_is_never_overwritten(tmp_path):
    q = Quarantine(tmp_path, max_files=100, max_bytes=250)
    a = q.put("same.bundle", b"a" * 100, "one")
    b = q.put("same.bundle", b"b" * 100, "two")
    c = q.put("same.bundle", b"c" * 100, "three")
    assert len({a, b, c}) == 3
    s = q.summary()
    assert s["bytes"] <= 250 and s["files"] == 2 and s["dropped"] == 1
    assert c.read_bytes() == b"c" * 100  # the newest is kept


def test_a_strange_name_is_not_used_as_a_path(tmp_path):
    q = Quarantine(tmp_path)
    for name in ("../../etc/passwd", ".hidden.bundle", "a/b/../../x.bundle"):
        p = q.put(name, b"x", "why")
        assert p.parent == tmp_path
