"""`liaison demo`: a seeded demo data folder (made once, then reused), then the application on it."""

from __future__ import annotations

import argparse

from ..demo_data import DEFAULT_STATION, DEMO_OFFICERS, DEMO_PIN
from ..profiles import get_station
from . import exitcodes as ec
from .output import say
from .typed_ahead import kept_for_the_app


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("demo", parents=[common], help="open the app on seeded demo data / 演示")
    p.add_argument("--station", default=DEFAULT_STATION, help=f"which station's laptop to show (default {DEFAULT_STATION})")
    p.add_argument("--synthetic", type=int, default=0, metavar="N",
                   help="also add N synthetic consultations (to try it at scale; when the demo is seeded)")
    p.add_argument("--reset", action="store_true", help="start the demo again from fresh data / 重新生成演示数据")
    p.add_argument("--no-ui", action="store_true", help="only create the folder and print its path")
    p.set_defaults(handler=cmd_demo)


def cmd_demo(args: argparse.Namespace) -> int:
    if args.no_ui:
        return _demo(args)
    with kept_for_the_app():  # the PIN it prints is typed at once, while it prepares
        return _demo(args)


def _demo(args: argparse.Namespace) -> int:
    # Here, not at the top: every command builds this parser, and the demo's seeding
    # imports the store and the keyring's crypto, which `liaison hq report` never needs.
    from ..demo import demo_root, reset_demo, seed_demo
    from . import CliError

    get_station(args.station)  # a clear error for a wrong id before any work
    root = demo_root(getattr(args, "home", None))
    if (root / "meta.json").exists():  # e.g. LIAISON_HOME set to a real station: never seed into it
        raise CliError(f"这是一个站点的数据目录，演示不会写入；请用 --home 指定别的目录 "
                       f"(this is a station's data folder; the demo will not write into it; "
                       f"pass --home with another folder): {root}", ec.USAGE)
    if args.reset:
        kept = reset_demo(root)
        if kept:
            raise CliError(f"不是演示数据，未删除 (not demo data, left alone): {', '.join(map(str, kept))}", ec.USAGE)
    fresh = not (root / args.station / "meta.json").exists()
    homes = seed_demo(root, synthetic=args.synthetic, station_for_synthetic=args.station)
    home = homes[args.station]
    say(f"演示数据目录 (demo data folder): {home}")
    if not fresh:
        say("沿用上次的演示数据；重新开始：liaison demo --reset (the earlier demo data is reused; "
            "`liaison demo --reset` starts again)")
    say(f"再次打开 (open it again): liaison --home {home}")
    # Fictional records under a published PIN: a demo is for trying, not for keeping secrets.
    say(f"演示警员 (demo officer): {DEMO_OFFICERS[args.station]}，PIN：{DEMO_PIN}  "
        f"（各站 per station：{'、'.join(f'{s} {o}' for s, o in DEMO_OFFICERS.items())}）")
    if args.no_ui:
        print(home)
        return ec.OK
    from .ui_cmd import open_ui

    return open_ui(home)
