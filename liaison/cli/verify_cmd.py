"""`liaison verify`: does the data folder hold everything its manifest says, and is the
audit log's chain whole? `--full` unlocks and checks every byte (edited fields too);
`--accept-loss` is the way forward once nothing more can be restored.

Exit 0 intact; 7 (STORAGE) naming each problem; 17 when only the audit log is broken.
Without `--full` it needs no PIN (an edited byte then waits for the next unlock to be
seen; a missing, cut or rolled-back shard does not).
"""

from __future__ import annotations

import argparse

from ..home import resolve_home
from . import exitcodes as ec
from .auth import add_officer_arg
from .output import print_json, say


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("verify", parents=[common],
                       help="check the data folder against its manifest, and the audit log / 核对数据目录",
                       description="核对数据目录与记录清单、审计日志 · check the data folder and the audit log")
    p.add_argument("--full", action="store_true", help="unlock and check every byte (needs a PIN)")
    p.add_argument("--accept-loss", action="store_true",
                   help="after restoring what could be restored: record the loss in the audit log and allow "
                        "saving again (needs a PIN)")
    p.add_argument("--json", action="store_true", help="print {ok, problems, accepted, audit}")
    add_officer_arg(p)
    p.set_defaults(handler=cmd_verify)


def cmd_verify(args: argparse.Namespace) -> int:
    from ..security.audit import LOG, verify
    from ..store import Store

    home = resolve_home(args.home)
    Store.check_ready(home)
    accepted: list[str] = []
    if args.full or args.accept_loss:
        from ..security.session import open_store
        from .auth import session_for

        session = session_for(args)
        store = open_store(session)
        try:
            problems = list(store.problems)
            if args.accept_loss and problems:
                accepted = store.accept_loss()
                session.audit("loss_accepted", "data folder", {"problems": accepted})
                problems = list(store.problems)
        finally:
            store.close()
    else:
        problems = Store.check_folder(home)
    audit = verify(home / LOG)
    if args.json:
        print_json({"ok": not problems and audit.ok, "problems": problems, "accepted": accepted,
                    "audit": audit.to_dict()})
    for p in accepted:
        say(f"liaison: 已记录并接受 (accepted and logged): {p}")
    if problems:
        say("liaison: 数据目录与记录清单不符 (the data folder does not match its manifest):")
        for p in problems:
            say(f"  - {p}")
        from ..store.errors import RECOVERY

        say(RECOVERY)
        return ec.STORAGE
    if not audit.ok:
        say(f"liaison: 审计日志校验失败，第 {audit.first_bad} 条：{audit.reason} "
            f"(audit log check failed at entry {audit.first_bad})")
        return ec.AUDIT_BROKEN
    if not args.json:
        what = "逐字节核对 (every byte checked)" if args.full or args.accept_loss else "结构核对 (structure checked)"
        print(f"数据目录完好，{what}；审计日志完好：{audit.entries} 条 "
              f"(data folder intact; audit log intact: {audit.entries} entries)")
    return ec.OK
