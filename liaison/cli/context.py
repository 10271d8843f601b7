"""Opening the station's store for a subcommand."""

from __future__ import annotations

import argparse

from ..home import resolve_home
from ..store import Store


def open_store(args: argparse.Namespace) -> Store:
    return Store.open(resolve_home(args.home))
