"""`liaison hq init | enroll | ingest | serve | status | list | report`: the district office.

`liaison hq` alone opens the office dashboard; textual is imported inside that handler
only, so the nightly `liaison sync` and `liaison hq ingest` never load it."""

from __future__ import annotations

import argparse
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from . import CliError
from . import exitcodes as ec
from .auth import add_officer_arg
from .output import print_json, say, table

if TYPE_CHECKING:
    from ..hq.office import Office


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    hq = sub.add_parser("hq", help="district office: receive station bundles, reports; alone: the dashboard / 院本部",
                        description="院本部 district office. Without HQ_COMMAND: open the office dashboard.")
    hq.add_argument("--hq-home", "--home", dest="hq_home", metavar="DIR",
                    help="office data folder (default: $LIAISON_HQ_HOME, else the user data folder 'liaison-hq')")
    hq.set_defaults(handler=cmd_dashboard)
    hsub = hq.add_subparsers(dest="hq_command", metavar="HQ_COMMAND")
    c = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: when given only before the subcommand (`hq --home X status`), keep that value.
    c.add_argument("--hq-home", "--home", dest="hq_home", metavar="DIR", default=argparse.SUPPRESS,
                   help="office data folder (default: $LIAISON_HQ_HOME, else the user data folder 'liaison-hq')")

    p = hsub.add_parser("init", parents=[c], help="create the office keys and the first office officer; prints "
                        "office.pub.json's path, then, the first time, the recovery code — once",
                        description="PIN asked twice on the terminal; for scripts only: --officer NAME and LIAISON_PIN.")
    p.add_argument("--name", default="", help="office name shown on receipts")
    p.add_argument("--officer", metavar="NAME", help="first office officer (their PIN opens the office's records)")
    p.set_defaults(handler=cmd_init)
    p = hsub.add_parser("enroll", parents=[c], help="register a station's station.pub.json")
    p.add_argument("pub", type=Path, metavar="STATION.pub.json")
    p.add_argument("--replace", action="store_true",
                   help="replace the key of an enrolled station (compare fingerprints first); the old key is revoked")
    p.set_defaults(handler=cmd_enroll)
    p = hsub.add_parser("ingest", parents=[c], help="ingest every bundle in a folder; receipts to ../receipts")
    p.add_argument("inbox", type=Path, metavar="INBOX_DIR")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_ingest)
    p = hsub.add_parser("serve", parents=[c], help="HTTP inbox: POST /bundles, GET /health")
    p.add_argument("--bind", default="127.0.0.1:8765", metavar="HOST:PORT")
    p.add_argument("--max-bytes", type=int, default=256 * 1024 * 1024, help="largest bundle accepted (413 above)")
    p.set_defaults(handler=cmd_serve)
    p = hsub.add_parser("status", parents=[c], help="per station: last bundle, gaps, conflicts; quarantine")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_status)
    p = hsub.add_parser("list", parents=[c], help="the office's records (an office officer's PIN; audited)")
    p.add_argument("--json", action="store_true", help="every field, as JSON (personal data: keep the output safe)")
    p.add_argument("--all", action="store_true", help="include deleted records (tombstones)")
    add_officer_arg(p)
    p.set_defaults(handler=cmd_list)
    from . import hq_staff_cmds
    from .hq_clusters import register_clusters
    from .hq_report import register_report  # its own modules: this one stays small

    register_report(hsub, c)
    register_clusters(hsub, c)
    hq_staff_cmds.register(hsub, c)
    add_officer_arg(hq)


@contextmanager
def office(args: argparse.Namespace) -> Iterator["Office"]:
    from ..hq.office import Office, resolve_hq_home
    from ..security.keys import KeyProblem

    try:
        o = Office(resolve_hq_home(args.hq_home))
    except KeyProblem as e:
        raise CliError(str(e), ec.NOT_SET_UP) from None
    try:
        yield o
    finally:
        o.close()


