"""`liaison init` and `liaison stations`."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..home import resolve_home
from ..profiles import get_station, load_all
from ..store import Store
from . import exitcodes as ec
from .output import print_json, say, table
from .sync_cmds import setup_keys


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("init", parents=[common], help="set this laptop up for a station / 设置本机所属站点")
    p.add_argument("--station", required=True, help="station id, see `liaison stations`")
    p.add_argument("--officer", default="", help="officer on duty (recorded on each consultation)")
    p.add_argument("--hq-key", type=Path, metavar="FILE", help="install the district office's office.pub.json")
    p.add_argument("--sync-to", action="append", metavar="DIR|URL", help="where `liaison sync` delivers")
    p.set_defaults(handler=cmd_init)

    p = sub.add_parser("stations", parents=[common], help="list station profiles / 站点列表")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_stations)


def cmd_init(args: argparse.Namespace) -> int:
    station = get_station(args.station)
    home = resolve_home(args.home)
    store = Store.init(home, station=station.id, code=station.code, officer=args.officer)
    store.close()
    pub = setup_keys(home, station.id, args.hq_key, args.sync_to)  # signing key created once, kept on re-init
    say(f"已设置：{station.name}（{station.code}），数据目录 {home}")
    say(f"站点公钥 (station public key, give it to the office): {pub}")
    print(home)
    return ec.OK


def cmd_stations(args: argparse.Namespace) -> int:
    stations, _ = load_all()
    if args.json:
        print_json([{"id": s.id, "code": s.code, "name": s.name, "short_name": s.short_name,
                     "place": s.place, "schedule": s.schedule, "focus": list(s.focus)}
                    for s in stations.values()])
        return ec.OK
    print(table(("编号 ID", "代码 Code", "名称 Name", "地点 Place", "时间 Schedule"),
                [(s.id, s.code, s.short_name, s.place, s.schedule) for s in stations.values()],
                max_widths=(20, 6, 24, 30, 30)))
    return ec.OK
