"""Issue 12, case 7: the office's database, its WAL, its folder, and every ledger or report
file the project writes are the owner's alone, whatever the umask or a folder made before."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

from tests.sync._sync_world import AS_OFFICE, LIAISON, PIN, World, seed

FQ = "fengqiao-yuanfang"


def mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def liaison(*args: str) -> subprocess.CompletedProcess:
    # A umask that would leave everything world-readable, as on a shared office PC.
    return subprocess.run(["sh", "-c", 'umask 022; exec "$@"', "sh", *LIAISON, *args],
                          capture_output=True, text=True, timeout=120, env={**os.environ, "LIAISON_PIN": PIN})


def test_office_files_and_reports_are_owner_only(tmp_path):
    hq = tmp_path / "hq-made-before"
    for d in (hq, hq / "processed", hq / "quarantine", hq / "audit"):  # as an older version or a person left them
        d.mkdir(mode=0o755)
        os.chmod(d, 0o755)
    assert liaison("hq", "init", "--home", str(hq), "--name", "院本部", *AS_OFFICE).returncode == 0
    assert mode(hq) == 0o700

    world = World(tmp_path / "w")
    home = world.station(FQ, enroll=False)
    assert liaison("hq", "enroll", "--home", str(hq), str(home / "keys" / "station.pub.json")).returncode == 0
    from liaison.security import keys

    keys.install_office_key(home, hq / "office.pub.json")
    seed(home, FQ, n=3)
    drop = tmp_path / "drop"
    drop.mkdir()
    p = liaison("--home", str(home), "sync", "--to", str(drop))
    assert p.returncode == 10, p.stderr  # delivered to the folder, no receipt yet
    p = liaison("hq", "ingest", "--home", str(hq), str(drop / "inbox"))
    assert p.returncode == 0, p.stderr
    for name in ("office.db", "office.db-wal"):
        if (hq / name).exists():
            assert mode(hq / name) == 0o600, name
    # Every folder and file under the office folder, whatever made it.
    assert liaison("hq", "list", "--home", str(hq), *AS_OFFICE).returncode == 0  # an audited read
    loose = {str(p.relative_to(hq)): oct(mode(p)) for p in hq.rglob("*")
             if mode(p) != (0o700 if p.is_dir() else 0o600)}
    assert loose == {}
    out = tmp_path / "out"
    out.mkdir()
    for flag, name in (("--xlsx", "report.xlsx"), ("--html", "report.html")):
        p = liaison("hq", "report", "--home", str(hq), flag, str(out / name), *AS_OFFICE)
        assert p.returncode == 0, p.stderr
        assert mode(out / name) == 0o600, name
    # The station's ledger, written by an officer, is no more readable than the office's.
    from tests.sync._sync_world import officer_setup

    who = officer_setup(home, FQ)
    for flag, name in (("--xlsx", "ledger.xlsx"), ("--csv", "ledger.csv")):
        p = subprocess.run(["sh", "-c", 'umask 022; exec "$@"', "sh", *LIAISON, "--home", str(home), "report",
                            "--month", "2026-11", flag, str(out / name), *who],
                           capture_output=True, text=True, timeout=120, env={**os.environ, "LIAISON_PIN": PIN})
        assert p.returncode == 0, p.stderr
        assert mode(out / name) == 0o600, name
