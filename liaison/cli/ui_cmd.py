"""Opening the officer's interface on a data folder (the only CLI path into textual)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..home import resolve_home
from ..store import Store
from . import exitcodes as ec


def open_ui(home: Path) -> int:
    Store.check_ready(home)  # a clear CLI error (not set up) before the screen opens
    from ..tui.app import build_app  # imported here: the nightly job never loads textual

    build_app(home).run()
    return ec.OK


def run_ui(args: argparse.Namespace) -> int:
    return open_ui(resolve_home(args.home))
