"""Crash logs: what a developer needs to find a bug, and nothing a resident said.

An internal error's traceback goes to a file, not the terminal. Exception messages and
arguments are where a record's content ends up (a summary in a KeyError, a phone in a
ValueError's repr), so the log keeps only the exception's type and, for each frame,
file, line, function and the source line — the code, never the values. Frame locals
were never printed; they stay that way.

The file is owner-only (0600) in the user's state folder (platformdirs: on Linux
$XDG_STATE_HOME/liaison/crash, else ~/.local/state/liaison/crash), not the shared temp
folder, and not the data folder — a broken or unknown --home must not stop the log.
"""

from __future__ import annotations

import os
import platform
import traceback
from datetime import datetime
from pathlib import Path

import platformdirs

from . import __version__

REDACTED = "<已隐去 redacted>"


def crash_dir() -> Path:
    return Path(platformdirs.user_state_dir("liaison", appauthor=False)) / "crash"


def _frames(exc: BaseException) -> list[str]:
    out = []
    for f in traceback.extract_tb(exc.__traceback__):
        out.append(f'  File "{f.filename}", line {f.lineno}, in {f.name}\n')
        if f.line:
            out.append(f"    {f.line.strip()}\n")
    return out


def report(exc: BaseException, command: str | None = None) -> str:
    """The log's text: each exception of the chain, its type and its frames."""
    chain: list[BaseException] = []
    seen: set[int] = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        chain.append(e)
        e = e.__cause__ or (None if e.__suppress_context__ else e.__context__)
    lines = [f"liaison {__version__}, Python {platform.python_version()}, command: {command or '-'}\n"]
    for i, link in enumerate(reversed(chain)):
        if i:
            lines.append("\nThe exception above led to the one below.\n\n")
        lines.append("Traceback (most recent call last):\n")
        lines += _frames(link)
        lines.append(f"{type(link).__module__}.{type(link).__qualname__}: {REDACTED}\n")
    return "".join(lines)


def write_crash_log(exc: BaseException, command: str | None = None) -> Path:
    folder = crash_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    path = folder / f"liaison-error-{stamp}-{os.getpid()}.log"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        os.fchmod(f.fileno(), 0o600)  # an existing file keeps its mode otherwise
        f.write(report(exc, command))
    return path

