"""Issue 12, case 8: `hq enroll` never silently swaps a station's key, and one key
never speaks for two stations. The operator compares fingerprints: the office prints
them, the station's `liaison keys` prints the same form."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

from liaison.security import keys  # noqa: E402
from tests.sync._sync_world import World, run

FQ, RIDER = "fengqiao-yuanfang", "rider-friendly"


def fp(pub: Path) -> str:
    """The fingerprint form both sides print: SHA-256 of the raw Ed25519 public key."""
    raw = keys.b64d(json.loads(pub.read_text())["ed25519"])
    return keys.fingerprint(raw)


def enrolled_key(world: World, station: str) -> str:
    with world.office() as o:
        return o.db.station_key(station)


def new_key_pub(world: World, station: str) -> Path:
    """The same station id with a fresh key (a reinstall, or an impostor)."""
    home = world.root / f"{station}-reinstalled"
    return keys.ensure_station_keys(home, station)


def test_enroll_refuses_to_replace_a_key_without_replace(tmp_path: Path) -> None:
    world = World(tmp_path)
    world.station(FQ)
    before = enrolled_key(world, FQ)
    other = new_key_pub(world, FQ)
    got = run("hq", "enroll", "--home", str(world.hq), str(other))
    assert got.returncode == 13, got.stderr
    assert "--replace" in got.stderr
    assert fp(other) in got.stderr  # the new key's fingerprint ...
    old_fp = keys.fingerprint(keys.b64d(before))
    assert old_fp in got.stderr  # ... and the enrolled one, to compare with the station's
    assert "Traceback" not in got.stderr
    assert enrolled_key(world, FQ) == before  # nothing changed


def test_enroll_same_key_again_is_harmless(tmp_path: Path) -> None:
    world = World(tmp_path)
    world.station(FQ)
    before = enrolled_key(world, FQ)
    pub = next((world.root / FQ).rglob(keys.STATION_PUB))
    got = run("hq", "enroll", "--home", str(world.hq), str(pub))
    assert got.returncode == 0, got.stderr
    assert enrolled_key(world, FQ) == before


def test_enroll_replace_records_the_old_key_as_revoked(tmp_path: Path) -> None:
    world = World(tmp_path)
    world.station(FQ)
    before = enrolled_key(world, FQ)
    other = new_key_pub(world, FQ)
    got = run("hq", "enroll", "--home", str(world.hq), "--replace", str(other))
    assert got.returncode == 0, got.stderr
    assert fp(other) in got.stderr and keys.fingerprint(keys.b64d(before)) in got.stderr
    assert enrolled_key(world, FQ) == keys.b64e(keys.b64d(json.loads(other.read_text())["ed25519"]))
    db = sqlite3.connect(world.hq / "office.db")
    rows = db.execute("SELECT station, ed25519, replaced_by FROM revoked_keys").fetchall()
    db.close()
    assert rows == [(FQ, before, enrolled_key(world, FQ))]


def test_enroll_refuses_one_key_for_two_stations(tmp_path: Path) -> None:
    world = World(tmp_path)
    world.station(FQ)
    pub = next((world.root / FQ).rglob(keys.STATION_PUB))
    forged = tmp_path / "forged.pub.json"
    data = json.loads(pub.read_text())
    data["station"] = RIDER
    forged.write_text(json.dumps(data))
    for extra in ((), ("--replace",)):  # --replace does not allow it either
        got = run("hq", "enroll", "--home", str(world.hq), *extra, str(forged))
        assert got.returncode == 13, got.stderr
        assert FQ in got.stderr  # names the station that already has this key
        assert "Traceback" not in got.stderr
    assert enrolled_key(world, RIDER) is None


def test_station_keys_prints_the_same_fingerprint(tmp_path: Path) -> None:
    world = World(tmp_path)
    home = world.station(FQ)
    pub = next(home.rglob(keys.STATION_PUB))
    got = run("keys", "--home", str(home))
    assert got.returncode == 0, got.stderr
    assert fp(pub) in got.stderr + got.stdout
    assert fp(pub).startswith("sha256:") and fp(pub)[7:] == hashlib.sha256(
        keys.b64d(json.loads(pub.read_text())["ed25519"])).hexdigest()[:32]


def test_a_revoked_key_cannot_come_back_as_another_station(tmp_path: Path) -> None:
    world = World(tmp_path)
    world.station(FQ)
    old_pub = next((world.root / FQ).rglob(keys.STATION_PUB))
    assert run("hq", "enroll", "--home", str(world.hq), "--replace", str(new_key_pub(world, FQ))).returncode == 0
    forged = tmp_path / "forged.pub.json"
    data = json.loads(old_pub.read_text())
    data["station"] = RIDER
    forged.write_text(json.dumps(data))
    got = run("hq", "enroll", "--home", str(world.hq), str(forged))
    assert got.returncode == 13, got.stderr
    assert FQ in got.stderr
    assert enrolled_key(world, RIDER) is None
