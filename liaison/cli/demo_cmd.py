"""`liaison demo`: a seeded throwaway data folder, then the application on it."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..demo import DEFAULT_STATION, DEMO_PIN, seed_demo
from ..demo_data import DEMO_OFFICERS
from ..profiles import get_station
from . import exitcodes as ec
from .output import say


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("demo", parents=[common], help="open the app on seeded demo data / 演示")
    p.add_argument("--station", default=DEFAULT_STATION, help=f"which station's laptop to show (default {DEFAULT_STATION})")
    p.add_argument("--synthetic", type=int, default=0, metavar="N",
                   help="also add N synthetic consultations (to try it at scale)")
    p.add_argument("--no-ui", action="store_true", help="only create the folder and print its path")
    p.set_defaults(handler=cmd_demo)


def cmd_demo(args: argparse.Namespace) -> int:
    get_station(args.station)  # a clear error for a wrong id before any work
    root = Path(args.home) if getattr(args, "home", None) else None
    homes = seed_demo(root, synthetic=args.synthetic, station_for_synthetic=args.station)
    home = homes[args.station]
    say(f"演示数据目录 (demo data folder): {home.parent}")
    # Fictional records under a published PIN: a demo is for trying, not for keeping secrets.
    say(f"演示警员 (demo officer): {DEMO_OFFICERS[args.station]}，PIN：{DEMO_PIN}  "
        f"（各站 per station：{'、'.join(f'{s} {o}' for s, o in DEMO_OFFICERS.items())}）")
    if args.no_ui:
        print(home)
        return ec.OK
    from .ui_cmd import open_ui

    return open_ui(home)