def cmd_init(args: argparse.Namespace) -> int:
    from ..hq.office import init_office, resolve_hq_home
    from .hq_staff_cmds import first_officer_setup

    home = resolve_hq_home(args.hq_home)
    pub = init_office(home, args.name)
    say(f"院本部已设置，数据目录 {home}；请把公钥文件交给各站点 (office set up; give this file to every station)")
    print(pub, flush=True)
    first_officer_setup(home, args.officer)
    return ec.OK


def cmd_enroll(args: argparse.Namespace) -> int:
    from ..hq.lock import OfficeBusy
    from ..security.keys import KeyProblem

    with office(args) as o:
        try:
            station, what, new_fp, old_fp = o.enroll(args.pub, replace=args.replace)
        except KeyProblem as e:
            raise CliError(str(e), ec.KEYS) from None
        except OfficeBusy as e:
            raise CliError(str(e), ec.BUSY) from None
    if what == "replaced":
        say(f"已更换站点 {station} 的公钥：旧 {old_fp}（已吊销）→ 新 {new_fp} "
            f"(replaced the key of {station}: old {old_fp}, revoked; new {new_fp})")
    elif what == "same":
        say(f"站点已登记，公钥相同 (already enrolled with this key) {station}，指纹 fingerprint {new_fp}")
    else:
        say(f"已登记站点 (enrolled) {station}，指纹 fingerprint {new_fp}")
    print(station)
    return ec.OK


def cmd_ingest(args: argparse.Namespace) -> int:
    from ..hq.ingest import ingest_folder

    if not args.inbox.is_dir():
        raise CliError(f"收件目录不存在 (no such inbox folder): {args.inbox}", ec.NOT_FOUND)
    from ..hq.lock import OfficeBusy
    from .hq_staff_cmds import sealed_errors

    with office(args) as o, sealed_errors():
        try:
            summary, outcomes = ingest_folder(o, args.inbox)
        except OfficeBusy as e:  # the bundles not yet merged stay in the inbox for the next run
            raise CliError(str(e), ec.BUSY) from None
    for out in outcomes:
        if out.status == "quarantined":
            say(f"隔离 quarantined {out.name}: {out.reason}")
        elif out.status == "replay":
            say(f"重复数据包 replay {out.name}: 已收过，回执已重发 (already ingested; receipt re-issued)")
    for out in outcomes:
        if out.counts.get("refused"):
            say(f"拒收记录 refused {out.counts['refused']} 条 in {out.name}: 不符合录入规则，原因见 quarantine/"
                f"{out.name}.refused.reason.txt (records that fail the station's rules; the rest were ingested)")
        if out.counts.get("foreign"):
            say(f"他站记录 foreign {out.counts['foreign']} 条 in {out.name}: 记录属于另一站点，已拒收，见 quarantine/"
                f"{out.name}.foreign.reason.txt (records of another station: refused; the rest were ingested)")
    for station, missing in summary["missing"].items():
        say(f"缺号 gap: {station} 缺少数据包 missing bundles {', '.join(map(str, missing))}")
    if summary["audit_breaks"]:
        say(f"审计日志断链 {summary['audit_breaks']} 处，见 liaison hq status "
            f"({summary['audit_breaks']} audit chain breaks found; see `liaison hq status`)")
    if args.json:
        print_json(summary)
    else:
        print(" ".join(f"{k}={summary[k]}" for k in ("bundles", "accepted", "duplicates", "conflicts", "stale",
                                                    "refused", "foreign", "quarantined", "gaps", "replays")))
    return ec.QUARANTINED if summary["quarantined"] or summary["refused"] or summary["foreign"] else ec.OK


def cmd_serve(args: argparse.Namespace) -> int:
    from ..hq.office import resolve_hq_home
    from ..hq.server import serve

    host, _, port = args.bind.rpartition(":")
    if not host or not port.isdigit():
        raise CliError(f"--bind 应为 HOST:PORT (expected HOST:PORT, got {args.bind!r})", ec.USAGE)
    from .hq_staff_cmds import no_staff

    with office(args) as o:  # refuse to start on a folder that is not set up
        if not o.sealed:  # nothing may arrive before it can be kept sealed
            raise no_staff(o.home)
    say(f"院本部收件服务 (office inbox) http://{host}:{port}/bundles")
    try:
        serve(resolve_hq_home(args.hq_home), host, int(port), args.max_bytes)
    except OSError as e:
        raise CliError(f"无法监听 {args.bind}：{e.strerror} (cannot listen on {args.bind})", ec.UNREACHABLE) from None
    return ec.OK


