"""`liaison init --restore DIR`: a lost laptop's station set up again from the district
office's restore kit (sync.restore_kit; the office makes it with `liaison hq
restore-kit`).

The new laptop becomes the same station, carrying on where the office last heard
from it: the kit's signing key (the office enrolled it and revoked the lost one),
the office key, every record in its last version (ids, versions, change numbers
and references kept), and the chain of bundles and audit entries continued, so the
next bundle is N+1 on the office's N and nothing is sent twice. The officers and
their PINs start afresh: the lost laptop's data key went with it.

Everything the kit and the officer give is checked before anything is written; if
a step fails after that, the folder is removed again (it was empty before), so a
retry starts clean.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path
from typing import Any

import orjson

from ..home import resolve_home
from ..profiles import get_station
from . import CliError
from . import exitcodes as ec
from .output import say

CODE_ENV = "LIAISON_RESTORE_CODE"


def _refuse_existing(home: Path) -> None:
    if not home.exists():
        return
    if not home.is_dir():
        raise CliError(f"数据目录不是文件夹：{home} (the data folder is not a folder: {home})", ec.INVALID)
    if any(home.iterdir()):
        what = "已有一个站点" if (home / "meta.json").exists() or (home / "keys").exists() else "不是空的"
        raise CliError(f"数据目录{what}，恢复只能写入新的空目录，未作任何更改：{home} "
                       f"(the data folder {home} already holds a station or other files; a restore goes into a "
                       f"new, empty folder; nothing was changed)", ec.INVALID)


def _read(kit_dir: Path) -> dict[str, Any]:
    from ..sync.restore_kit import KitDamaged, KitMissing, KitWrongCode, read_kit
    from .pins import read_secret

    code = read_secret(CODE_ENV, "恢复包密码", "the restore kit's code")
    try:
        return read_kit(kit_dir, code)
    except KitMissing as e:
        raise CliError(str(e), ec.NOT_FOUND) from None
    except KitWrongCode as e:
        raise CliError(str(e), ec.WRONG_PIN) from None
    except KitDamaged as e:
        raise CliError(str(e), ec.INVALID) from None


def _keys_ok(payload: dict[str, Any]) -> None:
    """The kit's keys parse (a kit from a buggy office is refused before anything is written)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

    from ..security.keys import b64d

    try:
        Ed25519PrivateKey.from_private_bytes(b64d(payload["signing_key"]))
        office = payload["office_pub"]
        str(office["office"])
        X25519PublicKey.from_public_bytes(b64d(office["x25519"]))
        Ed25519PublicKey.from_public_bytes(b64d(office["ed25519"]))
    except (KeyError, TypeError, ValueError):
        raise CliError("恢复包中的密钥无法使用，请院本部重新制作 (the keys in the restore kit are unusable; "
                       "ask the office for a new kit)", ec.INVALID) from None


def cmd_restore(args: argparse.Namespace) -> int:
    from ..security.pins import check_officer_name, check_pin
    from ..store.restore import RestoreRefused, documents
    from .auth import first_officer
    from .pins import security_errors

    home = resolve_home(args.home)
    _refuse_existing(home)
    payload = _read(Path(args.restore))
    if args.station and args.station != payload["station"]:
        raise CliError(f"恢复包属于站点 {payload['station']}，不是 {args.station}，未作任何更改 "
                       f"(the kit is station {payload['station']}'s, not {args.station}'s; nothing changed)", ec.INVALID)
    station = get_station(payload["station"])  # an unknown id is a ProfileError, mapped by cli._run
    _keys_ok(payload)
    try:
        docs = documents(payload["records"], station.id)
    except RestoreRefused as e:
        raise CliError(str(e), ec.INVALID) from None
    with security_errors():
        name, pin = first_officer(args.officer or None)
        check_pin(pin, check_officer_name(name))  # a weak PIN is refused before anything is written
    created = not home.exists()
    code = None
    try:
        code, pub, count = _write(home, station, payload, docs, name, pin, args.sync_to)
    except BaseException:
        # Nothing half-restored stays behind: the folder was new or empty (see _refuse_existing).
        if created:
            shutil.rmtree(home, ignore_errors=True)
        else:
            for p in home.iterdir():
                if p.is_dir() and not p.is_symlink():
                    shutil.rmtree(p, ignore_errors=True)
                else:
                    p.unlink()
        raise
    chain = payload["chain"]
    say(f"已从院本部恢复：{station.name}（{station.code}），{count} 条记录，下一个数据包为第 {chain['last_bundle'] + 1} 号，"
        f"数据目录 {home} (restored from the office: {count} records; the next bundle is number "
        f"{chain['last_bundle'] + 1})")
    say(f"站点公钥 (station public key, as enrolled at the office): {pub}")
    print(home, flush=True)
    from .pins import show_recovery_code

    show_recovery_code(code)
    return ec.OK


def _write(home: Path, station: Any, payload: dict[str, Any], docs: list[dict[str, Any]], name: str, pin: str,
           sync_to: list[str] | None) -> tuple[str, Path, int]:
    """(recovery code, station public key file, records restored)."""
    from ..security import keys
    from ..security.audit import AuditLog
    from ..security.keyring import Keyring
    from ..security.session import office_envelope
    from ..store import Store
    from ..store.atomic import atomic_write
    from ..store.restore import restore_records
    from ..sync import chain
    from .officer_cmds import first_session, record_officer_add
    from .pins import security_errors
    from .sync_cmds import setup_keys

    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    kd = keys.keys_dir(home)
    # The key the office enrolled for this station: the pub file written from it matches.
    keys.write_secret(kd / keys.STATION_KEY, keys.b64d(payload["signing_key"]))
    atomic_write(kd / keys.OFFICE_PUB, orjson.dumps(payload["office_pub"], option=orjson.OPT_INDENT_2))
    pub = setup_keys(home, station.id, None, sync_to)
    mark = payload["chain"]
    if mark["audit_n"] > 0:  # before the first entry: the log continues the office's copy
        AuditLog(home).set_anchor(mark["audit_n"], mark["audit_head"])
    with security_errors():
        code = Keyring.create(home, station.id, name, pin)
        record_officer_add(home, name)
        session = first_session(home, name, pin)
    # The office key is in place before the store opens sealed, so every shard written
    # carries the office's copy too (the nightly export needs no PIN).
    store = Store.init(home, station=station.id, code=station.code, officer=session.officer,
                       cipher=session.sealer, office=office_envelope(session))
    try:
        count = restore_records(store, docs)
        top = store.index.max_seq
    finally:
        store.close()
    # Bundle N+1 next, chained to the office's N; the restored records are not sent again.
    chain.remember(home, {"last_bundle": mark["last_bundle"], "last_digest": mark["last_digest"],
                          "checkpoint": top, "audit_n": mark["audit_n"], "audit_head": mark["audit_head"]})
    session.audit("restored", station.id, {"records": count, "last_bundle": mark["last_bundle"],
                                           "audit_n": mark["audit_n"], "kit_made_at": str(payload.get("made_at", ""))})
    return code, pub, count
