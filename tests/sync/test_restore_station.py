"""A lost laptop restored from the office: `liaison init --restore DIR` with a kit made
(here, by the test, as `liaison hq restore-kit` will) from what the office holds.
The restored station lists the same records, issues new references only, and its
next bundle continues the office's chain: no fork, no gap, no duplicate, no audit break."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import orjson
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from liaison.cli import exitcodes as ec
from liaison.domain.timeutil import now
from liaison.security import keys
from liaison.security.audit import LOG, verify
from liaison.security.session import open_store, unlock
from liaison.sync.restore_kit import FILE, KitDamaged, KitMissing, KitWrongCode, new_kit_code, read_kit, write_kit
from tests.sync._sync_world import LIAISON, PIN, officer_setup, run, seed

FQ = "fengqiao-yuanfang"
NEW_OFFICER, NEW_PIN = "李检察官", "li-restore-7391"


def cli(*args: str, code: str | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "LIAISON_PIN": NEW_PIN}
    if code is not None:
        env["LIAISON_RESTORE_CODE"] = code
    return subprocess.run([*LIAISON, *args], capture_output=True, text=True, timeout=120, env=env, input=stdin)


def _station_with_history(world):
    """A station with 30 records (one edited, one deleted), synced and ingested twice."""
    home = world.station(FQ)
    seed(home, FQ, n=30)
    who = officer_setup(home, FQ)
    p = run("--home", str(home), "list", *who, pin=True)  # first unlock: sealed, wrapped for the office
    assert p.returncode == 0, p.stderr
    assert run("--home", str(home), "sync", "--to", str(world.drop)).returncode in (0, 10)
    world.ingest()
    session = unlock(home, "测试", PIN)
    store = open_store(session)
    rows = sorted(store.index.by_id.values(), key=lambda r: r.seq)
    store.add_note(rows[0].id, "回访：已联系")
    store.delete(rows[1].id)
    store.close()
    assert run("--home", str(home), "sync", "--to", str(world.drop)).returncode in (0, 10)
    world.ingest()
    return home, session


def _kit(world, home, session, tmp_path, code, source="station"):
    """What the office's restore-kit writes: a new signing key enrolled (the old revoked),
    the station's records in full (from the unlocked station, or as the office holds
    them), and the chain as the office last received it."""
    store = open_store(session)
    records = [c.to_dict() for c in store.load(store.index.by_id.values())]
    store.close()
    if source == "office":
        office = world.records()
        assert {i: (r["version"], r["seq"]) for i, r in office.items()} == \
               {r["id"]: (r["version"], r["seq"]) for r in records}
        records = list(office.values())
    new_key = Ed25519PrivateKey.generate()
    pub = tmp_path / "new-station.pub.json"
    pub.write_bytes(orjson.dumps({"station": FQ, "ed25519": keys.b64e(keys.raw_public(new_key.public_key()))}))
    with world.office() as o:
        o.enroll(pub, replace=True)
        last = o.db.station_status(FQ)["last_bundle"]
        digest = o.db.seen(FQ, last)[0]
        audit = o.db.audit_status(FQ)
    assert last == 2 and audit["ok"]
    payload = {"station": FQ, "signing_key": keys.b64e(keys.raw_private(new_key)),
               "office_pub": orjson.loads(world.pub.read_bytes()), "records": records,
               "chain": {"last_bundle": last, "last_digest": digest, "audit_n": audit["head"],
                         "audit_head": audit["head_hash"]},
               "made_at": now().isoformat(timespec="seconds")}
    return write_kit(tmp_path / "kit", payload, code), payload, pub


@pytest.mark.parametrize("source", ["station", "office"])
def test_a_lost_laptop_is_restored_and_continues_the_chain(world, tmp_path, source):
    home, session = _station_with_history(world)
    code = new_kit_code()
    kit, payload, pub = _kit(world, home, session, tmp_path, code, source)
    assert oct(kit.stat().st_mode & 0o777) == "0o600" and oct(kit.parent.stat().st_mode & 0o777) == "0o700"
    before = {r["id"]: r for r in payload["records"]}
    shutil.rmtree(home)  # the laptop is gone

    p = cli("--home", str(home), "init", "--restore", str(kit.parent), "--officer", NEW_OFFICER, code=code)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[0] == str(home) and len(lines[1].replace("-", "")) == 30  # the new recovery code
    assert "Traceback" not in p.stderr
    # The station's key is the one the office enrolled.
    assert orjson.loads((home / "keys" / keys.STATION_PUB).read_bytes()) == orjson.loads(pub.read_bytes())

    p = cli("--home", str(home), "list", "--json", "--officer", NEW_OFFICER)
    assert p.returncode == 0, p.stderr
    listed = {r["id"]: r for r in json.loads(p.stdout)}
    alive = {i: r for i, r in before.items() if not r["deleted"]}
    assert len(listed) == 29 == len(alive)
    for i, r in alive.items():
        got = listed[i]
        assert (got["ref"], got["version"], got["seq"], got["visited_at"]) == \
               (r["ref"], r["version"], r["seq"], r["visited_at"])
        assert got["visitor"] == r["visitor"]  # personal fields came back, readable by the new officer
    assert any(r["version"] == 2 for r in listed.values())

    added = cli("--home", str(home), "add", "--json", "--officer", NEW_OFFICER, stdin=json.dumps(
        {"category": "labour", "summary": "恢复后的新咨询", "visitor": {"name": "赵女士", "consent": True},
         "visited_at": max(r["visited_at"] for r in before.values())}))
    assert added.returncode == 0, added.stderr
    new = json.loads(added.stdout)
    assert new["ref"] not in {r["ref"] for r in before.values()}
    assert new["seq"] > max(r["seq"] for r in before.values())

    p = cli("--home", str(home), "sync", "--to", str(world.drop))
    assert p.returncode in (0, 10), p.stderr
    summary = world.ingest()
    assert summary["quarantined"] == 0 and summary["conflicts"] == 0 and summary["accepted"] == 1, summary
    assert summary["audit_breaks"] == 0, summary
    with world.office() as o:
        st = o.db.station_status(FQ)
        assert st["last_bundle"] == 3 and st["gaps"] == [] and st["audit"]["ok"], st
        shipped = o.db.audit_entries(FQ)
    assert [e["n"] for e in shipped] == list(range(1, len(shipped) + 1))
    assert any(e["action"] == "restored" and e["n"] == payload["chain"]["audit_n"] + 2 for e in shipped)
    office = world.records()
    assert len(office) == 31 and office[new["id"]]["ref"] == new["ref"]
    assert sum(r["deleted"] for r in office.values()) == 1

    assert verify(home / LOG).ok  # the station's own log verifies, continuing after the office's copy
    for check in (["audit", "verify"], ["verify"]):
        p = cli("--home", str(home), *check)
        assert p.returncode == 0, p.stdout + p.stderr


def test_a_wrong_code_or_a_used_folder_is_refused(world, tmp_path):
    home, session = _station_with_history(world)
    code = new_kit_code()
    kit, _, _ = _kit(world, home, session, tmp_path, code)

    p = cli("--home", str(home), "init", "--restore", str(kit.parent), "--officer", NEW_OFFICER, code=code)
    assert p.returncode == ec.INVALID and "already holds a station" in p.stderr and "Traceback" not in p.stderr

    fresh = tmp_path / "new-laptop"
    p = cli("--home", str(fresh), "init", "--restore", str(kit.parent), "--officer", NEW_OFFICER,
            code=new_kit_code())
    assert p.returncode == ec.WRONG_PIN and "wrong kit code" in p.stderr and "Traceback" not in p.stderr
    assert not fresh.exists()

    p = cli("--home", str(fresh), "init", "--restore", str(tmp_path / "nowhere"), "--officer", NEW_OFFICER, code=code)
    assert p.returncode == ec.NOT_FOUND and "no restore kit" in p.stderr
    assert not fresh.exists()

    p = cli("--home", str(fresh), "init", "--restore", str(kit.parent), "--officer", NEW_OFFICER, "--station",
            "rider-friendly", code=code)
    assert p.returncode == ec.INVALID and not fresh.exists()


def test_the_kit_format(tmp_path):
    code = new_kit_code()
    assert len(code) == 35 and code.count("-") == 5
    payload = {"station": FQ, "signing_key": "", "office_pub": {}, "records": [],
               "chain": {"last_bundle": 0, "last_digest": "", "audit_n": 0, "audit_head": ""}, "made_at": ""}
    d = tmp_path / "kit"
    write_kit(d, payload, code)
    assert read_kit(d, code.lower().replace("-", " ")) == payload  # as read aloud and typed
    doc = orjson.loads((d / FILE).read_bytes())
    assert doc["format"] == "liaison-restore-kit/1" and doc["station"] == FQ and doc["kdf"]["name"] == "scrypt"
    with pytest.raises(KitWrongCode, match="wrong kit code"):
        read_kit(d, new_kit_code())
    with pytest.raises(KitMissing):
        read_kit(tmp_path / "none", code)
    # Bound to the station: a kit relabelled for another station does not open.
    (d / FILE).write_bytes(orjson.dumps({**doc, "station": "rider-friendly"}))
    with pytest.raises(KitWrongCode):
        read_kit(d, code)
    (d / FILE).write_bytes(orjson.dumps({**doc, "kdf": {**doc["kdf"], "n": 2**30}}))
    with pytest.raises(KitDamaged, match="kdf"):
        read_kit(d, code)
    (d / FILE).write_bytes(b"not a kit")
    with pytest.raises(KitDamaged, match="not a restore kit"):
        read_kit(d, code)


def test_an_anchored_audit_log_verifies_from_the_anchor(tmp_path):
    from liaison.security.audit import AuditLog

    log = AuditLog(tmp_path)
    log.set_anchor(41, "ab" * 32)
    first = log.record("李检察官", "restored", FQ)
    log.record("李检察官", "unlock")
    assert (first["n"], first["prev"]) == (42, "ab" * 32)
    assert verify(tmp_path / LOG).ok and verify(tmp_path / LOG).entries == 2
    with pytest.raises(ValueError):
        log.set_anchor(0, "")  # only before the first entry
    # An anchor changed afterwards no longer links to the log's first entry.
    (tmp_path / "audit" / "anchor.json").write_bytes(orjson.dumps({"n": 41, "hash": "cd" * 32}))
    assert not verify(tmp_path / LOG).ok


def test_restore_kit_from_the_office_thirty_plus_one(world, tmp_path):
    """The issue's case, through the real commands only: a station with 30 synced
    records loses its data folder; the office writes a kit (office PIN), the new laptop
    is restored, adds one visit and syncs: the office has 31, no duplicate, no gap, no
    409; the lost laptop's key is revoked, so a bundle it signed is refused."""
    from tests.sync._sync_world import AS_OFFICE

    home = world.station(FQ)
    seed(home, FQ, n=30)
    who = officer_setup(home, FQ)
    assert run("--home", str(home), "list", *who, pin=True).returncode == 0
    assert run("--home", str(home), "sync", "--to", str(world.drop)).returncode in (0, 10)
    assert world.ingest()["accepted"] == 30
    lost = tmp_path / "lost-laptop"
    shutil.copytree(home, lost)  # what a thief (or the old laptop, found again) still holds
    shutil.rmtree(home)

    kit_dir = tmp_path / "kit"
    p = run("hq", "restore-kit", FQ, "--home", str(world.hq), "--to", str(kit_dir), *AS_OFFICE, pin=True)
    assert p.returncode == 0, p.stderr
    code = p.stdout.strip()
    assert len(code.replace("-", "")) == 30 and "30" in p.stderr and "Traceback" not in p.stderr
    assert code.encode() not in (kit_dir / FILE).read_bytes()
    again = run("hq", "restore-kit", FQ, "--home", str(world.hq), "--to", str(kit_dir), *AS_OFFICE, pin=True)
    assert again.returncode == ec.INVALID  # an existing kit is never overwritten
    assert run("hq", "restore-kit", "no-such-station", "--home", str(world.hq), "--to", str(tmp_path / "k2"),
               *AS_OFFICE, pin=True).returncode == ec.NOT_FOUND

    p = cli("--home", str(home), "init", "--restore", str(kit_dir), "--officer", NEW_OFFICER, code=code)
    assert p.returncode == 0, p.stderr
    added = cli("--home", str(home), "add", "--json", "--officer", NEW_OFFICER, stdin=json.dumps(
        {"category": "labour", "summary": "恢复后的新咨询", "visitor": {"name": "赵女士", "consent": True}}))
    assert added.returncode == 0, added.stderr
    p = run("--home", str(home), "sync", "--to", str(world.drop))
    assert p.returncode in (0, 10), p.stderr
    summary = world.ingest()
    assert (summary["accepted"], summary["duplicates"], summary["conflicts"], summary["quarantined"],
            summary["gaps"]) == (1, 0, 0, 0, 0), summary
    assert len(world.records()) == 31
    with world.office() as o:
        status = o.db.station_status(FQ)
    assert status["last_bundle"] == 2 and status["gaps"] == [] and status["audit"]["ok"], status
    assert run("--home", str(home), "sync", "--to", str(world.drop)).returncode == 0  # receipt collected

    # The lost laptop's key no longer counts at the office.
    p = subprocess.run([*LIAISON, "--home", str(lost), "add", *who], capture_output=True, text=True, timeout=120,
                       env={**os.environ, "LIAISON_PIN": PIN}, input=json.dumps(
                           {"category": "labour", "summary": "旧电脑上的记录", "visitor": {"name": "钱某", "consent": True}}))
    assert p.returncode == 0, p.stderr
    stick = tmp_path / "old-stick"
    stick.mkdir()
    assert run("--home", str(lost), "sync", "--to", str(stick)).returncode == ec.SYNC_PENDING
    refused = world.ingest(stick / "inbox")
    # Its #1 (whose receipt it never collected) and its new #2: both signed with the revoked key.
    assert refused["quarantined"] == 2 and refused["accepted"] == 0 and len(world.records()) == 31
    assert "bad-signature" in next((world.hq / "quarantine").glob("*.reason.txt")).read_text(encoding="utf-8")