def cmd_status(args: argparse.Namespace) -> int:
    with office(args) as o:
        from ..hq.quarantine import Quarantine

        stations = o.db.status_rows()
        held = Quarantine(o.quarantine)
        quarantine = held.summary()
        quarantined = sorted(p.name for p in held.bundles())
    breaks = sum(len(s["audit"]["breaks"]) for s in stations)
    if args.json:
        print_json({"stations": stations, "quarantined": len(quarantined), "quarantine_files": quarantined,
                    "quarantine": quarantine,
                    "gaps": sum(len(s["gaps"]) for s in stations), "conflicts": sum(s["conflicts"] for s in stations),
                    "audit_breaks": breaks, "foreign": sum(s["foreign"] for s in stations)})
        return ec.OK
    print(table(("站点 Station", "最后包 Last", "接收时间 Received", "缺号 Gaps", "冲突 Conflicts", "记录 Records",
                 "审计 Audit"),
                [(s["station"], str(s["last_bundle"]), s["last_received_at"] or "-",
                  ",".join(map(str, s["gaps"])) or "-", str(s["conflicts"]), str(s["records"]),
                  f"{s['audit']['entries']} 条 ok" if s["audit"]["ok"] else
                  f"断链 BROKEN ×{len(s['audit']['breaks'])}") for s in stations]))
    for s in stations:
        for b in s["audit"]["breaks"]:
            say(f"审计日志断链 audit chain break: {s['station']} 第 {b['n']} 条 entry {b['n']} "
                f"(第 {b['bundle']} 号数据包 bundle {b['bundle']}): {b['reason']}")
    for s in stations:
        for f in s["foreign_records"]:
            say(f"他站记录 foreign record: {f['id']} 属于 {f['owner']}，{s['station']} 第 {f['bundle']} 号数据包发来，"
                f"已拒收 (belongs to {f['owner']}, sent by {s['station']} in bundle {f['bundle']}: refused)")
    q = quarantine
    say(f"隔离区 quarantine: {q['files']} 个数据包 bundles, {q['bytes'] / 1e6:.1f} MB"
        f"（上限 {q['max_files']} 个 / {q['max_bytes'] // 2**20} MiB; limit）"
        + (f"，已按上限删除最早的 {q['dropped']} 个 ({q['dropped']} oldest dropped at the limit)" if q["dropped"] else "")
        + (f"; 最新 latest: {', '.join(q['latest'])}" if q["latest"] else ""))
    return ec.OK


def cmd_list(args: argparse.Namespace) -> int:
    from .hq_staff_cmds import unlocked_office

    with unlocked_office(args) as staff:
        records = list(staff.records(include_deleted=args.all))
        staff.audit("view", "hq list", records=len(records), json=bool(args.json))
    if args.json:
        print_json(records)
        return ec.OK
    print(table(("站点 Station", "编号 Ref", "日期 Date", "类别 Category", "状态 Status", "版本 v", "摘要 Summary"),
                [(r["station"], r["ref"], r["visited_at"][:10], r["category"], r["status"], str(r["version"]),
                  r["summary"]) for r in records], max_widths=(18, None, 10, 12, 10, 4, 30)))
    say(f"共 {len(records)} 条 ({len(records)} records)")
    return ec.OK


def cmd_dashboard(args: argparse.Namespace) -> int:
    from .hq_staff_cmds import unlocked_office

    # The PIN on the terminal before any screen opens (and a clear "not set up" message).
    with unlocked_office(args) as staff:
        staff.audit("view", "hq dashboard")
        from ..tui.hq_app import build_hq_app  # here only: sync and ingest never load textual

        build_hq_app(staff).run()
    return ec.OK
