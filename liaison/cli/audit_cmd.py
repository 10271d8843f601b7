"""`liaison audit verify`: is the station's audit log intact?

Needs no PIN and no key: the chain covers the sealed details as they are stored, so
an inspector (or the nightly job) can check it on a locked station. Exit 0 when the
chain is whole, 17 (AUDIT_BROKEN) naming the first bad entry when not. A station with
no log yet is intact (nothing has been audited). Whole entries cut off the end of the
log leave a valid shorter chain: compare `head` with the office's copy for that.
"""

from __future__ import annotations

import argparse
import sys

from ..home import resolve_home
from . import exitcodes as ec
from .output import print_json, say


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    a = sub.add_parser("audit", parents=[common], help="the tamper-evident audit log / 审计日志",
                       description="审计日志 · the station's hash-chained audit log")
    a.set_defaults(handler=lambda args: _usage(a))
    asub = a.add_subparsers(dest="audit_command", metavar="AUDIT_COMMAND")
    p = asub.add_parser("verify", parents=[common],
                        help=f"check the hash chain; exit {ec.AUDIT_BROKEN} naming the first bad entry")
    p.add_argument("--json", action="store_true", help="print {ok, entries, first_bad, reason, head}")
    p.set_defaults(handler=cmd_verify)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_usage(sys.stderr)
    return ec.USAGE


def cmd_verify(args: argparse.Namespace) -> int:
    from ..security.audit import LOG, verify
    from ..store import Store

    home = resolve_home(args.home)
    path = home / LOG
    folder = Store.check_folder(home) if (home / "meta.json").exists() else []
    for p in folder:  # the log may be whole while the records it speaks of are gone
        say(f"liaison: 数据目录与记录清单不符 (the data folder does not match its manifest): {p}")
    result = verify(path)
    if args.json:
        print_json({**result.to_dict(), "path": str(path)})
    elif result.ok:
        print(f"审计日志完好：{result.entries} 条 (audit log intact: {result.entries} entries) head {result.head}")
    if result.ok:
        return ec.STORAGE if folder else ec.OK
    say(f"liaison: 审计日志校验失败，第 {result.first_bad} 条：{result.reason} "
        f"(audit log check failed at entry {result.first_bad}) — {path}")
    return ec.AUDIT_BROKEN
