"""`liaison officer setup | add | remove | list | reset-pin`: who can unlock the station's data.

PINs are asked on the terminal (getpass, nothing echoed). For scripts only, they may
come from the environment instead — LIAISON_PIN (the acting officer's PIN; for
`setup`, the first officer's), LIAISON_NEW_PIN (the PIN being given to someone by
`add` or `reset-pin`) and LIAISON_RECOVERY_CODE — because an environment variable can
leak into shell history and process listings. With neither a terminal nor the
variable the command refuses (exit 16) rather than hang waiting for input.

Every change of officers is written to the audit log, as are wrong PINs.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import unicodedata
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..home import resolve_home
from . import CliError
from . import exitcodes as ec
from .output import print_json, say, table


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
    p = osub.add_parser("add", parents=[common], help="add an officer (an existing officer unlocks)")
    p.add_argument("name", help="new officer's name")
    p.add_argument("--officer", required=True, help="existing officer who authorises it")
    p.set_defaults(handler=cmd_add)
    p = osub.add_parser("remove", parents=[common], help="remove an officer (not the last one)")
    p.add_argument("name", help="officer to remove")
    p.add_argument("--officer", required=True, help="officer who authorises it")
    p.set_defaults(handler=cmd_remove)
    p = osub.add_parser("list", parents=[common], help="officers who can unlock this station")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_list)
    p = osub.add_parser("reset-pin", parents=[common], help="new PIN for an officer, with the recovery code")
    p.add_argument("name", help="officer whose PIN is reset")
    p.set_defaults(handler=cmd_reset_pin)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_usage(sys.stderr)
    return ec.USAGE


def read_secret(env: str, zh: str, en: str, *, confirm: bool = False) -> str:
    """From the environment (scripts), else the terminal, else refuse with PIN_NEEDED."""
    value = os.environ.get(env)
    if value:
        return value
    if not sys.stdin.isatty():
        raise CliError(f"需要输入{zh}，但没有终端可以询问。请在终端中运行；仅供脚本：可设置环境变量 {env} "
                       f"({en} is needed but there is no terminal to ask on; run it in a terminal, "
                       f"or, for scripts only, set {env})", ec.PIN_NEEDED)
    value = getpass.getpass(f"{zh} ({en}): ")
    if confirm and getpass.getpass(f"再输入一次{zh} (again): ") != value:
        raise CliError("两次输入不一致，未作更改 (the two entries differ; nothing changed)", ec.INVALID)
    return value


@contextmanager
def security_errors() -> Iterator[None]:
    """The security package's refusals as CLI errors with documented exit codes."""
    from ..security import errors as se

    try:
        yield
    except se.WrongPin as e:
        raise CliError(str(e), ec.WRONG_PIN) from None
    except (se.WeakPin, se.BadOfficerName, se.OfficerExists, se.LastOfficer, se.KeyringExists,
            se.RotationBlocked) as e:
        raise CliError(f"{e}", ec.INVALID) from None
    except se.UnknownOfficer as e:
        raise CliError(str(e), ec.NOT_FOUND) from None
    except se.NoKeyring as e:
        raise CliError(str(e), ec.NOT_SET_UP) from None
    except (se.KeyringCorrupt, se.AuditBroken) as e:
        raise CliError(str(e), ec.STORAGE) from None


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


def _audit(home: Path, officer: str, action: str, target: str = "", **details: object) -> None:
    from ..security.audit import AuditLog

    AuditLog(home).record(officer, action, target, details)


def _ring(home: Path):
    from ..security.keyring import Keyring

    return Keyring.open(home)


def _unlocking(home: Path, officer: str):
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
    _audit(home, officer.strip(), "officer_add", officer.strip(), first=True)


def show_recovery_code(code: str) -> None:
    """The recovery code, once: the warning for the person on stderr, the code on stdout."""
    say("！请立即抄下下面的恢复码并锁进柜子：忘记 PIN 时只能用它恢复，它不会再显示。")
    say("! Write the recovery code below down NOW and lock it away: it is the only way back "
        "if every PIN is forgotten, and it will not be shown again.")
    print(code, flush=True)


def first_session(home: Path, officer: str, pin: str):
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
    with _unlocking(home, args.officer):
        ring = _ring(home)
        pin = read_secret("LIAISON_PIN", f"{args.officer}的 PIN", f"{args.officer}'s PIN")
        new_pin = read_secret("LIAISON_NEW_PIN", f"新警员{args.name}的 PIN", f"the new officer {args.name}'s PIN",
                              confirm=True)
        ring.add_officer(args.officer, pin, args.name, new_pin)
    _audit(home, args.officer, "officer_add", args.name.strip())
    say(f"已增加警员 {args.name} (officer {args.name} added)")
    return ec.OK


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
    _audit(home, args.officer, "officer_remove", args.name.strip(), key_replaced=True)
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
    home = resolve_home(args.home)
    with security_errors():
        officers = _ring(home).officers()
    if args.json:
        print_json([{"name": o.name, "created_at": o.created_at} for o in officers])
    else:
        print(table(("警员 Officer", "PIN 设置于 PIN set at"), [(o.name, o.created_at) for o in officers]))
    return ec.OK


def cmd_reset_pin(args: argparse.Namespace) -> int:
    home = resolve_home(args.home)
    with _unlocking(home, args.name):
        ring = _ring(home)
        code = read_secret("LIAISON_RECOVERY_CODE", "恢复码", "the recovery code")
        new_pin = read_secret("LIAISON_NEW_PIN", f"{args.name}的新 PIN", f"{args.name}'s new PIN", confirm=True)
        ring.reset_pin(args.name, code, new_pin)
    _audit(home, args.name, "pin_reset", args.name.strip())
    say(f"已为 {args.name} 设置新 PIN (new PIN set for {args.name})")
    return ec.OK
