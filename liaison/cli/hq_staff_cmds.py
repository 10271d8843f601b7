"""`liaison hq officer add | remove | list | reset-pin`, `liaison hq restore-kit`, and the unlock
every office read goes through.

The office's staff PINs work like a station's officers and share their commands (cli.pins):
asked on the terminal, or for scripts only LIAISON_PIN / LIAISON_NEW_PIN / LIAISON_RECOVERY_CODE.
The first office officer is made by `liaison hq init --officer NAME`.
"""

from __future__ import annotations

import argparse
import importlib
import sqlite3
import sys
import threading
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Sequence

from . import CliError
from . import exitcodes as ec
from .auth import add_officer_arg, credentials
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

STAFF = People(zh="院本部工作人员", new_zh="新工作人员", en="office officer", column="工作人员 Officer")

if TYPE_CHECKING:
    from ..hq.staff import Staff


def register(hsub: argparse._SubParsersAction, c: argparse.ArgumentParser) -> None:
    o = hsub.add_parser("officer", parents=[c], help="office staff and their PINs / 院本部工作人员与 PIN",
                        description="院本部工作人员与 PIN · who can unlock the office's records. "
                                    "Scripts only: LIAISON_PIN, LIAISON_NEW_PIN, LIAISON_RECOVERY_CODE.")
    o.set_defaults(handler=lambda a: (o.print_usage(sys.stderr), ec.USAGE)[1])  # as `liaison officer` does
    osub = o.add_subparsers(dest="officer_command", metavar="OFFICER_COMMAND")
    register_people(osub, c, {"add": cmd_add, "remove": cmd_remove, "list": cmd_list, "reset-pin": cmd_reset_pin},
                    {"add": "add an office officer (an existing one unlocks)",
                     "remove": "remove an office officer; the office keys are replaced",
                     "list": "who can unlock the office",
                     "reset-pin": "new PIN for an office officer, with the recovery code"})

    p = hsub.add_parser("restore-kit", parents=[c], help="a lost laptop's station, for `liaison init --restore` "
                        "(an office officer's PIN); prints the kit code once; the station's old key is revoked",
                        description="写出站点恢复包 · write the restore kit of a station whose laptop was lost or "
                                    "broken. The kit code is printed once: read it to the officer at the new laptop "
                                    "apart from the kit file. The station's old signing key is revoked.")
    p.add_argument("station", metavar="STATION", help="station id (see `liaison hq status`)")
    p.add_argument("--to", type=Path, required=True, metavar="DIR", help="folder for restore.kit (made 0700)")
    add_officer_arg(p)
    p.set_defaults(handler=cmd_restore_kit)


def cmd_restore_kit(args: argparse.Namespace) -> int:
    from ..hq.lock import OfficeBusy
    from ..hq.restore_kit import UnknownStation, make_kit
    from ..security.keys import KeyProblem
    from ..sync.restore_kit import FILE

    if (args.to / FILE).exists():
        raise CliError(f"{args.to / FILE} 已存在，未覆盖 (already exists; not overwritten)", ec.INVALID)
    with unlocked_office(args) as staff:
        try:
            kit = make_kit(staff, args.station, args.to)
        except UnknownStation as e:
            raise CliError(str(e), ec.NOT_FOUND) from None
        except OfficeBusy as e:
            raise CliError(str(e), ec.BUSY) from None
        except (KeyProblem, OSError) as e:
            raise CliError(f"无法写出恢复包：{e} (cannot write the restore kit)", ec.STORAGE) from None
    say(f"恢复包已写入 {kit.path}：{kit.records} 条记录，数据包已收到第 {kit.last_bundle} 号 "
        f"(restore kit written: {kit.records} records, bundles up to #{kit.last_bundle})")
    say(f"站点 {args.station} 的旧密钥已吊销 {kit.old_key or '-'}，新密钥 {kit.new_key} "
        f"(old key revoked; new key enrolled)")
    say("！请把下面的恢复包密码单独告知新电脑前的警员（电话或当面），不要与恢复包放在一起；它不会再显示。")
    say("! Give the kit code below to the officer at the new laptop separately (by phone or in person), "
        "never with the kit file; it will not be shown again. There: liaison init --restore DIR")
    print(kit.code, flush=True)
    return ec.OK


def add_unlock_arg(p: argparse.ArgumentParser) -> None:
    add_officer_arg(p)


def no_staff(home) -> CliError:
    return CliError(f"院本部尚未设置工作人员 PIN：请先运行 liaison hq init --officer <姓名> "
                    f"(no office staff are set up at {home}: run `liaison hq init --officer NAME`)", ec.NOT_SET_UP)


