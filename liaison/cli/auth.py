"""Who is at the keyboard: the PIN for commands that read or write personal data.

`liaison add/import/list/show/edit/delete/report/purge` need an unlocked station.
On a terminal they ask for the officer and PIN (on /dev/tty, so `liaison add` can
still read its JSON from stdin); scripts pass `--officer NAME` with the PIN in
LIAISON_PIN (documented as for scripts only: an environment variable can be read
by other processes of the same user). Without either they refuse with PIN_NEEDED
rather than hang waiting for input that cannot come (cron, a pipe, CI).
"""

from __future__ import annotations

import argparse
import getpass
import os
from contextlib import contextmanager
from typing import Iterator

from ..home import resolve_home
from . import CliError
from . import exitcodes as ec


def add_officer_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--officer", metavar="NAME",
                        help="officer name; the PIN is asked on the terminal, or read from "
                             "$LIAISON_PIN (for scripts only)")


def _tty() -> bool:
    try:
        with open("/dev/tty", "rb"):
            return True
    except OSError:
        return False


def _ask(prompt: str, secret: bool) -> str:
    if secret:
        return getpass.getpass(prompt)  # reads /dev/tty, echo off
    # Unbuffered bytes: a terminal is not seekable, which buffered "r+" text mode needs.
    with open("/dev/tty", "r+b", buffering=0) as tty:
        tty.write(prompt.encode())
        return tty.readline().decode("utf-8", errors="replace").strip()


def _no_terminal() -> CliError:
    return CliError("需要警员 PIN，但没有终端可以询问。请在终端中运行；仅供脚本：--officer 姓名 并设置环境变量 "
                    "LIAISON_PIN (an officer's PIN is needed but there is no terminal to ask on; run it in a "
                    "terminal, or, for scripts only, pass --officer NAME and set LIAISON_PIN)", ec.PIN_NEEDED)


def _scripted(officer: str | None) -> tuple[str, str] | None:
    """(officer, PIN) from --officer + LIAISON_PIN; None if they are to be asked on the
    terminal; PIN_NEEDED if there is none to ask on."""
    pin = os.environ.get("LIAISON_PIN")
    if officer and pin:
        return officer, pin
    if not _tty():
        raise _no_terminal()
    return None


def credentials(officer: str | None) -> tuple[str, str]:
    """(officer, PIN) from --officer + LIAISON_PIN, else the terminal, else PIN_NEEDED."""
    got = _scripted(officer)
    if got is not None:
        return got
    if not officer:
        officer = _ask("警员姓名 (officer): ", secret=False)
    return officer, _ask(f"{officer}的 PIN ({officer}'s PIN): ", secret=True)


def first_officer(officer: str | None) -> tuple[str, str]:
    """(name, PIN) of the station's first officer, for `liaison init`: --officer with
    LIAISON_PIN, else asked on the terminal (the PIN twice: a typo here would lock the
    station until the recovery code is found), else PIN_NEEDED."""
    got = _scripted(officer)
    if got is not None:
        return got
    if not officer:
        officer = _ask("第一位警员姓名 (first officer's name): ", secret=False)
    pin = _ask(f"为{officer}设置 PIN (choose {officer}'s PIN): ", secret=True)
    if _ask("再输入一次 PIN (again): ", secret=True) != pin:
        raise CliError("两次输入不一致，未作更改 (the two entries differ; nothing changed)", ec.INVALID)
    return officer, pin


def session_for(args: argparse.Namespace, read_ahead: bool = False):
    """Unlock the station for this command (audited as unlock / unlock_failed);
    `read_ahead` when the records are opened next (see security.session.unlock)."""
    from ..security.keyring import Keyring
    from ..security.session import unlock
    from ..store import Store
    from .pins import security_errors

    home = resolve_home(args.home)
    Store.check_ready(home)  # not set up at all: "run liaison init", before any PIN question
    if not Keyring.exists(home):
        raise CliError("此站点尚未设置警员 PIN，个人信息无法加密保存。请先运行：liaison officer setup --officer <姓名> "
                       "(no officer PIN is set up at this station, so personal data cannot be protected; "
                       "run `liaison officer setup --officer NAME` first)", ec.NOT_SET_UP)
    with security_errors():
        Keyring.open(home)  # a damaged keyring is reported before asking for anything
        officer, pin = credentials(getattr(args, "officer", None))
        return unlock(home, officer, pin, read_ahead=read_ahead)


def unlocked_store(args: argparse.Namespace):
    """(session, store) for a command that handles personal data."""
    from ..security.session import open_store
    from .output import warn_damaged

    session = session_for(args, read_ahead=True)
    store = open_store(session)
    warn_damaged(store.problems)
    return session, store


@contextmanager
def unlocked(args: argparse.Namespace) -> Iterator[tuple]:
    """`unlocked_store` for a `with` block: the store is closed (its lock released) after."""
    session, store = unlocked_store(args)
    try:
        yield session, store
    finally:
        store.close()
