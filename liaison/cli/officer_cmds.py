"""`liaison officer setup | add | remove | list | reset-pin`: who can unlock the station's data.

PINs are asked as cli.pins says: on the terminal, or for scripts only from LIAISON_PIN,
LIAISON_NEW_PIN and LIAISON_RECOVERY_CODE.

Every change of officers is written to the audit log, as are wrong PINs.
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from ..home import resolve_home
from . import CliError
from . import exitcodes as ec
from .output import say
from .pins import (
    People,
    add_person,
    audit,
    list_people,
    read_secret,
    register_people,
    reset_pin,
    security_errors,
    show_recovery_code,
)

if TYPE_CHECKING:
    from ..security.keyring import Keyring
    from ..security.session import Session

OFFICERS = People(zh="警员", new_zh="新警员", en="officer", column="警员 Officer")


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    o = sub.add_parser("officer", parents=[common], help="officers and their PINs / 警员与 PIN",
                       description="警员与 PIN · officers who can unlock this station's data. "
                                   "Scripts only: LIAISON_PIN, LIAISON_NEW_PIN, LIAISON_RECOVERY_CODE.")
    o.set_defaults(handler=lambda a: _usage(o))
    osub = o.add_subparsers(dest="officer_command", metavar="OFFICER_COMMAND")
    p = osub.add_parser("setup", aliases=["init"], parents=[common],
                        help="create the data key and the first officer; prints the recovery code once")
    p.add_argument("--officer", required=True, help="first officer's name")
    p.set_defaults(handler=cmd_setup)
    register_people(osub, common, {"add": cmd_add, "remove": cmd_remove, "list": cmd_list, "reset-pin": cmd_reset_pin},
                    {"add": "add an officer (an existing officer unlocks)",
                     "remove": "remove an officer (not the last one)",
                     "list": "officers who can unlock this station",
                     "reset-pin": "new PIN for an officer, with the recovery code"})


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_usage(sys.stderr)
    return ec.USAGE


def _station(home: Path) -> str:
    from ..store.meta import Meta

    if not (home / "meta.json").exists():
        raise CliError("此数据目录尚未初始化，请先运行：liaison init --station <站点编号> "
                       "(this data folder is not set up; run `liaison init --station ID` first)", ec.NOT_SET_UP)
    meta = Meta(home)
    try:
        return str(meta.get()["station"])
    finally:
        meta.close()


def _ring(home: Path) -> "Keyring":
    from ..security.keyring import Keyring

    return Keyring.open(home)


def _unlocking(home: Path, officer: str) -> AbstractContextManager[None]:
    """security_errors(), plus an unlock_failed audit entry when the PIN was wrong."""
    from ..security.errors import WrongPin

    @contextmanager
    def guard() -> Iterator[None]:
        with security_errors():
            try:
                yield
            except WrongPin:
                from ..security.session import record_failed_unlock

                record_failed_unlock(home, _ring(home), officer, "cli")
                raise
    return guard()


def record_officer_add(home: Path, officer: str) -> None:
    """The audit entry for a station's first officer (by `officer setup` or `init`)."""
    audit(home, officer.strip(), "officer_add", officer.strip(), first=True)


def first_session(home: Path, officer: str, pin: str) -> "Session":
    """The session of the officer who has just set the keyring up. Not logged as an
    `unlock`: the `officer_add` entry already says who did it and when."""
    from ..security.session import Session

    return Session(home, unicodedata.normalize("NFC", officer).strip(), _ring(home).unlock(officer, pin))


def seal_existing(home: Path, officer: str, pin: str) -> None:
    """Seal a station's plain (pre-PIN) records under the new data key now, rather than
    leave names on disk until someone happens to unlock."""
    from ..security.session import open_store
    from ..store import StoreError

    if not (home / "meta.json").exists():
        return
    try:
        store = open_store(first_session(home, officer, pin))
    except StoreError as e:  # e.g. the app holds the lock: the next unlock seals them
        say(f"liaison: 现有记录暂未加密，将在下次解锁时加密 (existing records not sealed yet; "
            f"they will be at the next unlock): {e}")
        return
    n = len(store.index.by_id)
    store.close()
    say(f"已用新的数据密钥加密本站现有的 {n} 条记录 (the station's {n} existing records are now encrypted)")


def cmd_setup(args: argparse.Namespace) -> int:
    from ..security.errors import KeyringExists
    from ..security.keyring import Keyring

    home = resolve_home(args.home)
    station = _station(home)
    with security_errors():
        if Keyring.exists(home):  # checked before asking for a PIN that could not be used
            raise KeyringExists(home / "keys" / "officers.json")
        pin = read_secret("LIAISON_PIN", f"{args.officer}的 PIN", f"{args.officer}'s PIN", confirm=True)
        code = Keyring.create(home, station, args.officer, pin)
    record_officer_add(home, args.officer)
    try:
        seal_existing(home, args.officer, pin)
    finally:  # whatever happens, the code is shown: it exists nowhere else
        show_recovery_code(code)
    return ec.OK


def cmd_add(args: argparse.Namespace) -> int:
    home = resolve_home(args.home)
    return add_person(args, home, OFFICERS, _unlocking(home, args.officer))


def cmd_remove(args: argparse.Namespace) -> int:
    """Remove the officer and replace the data key (security.rotation): their old PIN,
    even with a copy of the old key file, opens nothing written from now on."""
    from ..security.rotation import remove_officer, reseal_everything
    from ..store import StoreError

    home = resolve_home(args.home)
    with _unlocking(home, args.officer):
        ring = _ring(home)
        pin = read_secret("LIAISON_PIN", f"{args.officer}的 PIN", f"{args.officer}'s PIN")
        code = (read_secret("LIAISON_RECOVERY_CODE", "恢复码（本站旧格式的密钥文件需要用它一次）",
                            "the recovery code (needed once by this station's older key file)")
                if ring.legacy_recovery() else None)
        session = remove_officer(home, args.name, args.officer, pin, recovery_code=code)
    audit(home, args.officer, "officer_remove", args.name.strip(), key_replaced=True)
    say(f"已删除警员 {args.name}，并更换了数据密钥 (officer {args.name} removed; the data key was replaced)")
    try:
        done = reseal_everything(session)
    except StoreError as e:  # e.g. the app holds the lock: the data still opens (old key retired, kept)
        say(f"liaison: 记录暂未用新密钥重新加密：各数据分片在下次保存前仍可用旧密钥打开 "
            f"(records not re-encrypted under the new key yet: each shard still opens with the old key "
            f"until it is saved again): {e}")
        return ec.STORAGE
    say(f"已用新密钥重新加密 {done.shards} 个数据分片 ({done.shards} shards re-encrypted under the new key)")
    return ec.OK


def cmd_list(args: argparse.Namespace) -> int:
    return list_people(args, resolve_home(args.home), OFFICERS)


def cmd_reset_pin(args: argparse.Namespace) -> int:
    home = resolve_home(args.home)
    return reset_pin(args, home, _unlocking(home, args.name))