@contextmanager
def unlocked_office(args: argparse.Namespace, meanwhile: Sequence[str] = ()) -> Iterator["Staff"]:
    """The office, unlocked by an office officer's PIN (audited), for a read of records.
    `meanwhile`: modules the command needs after the unlock, imported while the PIN is
    asked and checked (see _import_meanwhile). A sealed part that does not open during
    the read, or a database SQLite cannot read, is refused with what was found (exit
    STORAGE), not left to the crash log."""
    from ..hq.staff import unlock
    from ..security.keyring import Keyring
    from .hq_cmds import office

    with office(args) as o:
        if not Keyring.exists(o.home):
            raise no_staff(o.home)
        importing = _import_meanwhile(meanwhile)
        try:
            with security_errors(), sealed_errors():
                officer, pin = credentials(getattr(args, "officer", None))
                staff = unlock(o, officer, pin)
        finally:
            importing.join()  # never leave an import half done behind an exit
        try:
            with sealed_errors():
                yield staff
        except sqlite3.DatabaseError:
            # SQLite's message can quote the bytes it could not read: whatever a meddler wrote.
            raise CliError("院本部数据库无法读取：其中的值被改动或损坏 (the office database cannot be read: "
                           "a value in it was altered or damaged)", ec.STORAGE) from None


def say_altered(staff: "Staff", altered: Sequence[str]) -> None:
    """Say on stderr, and audit, each part of the office's views that did not open (the
    read counted from the records instead: hq/views.py)."""
    for name in altered:
        say(f"注意 warning: {name}")
        staff.audit("view_altered", name)


def _import_meanwhile(modules: Sequence[str]) -> threading.Thread:
    """A thread importing `modules`. The PIN's scrypt releases the GIL for its ~0.25 s, and
    a report's writer needs nothing from the unlock: openpyxl alone takes ~0.3 s to import.
    A module that fails to import here is imported again where it is used, and fails there
    with the command's own message."""

    def run() -> None:
        for name in modules:
            with suppress(Exception):
                importlib.import_module(name)

    thread = threading.Thread(target=run, name="import-meanwhile", daemon=True)
    thread.start()
    return thread


@contextmanager
def sealed_errors() -> Iterator[None]:
    from ..security.errors import SealBroken
    from ..security.records_key import NoRecordsKey

    try:
        yield
    except NoRecordsKey as e:
        raise CliError(str(e), ec.NOT_SET_UP) from None
    except SealBroken as e:
        raise CliError(f"院本部数据无法解密：{e} (office data cannot be opened)", ec.STORAGE) from None


def first_officer_setup(home, officer: str | None) -> None:
    """`hq init`: the first office officer, unless staff exist already."""
    from ..hq.staff import set_up
    from ..security.keyring import Keyring
    from .auth import first_officer

    if Keyring.exists(home):
        return
    name, pin = first_officer(officer)
    with security_errors():
        code = set_up(home, name, pin)
    show_recovery_code(code)


def _home(args: argparse.Namespace):
    from ..hq.office import resolve_hq_home
    from ..security.keyring import Keyring

    home = resolve_hq_home(args.hq_home)
    if not Keyring.exists(home):
        raise no_staff(home)
    return home


def cmd_add(args: argparse.Namespace) -> int:
    return add_person(args, _home(args), STAFF, security_errors())


def cmd_remove(args: argparse.Namespace) -> int:
    from ..hq.lock import OfficeBusy
    from ..hq.staff import remove_officer
    from .hq_cmds import office

    with office(args) as o, security_errors(), sealed_errors():
        pin = read_secret("LIAISON_PIN", f"{args.officer}的 PIN", f"{args.officer}'s PIN")
        try:
            n = remove_officer(o, args.name, args.officer, pin)
        except OfficeBusy as e:
            raise CliError(str(e), ec.BUSY) from None
        home = o.home
    audit(home, args.officer, "officer_remove", args.name.strip(), key_replaced=True)
    say(f"已删除院本部工作人员 {args.name}，并更换了数据密钥和记录密钥（{n} 个批次密钥已重新封装） "
        f"(office officer {args.name} removed; the data key and the records key were replaced, "
        f"{n} batch keys rewrapped)")
    return ec.OK


def cmd_list(args: argparse.Namespace) -> int:
    return list_people(args, _home(args), STAFF)


def cmd_reset_pin(args: argparse.Namespace) -> int:
    return reset_pin(args, _home(args), security_errors())
