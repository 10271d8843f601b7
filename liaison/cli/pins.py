"""What `liaison officer` (a station's officers) and `liaison hq officer` (the office's staff)
share: asking for a PIN or the recovery code, the security package's refusals as exit codes,
and the add / list / reset-pin commands, which differ only in how they name the people.

PINs are asked on the terminal (getpass, nothing echoed). For scripts only, they may
come from the environment instead — LIAISON_PIN (the acting officer's PIN; for
`setup`, the first officer's), LIAISON_NEW_PIN (the PIN being given to someone by
`add` or `reset-pin`) and LIAISON_RECOVERY_CODE — because an environment variable can
leak into shell history and process listings. With neither a terminal nor the
variable the command refuses (exit 16) rather than hang waiting for input.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import CliError
from . import exitcodes as ec
from .output import print_json, say, table

Handler = Callable[[argparse.Namespace], int]


@dataclass(frozen=True)
class People:
    """How a place's messages name the people who hold its PINs."""
    zh: str  # 警员 / 院本部工作人员
    new_zh: str  # the PIN prompt for someone being added: 新警员 / 新工作人员
    en: str  # officer / office officer
    column: str  # the list's name column


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


def show_recovery_code(code: str) -> None:
    """The recovery code, once: the warning for the person on stderr, the code on stdout."""
    say("！请立即抄下下面的恢复码并锁进柜子：忘记 PIN 时只能用它恢复，它不会再显示。")
    say("! Write the recovery code below down NOW and lock it away: it is the only way back "
        "if every PIN is forgotten, and it will not be shown again.")
    print(code, flush=True)


def audit(home: Path, officer: str, action: str, target: str = "", **details: object) -> None:
    from ..security.audit import AuditLog

    AuditLog(home).record(officer, action, target, details)


def register_people(osub: argparse._SubParsersAction, common: argparse.ArgumentParser,
                    handlers: Mapping[str, Handler], helps: Mapping[str, str]) -> None:
    """add / remove / list / reset-pin, each with its handler and help from the maps."""
    p = osub.add_parser("add", parents=[common], help=helps["add"])
    p.add_argument("name", help="new officer's name")
    p.add_argument("--officer", required=True, help="existing officer who authorises it")
    p.set_defaults(handler=handlers["add"])
    p = osub.add_parser("remove", parents=[common], help=helps["remove"])
    p.add_argument("name", help="officer to remove")
    p.add_argument("--officer", required=True, help="officer who authorises it")
    p.set_defaults(handler=handlers["remove"])
    p = osub.add_parser("list", parents=[common], help=helps["list"])
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=handlers["list"])
    p = osub.add_parser("reset-pin", parents=[common], help=helps["reset-pin"])
    p.add_argument("name", help="officer whose PIN is reset")
    p.set_defaults(handler=handlers["reset-pin"])


def add_person(args: argparse.Namespace, home: Path, people: People, guard: AbstractContextManager[None]) -> int:
    """`add`: `guard` turns the security errors into exit codes (and may audit a wrong PIN)."""
    from ..security.keyring import Keyring

    with guard:
        ring = Keyring.open(home)
        pin = read_secret("LIAISON_PIN", f"{args.officer}的 PIN", f"{args.officer}'s PIN")
        new_pin = read_secret("LIAISON_NEW_PIN", f"{people.new_zh}{args.name}的 PIN",
                              f"the new officer {args.name}'s PIN", confirm=True)
        ring.add_officer(args.officer, pin, args.name, new_pin)
    audit(home, args.officer, "officer_add", args.name.strip())
    say(f"已增加{people.zh} {args.name} ({people.en} {args.name} added)")
    return ec.OK


def list_people(args: argparse.Namespace, home: Path, people: People) -> int:
    from ..security.keyring import Keyring

    with security_errors():
        officers = Keyring.open(home).officers()
    if args.json:
        print_json([{"name": o.name, "created_at": o.created_at} for o in officers])
    else:
        print(table((people.column, "PIN 设置于 PIN set at"), [(o.name, o.created_at) for o in officers]))
    return ec.OK


def reset_pin(args: argparse.Namespace, home: Path, guard: AbstractContextManager[None]) -> int:
    from ..security.keyring import Keyring

    with guard:
        ring = Keyring.open(home)
        code = read_secret("LIAISON_RECOVERY_CODE", "恢复码", "the recovery code")
        new_pin = read_secret("LIAISON_NEW_PIN", f"{args.name}的新 PIN", f"{args.name}'s new PIN", confirm=True)
        ring.reset_pin(args.name, code, new_pin)
    audit(home, args.name, "pin_reset", args.name.strip())
    say(f"已为 {args.name} 设置新 PIN (new PIN set for {args.name})")
    return ec.OK
