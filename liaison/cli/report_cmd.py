"""`liaison report --month YYYY-MM [--xlsx FILE | --csv FILE]`: the station's monthly ledger (台账).

Without a file the ledger is printed as a table; with one it is written there. The
summary paragraph always goes to stdout (it is the part people paste into reports);
where the file went and "no visits this month" go to stderr. The ledger shows masked
names and phones but whole summaries, so the station is unlocked for it and the
report is written to the audit log.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..domain.station import ProfileError
from ..domain.timeutil import today
from . import CliError
from . import exitcodes as ec
from .auth import add_officer_arg, unlocked
from .output import say, table


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("report", parents=[common], help="monthly ledger (台账) as a table, XLSX or CSV")
    p.add_argument("--month", default=None, metavar="YYYY-MM", help="month of the visits (default: this month)")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--xlsx", type=Path, metavar="FILE", help="write an Excel workbook")
    out.add_argument("--csv", type=Path, metavar="FILE", help="write CSV (UTF-8 with BOM, opens in Excel)")
    add_officer_arg(p)
    p.set_defaults(handler=cmd_report)


def station_name(station_id: str, short: bool = False) -> str:
    from ..profiles import get_station

    try:
        s = get_station(station_id)
        return s.short_name if short else s.name
    except ProfileError:  # a ledger is still useful with the bare id in its title
        return station_id


def cmd_report(args: argparse.Namespace) -> int:
    from ..reports import ledger as lg

    try:  # refuse a bad month before touching the data folder
        first, _ = lg.parse_month(args.month or today().isoformat()[:7])
    except lg.BadMonth as e:
        raise CliError(str(e), ec.INVALID) from None
    month = first.isoformat()[:7]  # '2026-1' → '2026-01', as stored dates are written
    with unlocked(args) as (session, store):
        wanted = [r for r in store.index.by_id.values() if not r.deleted and r.visited_at[:7] == month]
        records = [c.to_dict() for c in store.load(wanted)]
        sid = store.station
        session.audit("report", month, {"month": month, "count": len(records)})
    ledger = lg.build(records, month, station_name(sid), today())
    if not ledger.rows:
        say(f"{ledger.month} 没有咨询记录，台账为空 (no consultations in {ledger.month}; the ledger has no rows)")
    target = args.xlsx or args.csv
    if target is not None:
        try:
            (lg.write_xlsx if args.xlsx else lg.write_csv)(ledger, target)
        except OSError as e:
            raise CliError(f"无法写入 {target}：{e.strerror or e} (cannot write {target})", ec.STORAGE) from None
        say(f"已写入台账 {len(ledger.rows)} 条 (ledger written, {len(ledger.rows)} rows): {target}")
        print(ledger.summary)
        return ec.OK
    print(ledger.title)
    print(table(lg.HEADERS, [[str(c).replace("\n", " ") for c in r] for r in ledger.rows],
                max_widths=(4, 10, 24, 15, 30, 20, 30, 8, 10)))
    print()
    print(table(("合计项 Section", "项目 Item", "件数 Count"), [(s, lab, str(n)) for s, lab, n in ledger.totals()]))
    print()
    print(ledger.summary)
    return ec.OK

