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
    p = sub.add_parser("init", parents=[common], help="set this laptop up for a station / 设置本机所属站点",
                       description="设置本机所属站点，并设定第一位警员的 PIN · set this laptop up for a station "
                                   "and choose the first officer's PIN (asked twice on the terminal; for scripts "
                                   "only: LIAISON_PIN). Prints the data folder, then, the first time, the "
                                   "recovery code — once. With --restore DIR: a lost laptop's station set up again "
                                   "from the office's restore kit (its code is asked on the terminal; for scripts "
                                   "only: LIAISON_RESTORE_CODE).")
    p.add_argument("--station", help="station id, see `liaison stations` (with --restore: taken from the kit)")
    p.add_argument("--restore", type=Path, metavar="DIR",
                   help="restore this station from the office's restore kit in DIR (an empty data folder only)")
    p.add_argument("--officer", default="", metavar="NAME",
                   help="first officer (unlocks the data with a PIN; recorded on each consultation)")
    p.add_argument("--hq-key", type=Path, metavar="FILE", help="install the district office's office.pub.json")
    p.add_argument("--sync-to", action="append", metavar="DIR|URL", help="where `liaison sync` delivers")
    p.set_defaults(handler=cmd_init)

    p = sub.add_parser("stations", parents=[common], help="list station profiles / 站点列表")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_stations)


def _keyring(home: Path, station: str, officer: str | None):
    """(session, recovery code or None): a new keyring, or, on a re-run of init, the
    existing one unlocked by the named officer (a second keyring would orphan the
    data key the records are sealed under)."""
    from ..security.keyring import Keyring
    from ..security.pins import check_officer_name, check_pin
    from ..security.session import unlock
    from .auth import credentials, first_officer
    from .officer_cmds import first_session, record_officer_add
    from .pins import security_errors

    with security_errors():
        if Keyring.exists(home):
            name, pin = credentials(officer)
            return unlock(home, name, pin), None
        name, pin = first_officer(officer)
        check_pin(pin, check_officer_name(name))  # a weak PIN is refused before anything is written
        code = Keyring.create(home, station, name, pin)
        record_officer_add(home, name)
        return first_session(home, name, pin), code


def cmd_init(args: argparse.Namespace) -> int:
    from ..security.session import office_envelope
    from . import CliError
    from .pins import show_recovery_code

    if args.restore is not None:
        if args.hq_key is not None:
            raise CliError("--restore 与 --hq-key 不能同时使用：院本部公钥已在恢复包中 "
                           "(--restore takes the office key from the kit; do not pass --hq-key)", ec.USAGE)
        from .restore_cmd import cmd_restore

        return cmd_restore(args)
    if not args.station:
        raise CliError("请指定站点：liaison init --station <站点编号>（见 liaison stations）"
                       "(which station? pass --station ID, see `liaison stations`)", ec.USAGE)
    station = get_station(args.station)
    if args.hq_key is not None and not args.hq_key.is_file():  # before a keyring exists whose code could be lost
        raise CliError(f"找不到院本部公钥文件 (no such file): {args.hq_key}", ec.NOT_FOUND)
    home = resolve_home(args.home)
    had_records = (home / "meta.json").exists()
    session, code = _keyring(home, station.id, args.officer or None)
    try:
        # The office key goes in before the store is opened sealed, so every record saved
        # from now on also carries the office's copy (the nightly export needs no PIN).
        pub = setup_keys(home, station.id, args.hq_key, args.sync_to)  # signing key created once, kept on re-init
        store = Store.init(home, station=station.id, code=station.code, officer=session.officer,
                           cipher=session.sealer, office=office_envelope(session))
        store.close()
        say(f"已设置：{station.name}（{station.code}），数据目录 {home}")
        if code is not None and had_records:
            say("本站现有记录已用新的数据密钥加密 (the station's existing records are now encrypted)")
        say(f"站点公钥 (station public key, give it to the office): {pub}")
        print(home, flush=True)
    finally:  # even if a later step failed: the code exists nowhere else
        if code is not None:
            show_recovery_code(code)
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
