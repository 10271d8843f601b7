"""The `liaison` command. Its stdout and exit codes are an API; diagnostics go to stderr.

Each subcommand lives in a small module that registers its parser; errors the user
can act on become one clear message and a documented exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Callable, Sequence

from . import exitcodes as ec
from .output import forget_damage, say, was_damaged

Handler = Callable[[argparse.Namespace], int]


class CliError(Exception):
    """A refusal with a message and an exit code, raised by subcommands."""

    def __init__(self, message: str, code: int):
        super().__init__(message)
        self.code = code


def build_parser() -> argparse.ArgumentParser:
    from . import (
        audit_cmd,
        demo_cmd,
        hq_cmds,
        officer_cmds,
        purge_cmd,
        qr_cmd,
        record_cmds,
        report_cmd,
        station_cmds,
        sync_cmds,
        ui_cmd,
        verify_cmd,
    )

    p = argparse.ArgumentParser(
        prog="liaison",
        description="检察联络站咨询登记 · consultation log for procuratorate liaison stations",
        epilog="exit codes: " + "; ".join(f"{k} {v}" for k, v in ec.TABLE.items()),
    )
    _top_options(p)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    # --home is accepted after the subcommand too (`liaison demo --home DIR`).
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--home", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    for module in (station_cmds, record_cmds, report_cmd, demo_cmd, qr_cmd, sync_cmds, hq_cmds,
                   officer_cmds, audit_cmd, purge_cmd, verify_cmd, ui_cmd):
        module.register(sub, common)
    return p


def _top_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--home", help="data folder (default: $LIAISON_HOME, else the user data folder)")
    p.add_argument("--station", dest="station_folder", metavar="ID",
                   help="this laptop's folder for station ID (<user data folder>/stations/ID); "
                        "not with --home / 选择本机上的站点")


def _without_command(argv: Sequence[str] | None) -> argparse.Namespace | None:
    """`liaison [--home DIR] [--station ID]` alone (the app), parsed without building
    every subcommand's parser: their modules import the store, crypto, qrcode …, which
    the unlock screen does not need. Anything else (a command, --help, a mistake, an
    abbreviated option) is None, and the full parser takes it."""
    p = argparse.ArgumentParser(prog="liaison", add_help=False, allow_abbrev=False, exit_on_error=False)
    _top_options(p)
    p.set_defaults(command=None)  # as the full parser leaves it
    try:
        args, rest = p.parse_known_args(argv)
    except argparse.ArgumentError:
        return None
    return None if rest else args


def _station_folder(args: argparse.Namespace) -> None:
    """--station ID (before the command) selects <data>/stations/ID; `init --station ID`
    makes the station there unless --home or $LIAISON_HOME says where. --home and
    $LIAISON_HOME otherwise work as they always did."""
    chosen = getattr(args, "station_folder", None)
    init_here = (not chosen and getattr(args, "command", None) == "init" and getattr(args, "station", None)
                 and not getattr(args, "restore", None) and not getattr(args, "home", None)
                 and not os.environ.get("LIAISON_HOME"))
    if not (chosen or init_here):
        return
    from ..home import remember, station_home
    from ..profiles import get_station  # only here: `liaison` alone opens the app without the profiles

    if chosen:
        if getattr(args, "home", None):
            raise CliError("--station 与 --home 不能同时使用 (pass either --station or --home)", ec.USAGE)
        args.home = str(station_home(get_station(chosen).id))  # an unknown id: a clear error
    else:
        args.home = str(station_home(get_station(args.station).id))
    remember(station_home(get_station(chosen or args.station).id))


def _run(handler: Handler, args: argparse.Namespace) -> int:
    forget_damage()

    def handle(args: argparse.Namespace) -> int:
        _station_folder(args)
        return handler(args)

    code = _handle(handle, args)
    # On a damaged folder "not found" may be the damage itself: both end as a storage failure.
    return ec.STORAGE if code in (ec.OK, ec.NOT_FOUND) and was_damaged() else code


def _known_error(e: Exception) -> int | None:
    """The exit code of an error the user can act on (its message said), else None.
    The error classes are imported here, once one is raised: the store's package
    (tinydb) must not load before the app's first frame."""
    from ..domain.station import ProfileError
    from ..domain.validation import ValidationError
    from ..store.errors import NotFound, NotInitialised, StoreBusy, StoreError, StoreLocked

    if isinstance(e, ValidationError):
        say("liaison: 输入有误，未保存 (input refused, nothing saved):")
        for err in e.errors:
            say(f"  - {err}")
        return ec.INVALID
    # a command that reached sealed records without unlocking: same code as a missing PIN
    codes = ((NotFound, ec.NOT_FOUND), ((NotInitialised, ProfileError), ec.NOT_SET_UP), (StoreBusy, ec.BUSY),
             (StoreLocked, ec.PIN_NEEDED), (StoreError, ec.STORAGE))
    for kinds, code in codes:
        if isinstance(e, kinds):
            say(f"liaison: {e}")
            return code
    return None


def _handle(handler: Handler, args: argparse.Namespace) -> int:
    try:
        return handler(args)
    except CliError as e:
        say(f"liaison: {e}")
        return e.code
    except KeyboardInterrupt:
        say("liaison: 已取消 (interrupted)")
        return 130
    except BrokenPipeError:
        return ec.OK  # `liaison list | head` closed the pipe: not an error
    except Exception as e:
        code = _known_error(e)
        if code is not None:
            return code
        # a bug: keep where it happened (not the data it held), show one line
        from ..crash import write_crash_log

        try:
            where = str(write_crash_log(e, getattr(args, "command", None)))
        except OSError as err:
            where = f"（无法写入崩溃日志 could not write a crash log: {err.strerror}）"
        say(f"liaison: 内部错误，已保存的数据不受影响；详情见 {where} "
            f"(internal error; saved data is unaffected; details in {where})")
        return ec.INTERNAL


def main(argv: Sequence[str] | None = None) -> int:
    # Everything liaison writes — data, the office's database and its WAL, ledgers and
    # reports — is the owner's alone, whatever umask the shell or cron left.
    os.umask(0o077)
    args = _without_command(argv) or build_parser().parse_args(argv)
    if not getattr(args, "handler", None):
        from .ui_cmd import run_ui

        return _run(run_ui, args)
    return _run(args.handler, args)


def entry() -> None:
    sys.exit(main())
