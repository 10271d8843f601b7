"""The office's data folder: keys, enrolled stations, the database, quarantine.

    <hq home>/keys/office.x25519     decrypts bundles        (0600)
    <hq home>/keys/office.ed25519    signs receipts          (0600)
    <hq home>/keys/officers.json     office staff's PINs → the office data key (security.keyring)
    <hq home>/keys/records.json      the records key: seals personal parts at rest (security.records_key)
    <hq home>/audit/log.jsonl        who unlocked the office and read what (security.audit)
    <hq home>/office.pub.json        handed to every station
    <hq home>/office.db              SQLite: records, conflicts, bundles, stations, revoked keys
    <hq home>/office.lock            one writer at a time (hq.lock)
    <hq home>/processed/             bundles ingested (the office's copy, sealed to the records key)
    <hq home>/quarantine/            bundles refused (sealed likewise), each with <name>.reason.txt

The transport key (office.x25519) must sit in clear for the unattended inbox; it opens
bundles in transit, so nothing it opens is kept on disk: records, conflicts and kept
bundles are sealed to the records key, whose private half only a staff PIN opens.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import orjson
import platformdirs
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from ..security import records_key
from ..security.keys import (
    KeyProblem,
    b64d,
    b64e,
    fingerprint,
    keys_dir,
    load_private,
    raw_private,
    raw_public,
    read_json,
    write_secret,
)
from ..security.records_key import BatchSealer
from ..store.atomic import atomic_write
from .db import OfficeDB
from .enroll import key_fingerprint

PUB = "office.pub.json"


def resolve_hq_home(explicit: str | os.PathLike[str] | None = None) -> Path:
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("LIAISON_HQ_HOME")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir("liaison-hq", appauthor=False))


def init_office(home: Path, name: str, officer: str | None = None, pin: str | None = None) -> Path:
    """Create the office's keys once (re-running keeps them); returns office.pub.json.
    With `officer` and `pin` (and no staff yet): the first office officer, the records
    key, and any records an older version kept in clear sealed (hq.staff.set_up)."""
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(home, 0o700)  # a folder made before (mkdir's mode is not applied to it)
    d = keys_dir(home)
    if not (d / "office.x25519").exists():
        write_secret(d / "office.x25519", raw_private(X25519PrivateKey.generate()))
    if not (d / "office.ed25519").exists():
        write_secret(d / "office.ed25519", raw_private(Ed25519PrivateKey.generate()))
    office = Office(home)
    pub = {"office": name or office.name, "x25519": b64e(raw_public(office.x25519.public_key())),
           "ed25519": b64e(raw_public(office.ed25519.public_key()))}
    atomic_write(home / PUB, orjson.dumps(pub, option=orjson.OPT_INDENT_2))
    office.close()
    if officer is not None and pin is not None:
        from .staff import set_up

        set_up(home, officer, pin)
    return home / PUB


class Office:
    def __init__(self, home: Path):
        self.home = Path(home)
        if not (self.home / "keys" / "office.x25519").exists():
            raise KeyProblem(f"院本部数据目录尚未初始化：{self.home}，请先运行 liaison hq init "
                             f"(office folder not set up: run `liaison hq init`)")
        d = keys_dir(self.home)
        self.x25519 = load_private(d / "office.x25519", X25519PrivateKey, "院本部解密密钥 office decryption key")
        self.ed25519 = load_private(d / "office.ed25519", Ed25519PrivateKey, "院本部签名密钥 office signing key")
        self.key_id = fingerprint(raw_public(self.x25519.public_key()))
        self.quarantine = self.home / "quarantine"
        self.processed = self.home / "processed"
        for f in (self.quarantine, self.processed, self.home / "audit"):
            f.mkdir(exist_ok=True, mode=0o700)
            os.chmod(f, 0o700)  # a folder made before, by an older version or by hand, is closed too
        self.db = OfficeDB(self.home / "office.db")
        self._keeping = False
        self._kept: tuple[int, BatchSealer] | None = None

    @property
    def sealed(self) -> bool:
        """Whether staff are set up, so that what arrives can be kept sealed."""
        return records_key.exists(self.home)

    def keep(self, folder: Path, data: bytes) -> bytes:
        """`data` sealed to the records key, for a file under processed/ or quarantine/.
        Inside `keeping()` the run's bundles share one batch (its file header names it)."""
        if self._kept is not None:
            batch, sealer = self._kept
            # staff replaced the records key during the run: what follows is not sealed
            # under a batch key the old pair could open (as a new batch per bundle ensured)
            if sealer.to.public_bytes_raw() == records_key.public(self.home).public_bytes_raw():
                return sealer.seal_file(batch, data, folder.name)
        batch, sealer = self.db.new_batch()
        if self._keeping:
            self._kept = batch, sealer
        return sealer.seal_file(batch, data, folder.name)

    @contextmanager
    def keeping(self) -> Iterator[None]:
        """One batch for the bundles one ingest run keeps, not one each: each new batch
        takes the writer's lock and a committed transaction (its key is the writer's
        shared one, see OfficeConnection.sealer). A long-lived server keeps each
        request's bundle in a batch of its own."""
        self._keeping, self._kept = True, None
        try:
            yield
        finally:
            self._keeping, self._kept = False, None

    @property
    def name(self) -> str:
        pub = self.home / PUB
        return str(orjson.loads(pub.read_bytes()).get("office", "")) if pub.exists() else "district-office"

    def enroll(self, pub_file: Path, replace: bool = False) -> tuple[str, str, str, str | None]:
        """Returns (station, what happened, the new key's fingerprint, the old one's if it
        changed); raises EnrollRefused (see enroll.py) without changing anything."""
        data = read_json(Path(pub_file), "站点公钥 station public key")
        try:
            station, raw = str(data["station"]), b64d(data["ed25519"])
            Ed25519PublicKey.from_public_bytes(raw)
        except (KeyError, ValueError, TypeError):
            raise KeyProblem(f"不是站点公钥文件：{pub_file} (not a station public key file)") from None
        what, old = self.db.enroll(station, b64e(raw), replace)
        return station, what, fingerprint(raw), key_fingerprint(old) if old and what == "replaced" else None

    def station_key(self, station: str) -> Ed25519PublicKey | None:
        raw = self.db.station_key(station)
        return Ed25519PublicKey.from_public_bytes(b64d(raw)) if raw else None

    def close(self) -> None:
        self.db.close()
