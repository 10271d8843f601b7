"""Opening the officer's interface on a data folder."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..home import resolve_home
from ..store import Store
from . import exitcodes as ec
from .output import LIST_HEADERS, list_row, say, table


def open_ui(home: Path) -> int:
    # Until the terminal UI lands, show the station and its consultations.
    store = Store.open(home)
    from ..profiles import get_station

    station = get_station(store.station)
    print(f"{station.name}（{station.code}） · {station.place}")
    rows = store.index.newest_first()
    print(table(LIST_HEADERS, (list_row(r, r.brief) for r in rows), max_widths=(18, 10, 14, 24, 8, 10, 30)))
    say(f"共 {len(rows)} 条 ({len(rows)} consultations) · {home}")
    return ec.OK


def run_ui(args: argparse.Namespace) -> int:
    return open_ui(resolve_home(args.home))
