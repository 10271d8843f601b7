"""Two stations, one office, real folders and keys; a real `liaison hq serve` on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path

import pytest

from liaison.demo_data import scenarios
from liaison.domain.intake import fields_from_input
from liaison.hq.ingest import ingest_folder
from liaison.hq.office import Office, init_office
from liaison.security import keys
from liaison.store import Store

LIAISON = [sys.executable, "-c", "import sys; from liaison.cli import entry; entry()"]
STATIONS = {"fengqiao-yuanfang": "FQYF", "rider-friendly": "QSYH"}


class World:
    def __init__(self, root: Path):
        self.root = root
        self.hq = root / "hq"
        self.pub = init_office(self.hq, "院本部", OFFICE_OFFICER, PIN)
        self.drop = root / "drop"
        (self.drop / "inbox").mkdir(parents=True)

    def station(self, sid: str, enroll: bool = True) -> Path:
        home = self.root / sid
        Store.init(home, station=sid, code=STATIONS.get(sid, "TEST"), officer="测试").close()
        pub = keys.ensure_station_keys(home, sid)
        keys.install_office_key(home, self.pub)
        if enroll:
            with self.office() as o:
                o.enroll(pub)
        return home

    def office(self) -> "opened_office":
        return opened_office(self.hq)

    def ingest(self, inbox: Path | None = None) -> dict:
        with self.office() as o:
            summary, _ = ingest_folder(o, inbox or self.drop / "inbox")
        return summary

    def records(self, include_deleted: bool = True) -> dict[str, dict]:
        with self.office() as o:
            staff = office_staff(o)
            return {r["id"]: r for r in staff.records(include_deleted=include_deleted)}


class opened_office:
    """`with opened_office(hq) as office:` an Office, closed after."""

    def __init__(self, home: Path):
        self.home = home

    def __enter__(self) -> Office:
        self.o = Office(self.home)
        return self.o

    def __exit__(self, *exc) -> None:
        self.o.close()


def seed(home: Path, sid: str, n: int | None = None) -> list[str]:
    store = Store.open(home)
    rows = [m for s, m in scenarios(date(2026, 11, 20)) if s == sid] or [m for _, m in scenarios(date(2026, 11, 20))]
    if n is not None:
        rows = (rows * (n // len(rows) + 1))[:n]
    made = store.create_many([fields_from_input(m, officer="测试") for m in rows])
    store.close()
    return [c.id for c in made]


def station_records(home: Path) -> dict[str, dict]:
    return {r["id"]: r for r in Store.read_changes(home, 0)[1]}


PIN = "ks83jd-x"  # for stations given an officer (see officer_setup), and the office's officer
OFFICE_OFFICER = "院办"
AS_OFFICE = ("--officer", OFFICE_OFFICER)  # with `run(..., pin=True)`: unlocks the office


def office_staff(office: Office):
    """The office unlocked by its officer (hq.staff), as `liaison hq list` does."""
    from liaison.hq.staff import unlock

    return unlock(office, OFFICE_OFFICER, PIN)


def officer_setup(home: Path, sid: str, officer: str = "测试") -> list[str]:
    """Give a station an officer; returns the CLI arguments that unlock as them (the
    PIN comes from LIAISON_PIN: pass `pin=True` to `run`)."""
    from liaison.security.keyring import Keyring

    Keyring.create(home, sid, officer, PIN)
    return ["--officer", officer]


def run(*args: str, timeout: float = 60, pin: bool = False) -> subprocess.CompletedProcess:
    """The real `liaison` command in a fresh process (with LIAISON_PIN set if `pin`)."""
    env = {**os.environ, "LIAISON_PIN": PIN} if pin else None
    return subprocess.run([*LIAISON, *args], capture_output=True, text=True, timeout=timeout, env=env)


@pytest.fixture
def world(tmp_path: Path) -> World:
    return World(tmp_path)


def upload_headers(home: Path, data: bytes, number: int = 1) -> dict[str, str]:
    """What a station's POST must carry (issue 12): claims signed by the station at `home`."""
    from liaison.sync.upload_auth import sign_headers

    return sign_headers(keys.station_signing_key(home), home.name, number, data)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(hq: Path, port: int, *extra: str) -> subprocess.Popen:
    proc = subprocess.Popen([*LIAISON, "hq", "serve", "--home", str(hq),
                             "--bind", f"127.0.0.1:{port}", *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ})
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as r:
                if r.status == 200:
                    return proc
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(proc.stderr.read().decode()) from None
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


@pytest.fixture
def server(world: World):
    port = free_port()
    proc = start_server(world.hq, port)
    yield f"http://127.0.0.1:{port}"
    stop_server(proc)
