"""Issue 12: the office's staff PINs. Adding, removing and resetting office officers, and
what removing one does: a new data key and a new records key, so the removed officer's
PIN, even with a copy of the old keys/ folder, opens nothing in the database."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from liaison.cli import exitcodes as ec  # noqa: E402
from liaison.hq.staff import unlock  # noqa: E402
from liaison.security import records_key  # noqa: E402
from liaison.security.errors import SealBroken, WrongPin  # noqa: E402
from liaison.security.keyring import Keyring  # noqa: E402
from liaison.security.seal import Sealer  # noqa: E402
from tests.sync._sync_world import AS_OFFICE, LIAISON, OFFICE_OFFICER, PIN, World, opened_office, run, seed

FQ = "fengqiao-yuanfang"
LI, LI_PIN = "李主任", "li-zhuren-5521"


def hq(world: World, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([*LIAISON, "hq", args[0], "--home", str(world.hq), *args[1:]], capture_output=True,
                          text=True, timeout=120, env={**os.environ, **env})


@pytest.fixture
def office(tmp_path):
    world = World(tmp_path)
    home = world.station(FQ)
    ids = seed(home, FQ)
    assert run("--home", str(home), "sync", "--to", str(world.drop)).returncode == ec.SYNC_PENDING
    assert world.ingest()["accepted"] == len(ids)
    return world, home, ids


def test_remove_an_office_officer_replaces_both_keys(office, tmp_path):
    world, home, ids = office
    p = hq(world, "officer", "add", LI, *AS_OFFICE, LIAISON_PIN=PIN, LIAISON_NEW_PIN=LI_PIN)
    assert p.returncode == 0, p.stderr
    listed = hq(world, "officer", "list", "--json")
    assert sorted(o["name"] for o in json.loads(listed.stdout)) == sorted([OFFICE_OFFICER, LI])
    stolen = tmp_path / "old-keys"
    shutil.copytree(world.hq / "keys", stolen)  # what the removed officer could have kept

    p = hq(world, "officer", "remove", OFFICE_OFFICER, "--officer", LI, LIAISON_PIN=LI_PIN)
    assert p.returncode == 0, p.stderr
    with opened_office(world.hq) as o:
        with pytest.raises(WrongPin):
            unlock(o, OFFICE_OFFICER, PIN)
        assert len(list(unlock(o, LI, LI_PIN).records())) == len(ids)  # everything still opens
        # The old keys/ copy with the old PIN opens the old records key, which opens
        # none of the batch keys the database holds now.
        shutil.copytree(stolen, tmp_path / "stolen-home" / "keys")
        old_data_key = Keyring.open(tmp_path / "stolen-home").unlock(OFFICE_OFFICER, PIN)
        old_private = records_key.private(tmp_path / "stolen-home", Sealer(old_data_key))
        with pytest.raises(SealBroken):
            list(o.db.records(o.db.opener(old_private)))
    # And what arrives after the removal is sealed to the new records key.
    seed(home, FQ, n=2)
    assert run("--home", str(home), "sync", "--to", str(world.drop)).returncode == ec.SYNC_PENDING
    assert world.ingest()["accepted"] == 2
    p = hq(world, "list", "--json", "--officer", LI, LIAISON_PIN=LI_PIN)
    assert p.returncode == 0 and len(json.loads(p.stdout)) == len(ids) + 2


def test_reset_an_office_pin_with_the_recovery_code(tmp_path):
    from liaison.hq.office import init_office

    p = subprocess.run([*LIAISON, "hq", "init", "--home", str(tmp_path / "hq"), *AS_OFFICE], capture_output=True,
                       text=True, timeout=120, env={**os.environ, "LIAISON_PIN": PIN})
    assert p.returncode == 0, p.stderr
    code = p.stdout.strip().splitlines()[-1]  # the recovery code, printed once after the pub path
    assert "recovery code" in p.stderr and (tmp_path / "hq" / "office.pub.json").exists()
    world = type("W", (), {"hq": tmp_path / "hq"})
    p = hq(world, "officer", "reset-pin", OFFICE_OFFICER, LIAISON_RECOVERY_CODE=code, LIAISON_NEW_PIN="new-office-pin-9")
    assert p.returncode == 0, p.stderr
    assert hq(world, "list", *AS_OFFICE, LIAISON_PIN="new-office-pin-9").returncode == ec.OK
    assert hq(world, "list", *AS_OFFICE, LIAISON_PIN=PIN).returncode == ec.WRONG_PIN
    init_office(tmp_path / "hq", "院本部")  # re-running init keeps keys and staff
    assert hq(world, "list", *AS_OFFICE, LIAISON_PIN="new-office-pin-9").returncode == ec.OK

