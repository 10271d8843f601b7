"""`liaison hq report`: the district office report as text, JSON, XLSX or HTML.

The figures come from liaison.hq.report (one dict); this module only parses the
arguments, picks the rendering and turns failures into a message and an exit code.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from . import CliError
from . import exitcodes as ec
from .output import print_json, say, table


def register_report(hsub: argparse._SubParsersAction, c: argparse.ArgumentParser) -> None:
    p = hsub.add_parser("report", parents=[c], help="totals per station/category/week, referrals, overdue, "
                        "resolution time, bundles and gaps (text, --json, --xlsx, --html)")
    p.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="first visit date counted")
    p.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="last visit date counted; overdue is judged on it")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true")
    out.add_argument("--xlsx", type=Path, metavar="FILE", help="Excel workbook, one sheet per section")
    out.add_argument("--html", type=Path, metavar="FILE", help="one self-contained HTML file with SVG charts")
    p.add_argument("--all-overdue", action="store_true",
                   help="with --xlsx: every overdue follow-up in 逾期明细, not each station's 20 oldest "
                        "(a city's ~50 000 take a few seconds more)")
    from .auth import add_officer_arg

    add_officer_arg(p)
    p.set_defaults(handler=cmd_report)


def _day(text: str | None, flag: str):
    from datetime import date

    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CliError(f"{flag} 应为日期 YYYY-MM-DD (expected a date YYYY-MM-DD, got {text!r})", ec.USAGE) from None


def cmd_report(args: argparse.Namespace) -> int:
    from ..hq.report import build_report

    start, end = _day(args.start, "--from"), _day(args.end, "--to")
    if start and end and start > end:
        raise CliError(f"--from {start} 晚于 --to {end} (--from is after --to)", ec.USAGE)
    if args.all_overdue and not args.xlsx:
        raise CliError("--all-overdue 只用于 --xlsx：文本只列件数，JSON 与 HTML 已列出全部逾期回访 "
                       "(--all-overdue is for --xlsx; JSON and HTML already list every overdue follow-up)", ec.USAGE)
    from ..hq.quarantine import Quarantine
    from .hq_staff_cmds import say_altered, unlocked_office

    writer = "liaison.hq.report_xlsx" if args.xlsx else "liaison.hq.report_html" if args.html else None
    with unlocked_office(args, meanwhile=(writer,) if writer else ()) as staff:
        o = staff.office
        quarantined = Quarantine(o.quarantine).summary()["files"]
        altered: list[str] = []
        rep = build_report(o.db, staff.opener, start=start, end=end, quarantined=quarantined, altered=altered)
        say_altered(staff, altered)
        name = o.name
        staff.audit("report", "hq report", start=str(start or ""), end=str(end or ""))
    target = args.xlsx or args.html
    if args.json:
        print_json(rep)
    elif target:
        try:
            if args.xlsx:
                from ..hq.report_xlsx import write_xlsx

                write_xlsx(rep, target, all_overdue=args.all_overdue)
            else:
                from ..hq.report_html import render_html
                from ..store.atomic import atomic_write

                atomic_write(target, render_html(rep, name).encode("utf-8"))
        except OSError as e:
            raise CliError(f"无法写入 {target}：{e.strerror or e} (cannot write {target})", ec.STORAGE) from None
        say(f"报告已写入 (report written to) {target}")
        print(target)
    else:
        print(report_text(rep))
    return ec.OK


def report_text(rep: dict) -> str:
    from ..domain.vocab import CATEGORIES, REFERRALS, label

    n = rep["station_names"]
    res = rep["resolution"]["per_station"]
    p = rep["period"]
    cat = {c: label(CATEGORIES, c) for c in {w["category"] for w in rep["weekly"]}}  # once each, not per row
    parts = [f"统计期间 period: {p['from'] or '-'} .. {p['to'] or '-'}  逾期按 overdue as of {p['as_of']}  "
             f"共 {rep['totals']['consultations']} 件 consultations",
             table(("站点 Station", "类别 Category", "周 Week", "件数 Count"),
                   [(n.get(w["station"], w["station"]), cat[w["category"]], w["week"], w["count"])
                    for w in rep["weekly"]]),
             table(("转介 Referral", "件数 Count", "已化解/办结 Resolved"),
                   [(label(REFERRALS, r["referral"]), r["count"], r["resolved"]) for r in rep["referrals"]]),
             table(("站点 Station", "逾期回访 Overdue", "已化解/办结 Resolved", "中位天数 Median days"),
                   [(n.get(s, s), c, res.get(s, {}).get("resolved", 0), res.get(s, {}).get("median_days") or "-")
                    for s, c in rep["overdue_counts"].items()]),
             rep["resolution"]["method"],
             table(("站点 Station", "数据包 Bundles", "最后包 Last", "接收时间 Received", "缺号 Gaps", "冲突 Conflicts"),
                   [(n.get(s["station"], s["station"]), s["bundles"], s["last_bundle"], s["last_received_at"] or "-",
                     ",".join(map(str, s["gaps"])) or "-", s["conflicts"]) for s in rep["sync"]]),
             f"隔离区 quarantine: {rep['quarantined']}"]
    return "\n\n".join(parts)
