"""`liaison qr`: the station's service-list code, or a consultation's receipt code,
printed to the terminal or written as an A4 poster (SVG / PNG).

    liaison qr [--station ID] [--terminal | --svg FILE | --png FILE]
    liaison qr --receipt ID|REF [--terminal | --svg FILE | --png FILE]

The poster (--svg/--png) carries the full service list; the terminal code holds the
fullest wording that fits the window (see liaison.qr.payloads).

Without --station the station is the data folder's (--home / $LIAISON_HOME). A
receipt always needs the data folder. The terminal form goes to stdout: black on white
when stdout is a terminal (whatever its theme), plain half-block glyphs otherwise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..domain.timeutil import today
from ..home import resolve_home
from ..profiles import get_station, office_for
from ..qr.payloads import POSTER_MAX_VERSION, SCREEN_MAX_VERSION, PayloadTooLong, receipt_payload, service_payload
from . import CliError
from . import exitcodes as ec
from .auth import add_officer_arg
from .output import say


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("qr", parents=[common], help="service-list or receipt QR code / 二维码（服务清单、回执）")
    p.add_argument("--station", help="station id (default: the data folder's station)")
    p.add_argument("--receipt", metavar="ID|REF", help="the receipt of one consultation instead of the service list")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--terminal", action="store_true", help="print the code to stdout (the default)")
    out.add_argument("--svg", metavar="FILE", help="write an A4 poster as SVG")
    out.add_argument("--png", metavar="FILE", help="write an A4 poster as PNG (needs a Chinese font)")
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                   help="black-on-white colours for the terminal code (auto: when stdout is a terminal)")
    add_officer_arg(p)
    p.set_defaults(handler=cmd_qr)


def _open_store(args: argparse.Namespace):
    """The records, to find a receipt's consultation. A sealed station is unlocked for
    it (its index is sealed too), though the receipt itself shows nothing personal."""
    from ..store import Store, StoreLocked  # only here: `liaison qr --station X` works without a data folder
    from .auth import unlocked_store

    try:
        return Store.open(resolve_home(args.home))
    except StoreLocked:
        return unlocked_store(args)[1]


def _terminal_max_version() -> int:
    if not sys.stdout.isatty():
        return SCREEN_MAX_VERSION
    import shutil

    from ..qr.render import max_version_for

    cols, rows = shutil.get_terminal_size()
    return min(SCREEN_MAX_VERSION, max_version_for(cols, rows - 2))  # the summary line and the prompt


def cmd_qr(args: argparse.Namespace) -> int:
    poster = bool(args.svg or args.png)
    # A poster on paper can hold a bigger code than a screen read at arm's length; in
    # a terminal the code must fit the window (a cut code does not scan), so the
    # payload's wording is chosen for its size.
    max_version = POSTER_MAX_VERSION if poster else _terminal_max_version()
    if args.receipt:
        store = _open_store(args)
        try:
            c = store.get(args.receipt)
            station_id = store.station
        finally:
            store.close()
        if args.station and args.station != station_id:
            raise CliError(f"{args.receipt} 属于 {station_id}，不是 {args.station} "
                           f"({args.receipt} belongs to {station_id})", ec.USAGE)
        station = get_station(station_id)
        office = office_for(station)
        make = lambda: receipt_payload(c, station, office, max_version)  # noqa: E731
    else:
        if args.station:
            station = get_station(args.station)
        else:
            from .sync_cmds import station_of

            station = get_station(station_of(resolve_home(args.home)))  # from meta.json: no unlock
        office = office_for(station)
        make = lambda: service_payload(station, office, max_version)  # noqa: E731
    try:
        payload = make()
    except PayloadTooLong as e:
        raise CliError(str(e), ec.INVALID) from None

    if not poster:
        from ..qr.render import terminal_text

        colour = args.color == "always" or (args.color == "auto" and sys.stdout.isatty())
        sys.stdout.write(terminal_text(payload, colour=colour))
        say(f"{station.short_name} · {'回执 receipt' if args.receipt else '服务清单 service list'} · "
            f"QR v{payload.version}-{payload.ecc_name}, {len(payload.text.encode())} bytes")
        return ec.OK
    return _write_poster(args, station, office, payload)


def _write_poster(args: argparse.Namespace, station, office, payload) -> int:
    from ..qr.poster import layout, svg

    lay = layout(station, office, payload, today(), receipt=bool(args.receipt))
    target = Path(args.svg or args.png)
    if args.svg:
        data = svg(lay).encode("utf-8")
    else:
        from ..qr.png import NoCjkFont, png

        try:
            data = png(lay)
        except NoCjkFont as e:
            raise CliError(str(e), ec.NOT_SET_UP) from None
    try:
        target.write_bytes(data)
    except OSError as e:
        raise CliError(f"无法写入 {target}：{e.strerror or e} (cannot write {target})", ec.STORAGE) from None
    say(f"已写入 {target} (wrote {target}): QR v{payload.version}-{payload.ecc_name}")
    print(target)
    return ec.OK
