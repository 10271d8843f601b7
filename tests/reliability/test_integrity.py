"""The store knows what it should hold (issue 11, cases 1 and 2): a shard deleted, rolled
back, edited or swapped, or the manifest itself touched, is found and named; saving
stops with exit 7 and a way to recover; change numbers and references never go back.

Everything goes through the real `liaison` command on a sealed station, as an officer
(or a meddler with the folder) would meet it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import orjson
import pytest

from liaison.cli import exitcodes as ec
from tests.sync._sync_world import LIAISON, PIN, World, officer_setup

STATION = "fengqiao-ban"
S6 = {"category": "neighbour", "summary": "楼上噪音多年，已有一次推搡，希望调解",
      "visitor": {"name": "钱先生", "phone": "13912345678", "consent": True}}
S11 = {"category": "neighbour", "summary": "两户邻居互相堵车，言语威胁", "status": "resolved"}


def cli(home: Path, *args: str, stdin: str | None = None, pin: bool = True) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "LIAISON_PIN"}
    if pin:
        env["LIAISON_PIN"] = PIN
    p = subprocess.run([*LIAISON, "--home", str(home), *args], capture_output=True, text=True, env=env,
                       input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL, timeout=120)
    assert "Traceback" not in p.stderr, p.stderr
    return p


@pytest.fixture
def station(tmp_path):
    world = World(tmp_path)
    home = world.station(STATION)
    who = officer_setup(home, STATION)
    return world, home, who


def add(home: Path, who: list[str], record: dict) -> tuple[str, str]:
    p = cli(home, "add", *who, stdin=json.dumps(record, ensure_ascii=False))
    assert p.returncode == ec.OK, p.stderr
    rid, ref = p.stdout.strip().split("\t")
    return rid, ref


def shard(home: Path, n: int = 1) -> Path:
    return home / "consultations" / f"{n:06d}.json"


def test_a_deleted_shard_is_named_and_no_number_or_reference_is_given_twice(station):
    world, home, who = station
    first_id, first_ref = add(home, who, S6)
    assert cli(home, "sync", "--to", str(world.drop), pin=False).returncode == ec.SYNC_PENDING

    shard(home).unlink()

    listed = cli(home, "list", *who, "--json")
    assert listed.returncode == ec.STORAGE
    assert "000001.json" in listed.stderr and "missing" in listed.stderr and "liaison verify" in listed.stderr
    for check in (cli(home, "audit", "verify", pin=False), cli(home, "verify", pin=False)):
        assert check.returncode == ec.STORAGE and "000001.json" in check.stderr, check.stderr
    refused = cli(home, "add", *who, stdin=json.dumps(S11, ensure_ascii=False))
    assert refused.returncode == ec.STORAGE and refused.stdout == ""
    assert not shard(home).exists()  # nothing saved
    sync = cli(home, "sync", "--to", str(world.drop), pin=False)
    assert sync.returncode == ec.STORAGE and "000001.json" in sync.stderr

    accepted = cli(home, "verify", "--accept-loss", *who)
    assert accepted.returncode == ec.OK, accepted.stderr
    assert "000001.json" in accepted.stderr
    log = (home / "audit" / "log.jsonl").read_text()
    assert '"loss_accepted"' in log
    assert cli(home, "verify", pin=False).returncode == ec.OK

    second_id, second_ref = add(home, who, S11)
    assert second_ref != first_ref  # the lost record's reference is not given again
    shown = json.loads(cli(home, "show", second_ref, *who, "--json").stdout)
    assert shown["seq"] > 1  # nor its change number
    # The office still hears of the new record: the checkpoint is not ahead of it.
    cli(home, "sync", "--to", str(world.drop), pin=False)
    world.ingest()
    assert {first_id, second_id} <= set(world.records())


def test_an_edited_clear_field_is_found_and_its_record_named(station):
    world, home, who = station
    _, ref = add(home, who, S6)
    _, other = add(home, who, S11)
    raw = shard(home).read_bytes()
    assert raw.count(b'"category":"neighbour"') == 2
    shard(home).write_bytes(raw.replace(b'"category":"neighbour"', b'"category":"neighbous"', 1))

    full = cli(home, "verify", "--full", *who)
    assert full.returncode == ec.STORAGE
    assert ref in full.stderr and other not in full.stderr and "altered" in full.stderr
    listed = cli(home, "list", *who)
    assert listed.returncode == ec.STORAGE and ref in listed.stderr
    assert cli(home, "show", ref, *who).returncode == ec.STORAGE
    assert cli(home, "edit", other, "--set", "status=closed", *who).returncode == ec.STORAGE
    assert shard(home).read_bytes().count(b"neighbous") == 1  # nothing written over the evidence

    shard(home).write_bytes(raw)  # restored from a backup: back to normal
    assert cli(home, "verify", "--full", *who).returncode == ec.OK
    assert cli(home, "edit", other, "--set", "status=closed", *who).returncode == ec.OK


def test_a_shard_rolled_back_to_an_older_copy_is_found_even_without_a_pin(station, tmp_path):
    world, home, who = station
    _, ref = add(home, who, S6)
    old = tmp_path / "old.json"
    shutil.copy2(shard(home), old)
    assert cli(home, "edit", ref, "--set", "status=resolved", *who).returncode == ec.OK
    shutil.copy2(old, shard(home))

    check = cli(home, "verify", pin=False)
    assert check.returncode == ec.STORAGE and "rolled back" in check.stderr
    assert cli(home, "sync", "--to", str(world.drop), pin=False).returncode == ec.STORAGE
    assert cli(home, "list", *who).returncode == ec.STORAGE


def test_a_shard_from_another_station_does_not_pass(station, tmp_path):
    world, home, who = station
    add(home, who, S6)
    other = world.station("rider-friendly")
    other_who = officer_setup(other, "rider-friendly")
    add(other, other_who, S11)
    shutil.copy2(shard(other), shard(home))
    listed = cli(home, "list", *who)
    assert listed.returncode == ec.STORAGE and "000001.json" in listed.stderr


def test_the_manifest_itself_removed_or_edited_is_named(station):
    world, home, who = station
    add(home, who, S6)
    add(home, who, S11)
    manifest = home / "manifest.jsonl"
    raw = manifest.read_bytes()
    lines = raw.rstrip(b"\0").split(b"\n")
    edited = b"\n".join(lines[:-2] + [lines[-2].replace(b'"count":2', b'"count":1')] + lines[-1:])
    manifest.write_bytes(edited)
    p = cli(home, "list", *who)
    assert p.returncode == ec.STORAGE and "manifest" in p.stderr

    manifest.unlink()
    p = cli(home, "verify", pin=False)
    assert p.returncode == ec.STORAGE and "manifest.jsonl" in p.stderr
    assert cli(home, "add", *who, stdin=json.dumps(S11, ensure_ascii=False)).returncode == ec.STORAGE


def test_a_crash_between_a_shard_and_its_manifest_line_is_no_false_alarm(station):
    """The shard is written first, its manifest line after: a power cut in between
    leaves the line torn (simulated here by cutting it), and the shard one write ahead."""
    world, home, who = station
    add(home, who, S6)
    manifest = home / "manifest.jsonl"
    before = manifest.read_bytes()
    _, ref = add(home, who, S11)
    after = manifest.read_bytes()
    end_before, end_after = len(before.rstrip(b"\0")), len(after.rstrip(b"\0"))
    torn = after[:end_before] + after[end_before:end_after - 40] + b"\0" * (len(after) - end_after + 40)
    manifest.write_bytes(torn)

    listed = cli(home, "list", *who, "--json")
    assert listed.returncode == ec.OK, listed.stderr
    assert ref in listed.stdout
    assert cli(home, "verify", "--full", *who).returncode == ec.OK
    add(home, who, S6)  # and saving goes on


def test_the_export_refuses_a_folder_rolled_back_behind_what_it_sent(station, tmp_path):
    """Manifest and shards put back together to an older copy look like a restored
    backup; the nightly export still sees its counter behind what it already sent."""
    world, home, who = station
    add(home, who, S6)
    copy = tmp_path / "copy"
    shutil.copytree(home, copy)
    add(home, who, S11)
    assert cli(home, "sync", "--to", str(world.drop), pin=False).returncode == ec.SYNC_PENDING
    for name in ("manifest.jsonl", "consultations"):
        target = home / name
        shutil.rmtree(target) if target.is_dir() else target.unlink()
        (shutil.copytree if (copy / name).is_dir() else shutil.copy2)(copy / name, target)
    sync = cli(home, "sync", "--to", str(world.drop), pin=False)
    assert sync.returncode == ec.STORAGE and "behind" in sync.stderr, sync.stderr


def test_a_pre_manifest_station_gets_one_at_its_next_open_and_is_then_guarded(station):
    world, home, who = station
    add(home, who, S6)
    (home / "manifest.jsonl").unlink()
    meta = orjson.loads((home / "meta.json").read_bytes())
    for doc in meta["meta"].values():
        doc.pop("manifest", None)
    (home / "meta.json").write_bytes(orjson.dumps(meta))
    raw = shard(home).read_bytes()
    from liaison.store.integrity import body_of

    shard(home).write_bytes(body_of(raw))  # as written before shards carried `_auth`
    assert cli(home, "list", *who).returncode == ec.OK  # trusted once, as found
    assert (home / "manifest.jsonl").exists()
    shard(home).write_bytes(body_of(raw).replace(b"neighbour", b"neighbous"))
    assert cli(home, "verify", pin=False).returncode == ec.STORAGE


def test_a_damaged_station_does_not_mark_the_next_command_in_the_same_process(station, tmp_path, monkeypatch,
                                                                              capsys):
    """`main` runs more than once in one process (tests, scripts importing liaison): the
    warning and exit 7 belong to the command that met the damage, not to the ones after."""
    from liaison.cli import main

    world, home, who = station
    add(home, who, S6)
    healthy = world.station("rider-friendly")
    healthy_who = officer_setup(healthy, "rider-friendly")
    add(healthy, healthy_who, S11)
    shard(home).unlink()
    monkeypatch.setenv("LIAISON_PIN", PIN)
    assert main(["--home", str(home), "list", *who]) == ec.STORAGE
    assert main(["--home", str(healthy), "list", *healthy_who]) == ec.OK
    assert "manifest" not in capsys.readouterr().err.split("共")[-1]
