"""`liaison purge [--older-than 3y|18m|90d] [--dry-run] [--json]`: retention.

Removes the personal fields of closed consultations visited before the cutoff, but
only of those whose current version the district office has acknowledged with a
verified receipt (see store.retention): nothing leaves the station that the office
may not hold. The default age is the station profile's `retention_years`. Needs an
unlocked station (the records are rewritten); every real purge is audited.
"""

from __future__ import annotations

import argparse
import calendar
import re
from datetime import date
from pathlib import Path

from ..domain.timeutil import today
from . import CliError
from . import exitcodes as ec
from .auth import add_officer_arg, unlocked_store
from .output import print_json, say

AGE = re.compile(r"^\s*(\d{1,4})\s*(y|m|d|年|个月|月|天|日)\s*$", re.IGNORECASE)
UNIT = {"y": "y", "年": "y", "m": "m", "个月": "m", "月": "m", "d": "d", "天": "d", "日": "d"}


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("purge", parents=[common],
                       help="remove personal fields of old closed consultations the office has acknowledged")
    p.add_argument("--older-than", metavar="AGE",
                   help="visited longer ago than this: 3y, 18m or 90d (default: the profile's retention_years)")
    p.add_argument("--dry-run", action="store_true", help="only report what would be removed")
    p.add_argument("--json", action="store_true", help="print {cutoff, purged, purged_refs, kept_no_receipt, ...}")
    p.add_argument("--out", type=Path, metavar="DIR", help="outbox folder with the receipts (default: <data folder>/outbox)")
    add_officer_arg(p)
    p.set_defaults(handler=cmd_purge)


def parse_age(text: str) -> tuple[int, str]:
    m = AGE.match(text or "")
    limit = {"y": 100, "m": 1200, "d": 36500}  # beyond a century is a typo, and no date exists there
    if not m or not 1 <= int(m[1]) <= limit[UNIT[m[2].lower()]]:
        raise CliError(f"--older-than 应为 3y、18m 或 90d 这样的时长：{text!r} "
                       f"(expected an age such as 3y, 18m or 90d)", ec.USAGE)
    return int(m[1]), UNIT[m[2].lower()]


def cutoff(on: date, n: int, unit: str) -> date:
    """`on` minus n years / months / days (29 Feb and the 31st fall back to the month's last day)."""
    if unit == "d":
        return date.fromordinal(on.toordinal() - n)
    months = on.year * 12 + on.month - 1 - (n * 12 if unit == "y" else n)
    y, m = divmod(months, 12)
    return date(y, m + 1, min(on.day, calendar.monthrange(y, m + 1)[1]))


def _acked_seq(home: Path, out: Path | None, station: str) -> tuple[int, str]:
    """(acknowledged seq, why it is 0 when it is)."""
    from ..security import keys
    from ..sync.outbox import Outbox, OutboxBroken, OutboxBusy

    try:
        office = keys.office_public(home)
    except keys.KeyProblem:
        return 0, "未安装院本部公钥，无法核对回执 (no office key installed: no receipt can be checked)"
    box = Outbox(out or home / "outbox")
    try:
        with box.locked():
            seq = box.acked_seq(station, office.ed25519)
    except OutboxBusy as e:
        raise CliError(str(e), ec.BUSY) from None
    except OutboxBroken as e:
        raise CliError(f"发件箱异常 (outbox problem): {e}", ec.STORAGE) from None
    return seq, "" if seq else "尚未收到院本部的回执 (no receipt from the office yet)"


def cmd_purge(args: argparse.Namespace) -> int:
    from ..profiles import get_station

    age = parse_age(args.older_than) if args.older_than else None  # a typo is refused before the PIN
    session, store = unlocked_store(args)
    try:
        if age is None:
            age = (get_station(store.station).retention_years, "y")
        before = cutoff(today(), *age)
        acked, why = _acked_seq(session.home, args.out, store.station)
        done = store.purge(before=before, acked_seq=acked, dry_run=args.dry_run)
        if not args.dry_run:
            session.audit("purge", details={"cutoff": done.cutoff, "purged": done.purged,
                                            "kept_no_receipt": len(done.kept)})
    finally:
        store.close()
    if done.kept and why:
        say(f"liaison: {why}")
    if args.json:
        print_json({**done.to_dict(), "dry_run": args.dry_run, "acked_seq": acked})
        return ec.OK
    verb = ("将清除 (would purge)" if args.dry_run else "已清除 (purged)")
    print(f"{verb} {len(done.purged)} 条：{before.isoformat()} 之前来访、已办结的记录的个人信息 "
          f"(personal fields of {len(done.purged)} closed consultations visited before {before.isoformat()})")
    for ref in done.purged:
        print(f"  - {ref}")
    if done.kept:
        print(f"保留 {len(done.kept)} 条：院本部尚未确认收到其最新版本 "
              f"(kept {len(done.kept)}: the office has not yet acknowledged their latest version)")
        for ref in done.kept:
            print(f"  - {ref}")
    if done.already:
        say(f"此前已清除 {done.already} 条 ({done.already} were purged before)")
    return ec.OK
