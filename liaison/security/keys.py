"""Key files of a station and of the office, and the encodings every key file uses.

Here, under security/, so that the security modules (envelopes, keyrings, the
records key) and sync/ (bundles, receipts, upload headers) share them while sync/
imports security and never the reverse.

Private keys are raw 32-byte files, owner-only (0600 in a 0700 folder): the nightly run
is unattended, so they cannot be protected by a PIN; the folder permissions are the
protection. Public keys travel as small JSON files an officer can hand over on a stick.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from ..store.atomic import atomic_write

STATION_KEY = "station.ed25519"
STATION_PUB = "station.pub.json"
OFFICE_PUB = "office.pub.json"
_Private = TypeVar("_Private", Ed25519PrivateKey, X25519PrivateKey)
_Made = TypeVar("_Made", covariant=True)


class _FromRaw(Protocol[_Made]):
    """A private key class (its constructor from raw bytes): both kinds are abstract
    classes, which mypy will not take where a `type[...]` is asked for."""

    def from_private_bytes(self, data: bytes, /) -> _Made: ...


class KeyProblem(Exception):
    """A key file is missing or unreadable; the message says which and what to run."""


def b64e(data: bytes) -> str:
    return base64.b64encode(data).decode()


def b64d(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def raw_public(key: Ed25519PublicKey | X25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def raw_private(key: Ed25519PrivateKey | X25519PrivateKey) -> bytes:
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def fingerprint(x25519_public: bytes) -> str:
    """Names a public key by its raw bytes: the office key a bundle is encrypted to (a
    stale key shows up by name), and a station's signing key, printed alike by
    `liaison keys` and `liaison hq enroll` so an operator can compare the two."""
    return "sha256:" + hashlib.sha256(x25519_public).hexdigest()[:32]


def keys_dir(home: Path) -> Path:
    d = Path(home) / "keys"
    d.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(d, 0o700)
    return d


def write_secret(path: Path, data: bytes) -> None:
    atomic_write(path, data)  # created 0600 by atomic_write
    os.chmod(path, 0o600)


def read_json(path: Path, what: str) -> dict[str, Any]:
    try:
        data = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        raise KeyProblem(f"找不到{what}：{path} (missing {what}: {path})") from None
    except (orjson.JSONDecodeError, OSError) as e:
        raise KeyProblem(f"{what}无法读取：{path} (unreadable {what}: {path}: {e})") from None
    if not isinstance(data, dict):
        raise KeyProblem(f"{what}格式不对：{path} (not a JSON object: {path})")
    return data


def load_private(path: Path, kind: _FromRaw[_Private], what: str) -> _Private:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise KeyProblem(f"找不到{what}：{path} (missing {what}: {path})") from None
    try:
        return kind.from_private_bytes(raw)
    except ValueError:
        raise KeyProblem(f"{what}已损坏：{path} (corrupt {what}: {path})") from None


# -- station --------------------------------------------------------------------------
def ensure_station_keys(home: Path, station: str) -> Path:
    """Create the station's signing key once; returns the public key file's path."""
    d = keys_dir(home)
    key_path, pub_path = d / STATION_KEY, d / STATION_PUB
    if not key_path.exists():
        write_secret(key_path, raw_private(Ed25519PrivateKey.generate()))
    key = load_private(key_path, Ed25519PrivateKey, "站点签名密钥 station signing key")
    pub = {"station": station, "ed25519": b64e(raw_public(key.public_key()))}
    if not pub_path.exists() or read_json(pub_path, "站点公钥 station public key") != pub:
        atomic_write(pub_path, orjson.dumps(pub, option=orjson.OPT_INDENT_2))
    return pub_path


def station_signing_key(home: Path) -> Ed25519PrivateKey:
    return load_private(keys_dir(home) / STATION_KEY, Ed25519PrivateKey,
                        "站点签名密钥（请运行 liaison keys）station signing key (run `liaison keys`)")


@dataclass(frozen=True)
class OfficePublic:
    office: str
    x25519: X25519PublicKey
    ed25519: Ed25519PublicKey

    @property
    def key_id(self) -> str:
        return fingerprint(raw_public(self.x25519))


def parse_office_pub(path: Path) -> OfficePublic:
    data = read_json(path, "院本部公钥 office public key")
    try:
        return OfficePublic(str(data["office"]), X25519PublicKey.from_public_bytes(b64d(data["x25519"])),
                            Ed25519PublicKey.from_public_bytes(b64d(data["ed25519"])))
    except (KeyError, ValueError, TypeError):
        raise KeyProblem(f"不是院本部公钥文件：{path} (not an office public key file: {path})") from None


def install_office_key(home: Path, source: Path) -> Path:
    parse_office_pub(Path(source))  # refuse a wrong file before installing it
    dest = keys_dir(home) / OFFICE_PUB
    atomic_write(dest, Path(source).read_bytes())
    return dest


def office_public(home: Path) -> OfficePublic:
    path = keys_dir(home) / OFFICE_PUB
    if not path.exists():
        raise KeyProblem("尚未安装院本部公钥，请运行：liaison init --hq-key office.pub.json "
                        "(no office key installed; run `liaison keys --hq-key office.pub.json`)")
    return parse_office_pub(path)
