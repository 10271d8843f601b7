"""The audit chain: intact logs verify; every kind of tampering is caught and named."""

from __future__ import annotations

import os
import stat

import orjson
import pytest

from liaison.security import AuditLog, SealBroken, verify

KEY = os.urandom(32)


@pytest.fixture
def log(tmp_path):
    audit = AuditLog(tmp_path)
    for i in range(1, 51):
        audit.record("王检察官", "view" if i % 3 else "edit", f"cid-{i:04d}",
                     {"fields": ["summary"], "i": i})
    return audit


def _lines(log):
    return log.path.read_bytes().split(b"\n")[:-1]


def _write(log, lines, tail=b"\n"):
    log.path.write_bytes(b"\n".join(lines) + tail)


def test_fifty_entries_verify(log):
    r = verify(log.path)
    assert r.ok and r.entries == 50 and r.first_bad is None
    assert stat.S_IMODE(log.path.stat().st_mode) == 0o600
    entries = log.entries_since(45)
    assert [e["n"] for e in entries] == [46, 47, 48, 49, 50]
    assert entries[-1]["hash"] == r.head


def test_empty_or_missing_log_is_intact(tmp_path):
    assert verify(tmp_path / "audit" / "log.jsonl").ok


def test_edited_field_named(log):
    lines = _lines(log)
    entry = orjson.loads(lines[19])
    entry["target"] = "cid-9999"
    lines[19] = orjson.dumps(entry)
    _write(log, lines)
    r = verify(log.path)
    assert not r.ok and r.first_bad == 20 and r.entries == 19 and "20" in r.reason


def test_edited_and_rehashed_named_by_the_broken_link(log):
    import hashlib

    from liaison.security.audit_verify import canonical

    lines = _lines(log)
    entry = orjson.loads(lines[19])
    entry["officer"] = "别人"
    entry["hash"] = hashlib.sha256(canonical(entry)).hexdigest()
    lines[19] = orjson.dumps(entry)
    _write(log, lines)
    r = verify(log.path)
    assert not r.ok and r.first_bad == 20


def test_deleted_line_named(log):
    lines = _lines(log)
    del lines[29]
    _write(log, lines)
    r = verify(log.path)
    assert not r.ok and r.first_bad == 30 and "missing" in r.reason


def test_deleted_first_line_named(log):
    _write(log, _lines(log)[1:])
    assert verify(log.path).first_bad == 1


def test_swapped_lines_named(log):
    lines = _lines(log)
    lines[9], lines[10] = lines[10], lines[9]
    _write(log, lines)
    r = verify(log.path)
    assert not r.ok and r.first_bad == 10


def test_truncated_last_line_named(log):
    raw = log.path.read_bytes()
    log.path.write_bytes(raw[:-40])
    r = verify(log.path)
    assert not r.ok and r.first_bad == 50 and r.entries == 49


def test_append_after_a_torn_line_keeps_the_evidence(log):
    log.path.write_bytes(log.path.read_bytes()[:-40])  # a crash (or someone) cut the last line
    log.record("王检察官", "view", "cid-0001")
    assert verify(log.path).first_bad == 50  # the cut is still reported, not papered over


def test_sealed_details_unreadable_but_chain_verifies(tmp_path):
    audit = AuditLog(tmp_path)
    audit.record("王检察官", "unlock", "tui")
    secret = {"changed": {"visitor.name": ["刘师傅", "刘建国"], "visitor.phone": "13900005678"}}
    entry = audit.record("王检察官", "edit", "cid-0001", secret, data_key=KEY)
    audit.record("王检察官", "view", "cid-0001", {"screen": "detail"}, data_key=KEY)
    raw = audit.path.read_bytes()
    for s in ("刘师傅", "刘建国", "13900005678", "visitor.name"):
        assert s.encode() not in raw
    assert verify(audit.path).ok and verify(audit.path).entries == 3  # no key needed
    assert AuditLog.open_details(entry, KEY) == secret
    with pytest.raises(SealBroken):
        AuditLog.open_details(entry, os.urandom(32))
    # Sealed details moved to another entry do not open there.
    other = audit.entries_since(2)[0]
    with pytest.raises(SealBroken):
        AuditLog.open_details({**other, "details": entry["details"]}, KEY)


def test_unknown_action_refused(tmp_path):
    with pytest.raises(ValueError):
        AuditLog(tmp_path).record("王检察官", "peek", "cid")


def test_concurrent_appends_from_processes_stay_chained(tmp_path):
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    procs = [ctx.Process(target=_appender, args=(tmp_path, k)) for k in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(30)
    r = verify(AuditLog(tmp_path).path)
    assert r.ok and r.entries == 4 * 25


def _appender(home, k):
    audit = AuditLog(home)
    for i in range(25):
        audit.record(f"officer{k}", "view", f"cid-{i}")
