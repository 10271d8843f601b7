"""`liaison hq clusters`: clusters of similar complaints across stations (类案), as text
or as JSON streamed a few thousand members at a time."""

from __future__ import annotations

import argparse
from typing import Any, Callable, Sequence

from . import CliError
from . import exitcodes as ec
from .auth import add_officer_arg
from .output import say, table


def register_clusters(hsub: argparse._SubParsersAction, c: argparse.ArgumentParser) -> None:
    p = hsub.add_parser("clusters", parents=[c], help="clusters of similar complaints across stations (类案)")
    p.add_argument("--json", action="store_true", help="clusters with their member ids, as JSON")
    p.add_argument("--since", metavar="YYYY-MM-DD", help="only visits on or after this day")
    p.add_argument("--window-days", type=int, default=90, metavar="N", help="largest gap in days between linked visits")
    p.add_argument("--members", type=int, default=MEMBERS, metavar="N",
                   help=f"text: the latest N members of each cluster (default {MEMBERS}; 0: every member)")
    add_officer_arg(p)
    p.set_defaults(handler=cmd_clusters)


def _print_clusters_json(head: dict, clusters: list) -> None:
    """print_json of head + {"clusters": [...]}, the same text, written a few thousand
    members at a time: at 600 000 records the whole text is ~280 million characters,
    held three times over (bytes, str, the stream's buffer) when made at once. It is
    made as orjson's bytes, which go straight to a UTF-8 stdout's buffer (decoding them
    to be encoded again was a third of writing them)."""
    import sys

    import orjson

    from ..reports.clusters import ID
    from ..store.gcpause import paused

    out = sys.stdout
    raw = getattr(out, "buffer", None) if (out.encoding or "").lower().replace("-", "") == "utf8" else None
    if raw is not None:
        out.flush()  # what the text layer holds goes first
    write: Callable[[bytes], Any] = raw.write if raw is not None else lambda b: out.write(b.decode())

    def dumps(value: Any) -> bytes:
        return orjson.dumps(value, option=orjson.OPT_INDENT_2)

    def items(values: Sequence[Any], pad: bytes) -> None:
        """The items of a JSON list, as print_json indents them at `pad`."""
        for start in range(0, len(values), _CHUNK):
            chunk = dumps(values[start:start + _CHUNK])[2:-2]  # without "[\n" and "\n]"
            write((b",\n" if start else b"") + pad + chunk.replace(b"\n", b"\n" + pad))

    with paused():  # a city's 600 000 member dicts, made and dropped a chunk at a time: no cycle among them
        whole = dumps({**head, "clusters": []})
        if not clusters:
            write(whole + b"\n")
        else:
            write(whole[:-len(b"[]\n}")] + b"[\n")
            for n, k in enumerate(clusters):
                # each member's dict made as its chunk is written, not a whole cluster's at once
                lists: dict[str, Sequence[Any]] = {"member_ids": k.members.column(ID), "members": k.members}
                text = dumps({**k.to_dict(members=False), "member_ids": [0], "members": [0]})  # where each list goes
                write(b",\n" if n else b"")
                for m, part in enumerate(text.split(b"[\n    0\n  ]")):  # the marks, in to_dict's key order
                    write((b"" if m else b"    ") + part.replace(b"\n", b"\n    "))
                    if lists:
                        write(b"[\n")
                        items(lists.pop(next(iter(lists))), b" " * 6)
                        write(b"\n      ]")
            write(b"\n  ]\n}\n")
    if raw is not None:
        raw.flush()


STATIONS = 5  # named in a cluster's heading before the rest are counted


def station_list(names: list[str], most: int = STATIONS) -> str:
    """The stations a cluster spans, for its heading: a city's largest span all 192, and
    a heading of 192 names says less than its count (--json lists every one)."""
    if len(names) <= most + 1:  # never "and 1 more" in place of the one name
        return "、".join(names)
    return f"{'、'.join(names[:most])} 等 {len(names)} 个站点 ({len(names)} stations)"


_CHUNK = 2_000
# A terminal is read by a person: a cluster's latest visits say what it is about, and a
# city's largest clusters hold tens of thousands (every member stays in --json).
MEMBERS = 20


def cmd_clusters(args: argparse.Namespace) -> int:
    from datetime import date

    try:
        since = date.fromisoformat(args.since).isoformat() if args.since else None
    except ValueError:
        raise CliError(f"--since 应为 YYYY-MM-DD：{args.since!r} (expected a date YYYY-MM-DD)", ec.INVALID) from None
    if args.window_days < 1:
        raise CliError(f"--window-days 应为正整数：{args.window_days} (must be at least 1)", ec.INVALID)
    if args.members < 0:
        raise CliError(f"--members 应为非负整数：{args.members} (must be 0 or more)", ec.INVALID)
    from ..store.gcpause import paused

    # Through the printing, until the clusters are freed: re-enabled as soon as they were
    # found, the collector's first pass walked a city's millions of containers (~0.5 s)
    # that reference counts free anyway (no cycle among them).
    with paused():
        return _clusters(args, since)


def _clusters(args: argparse.Namespace, since: str | None) -> int:
    from ..domain.text import safe_text
    from ..hq import cluster_index
    from ..hq.report import station_names
    from ..hq.views import written_meanwhile
    from ..reports.clusters import ACTIONS, SIMILAR, find_clusters_columns
    from .hq_staff_cmds import say_altered, unlocked_office

    with unlocked_office(args) as staff:
        later: list[Callable[[], Callable[[], bool]]] = []
        altered: list[str] = []
        features = cluster_index.columns(staff.office.db, staff.opener, since, later, altered)
        say_altered(staff, altered)
        # The office's view, kept after the read (skipped if a merge holds the office): its
        # blobs made first, written while the clusters are found (nothing in here touches
        # the office's database).
        with written_meanwhile(later):
            clusters = find_clusters_columns(features, window_days=args.window_days, since=since)
        staff.audit("report", "hq clusters", clusters=len(clusters))
    if args.json:
        _print_clusters_json({"window_days": args.window_days, "since": since, "threshold": SIMILAR}, clusters)
        return ec.OK
    names = station_names({s for k in clusters for s in k.stations})  # the profiles read once, not per cluster
    for k in clusters:
        where = station_list([names[s] for s in k.stations])
        print(safe_text(f"类案 {k.id} · {len(k.members)}件 · {where} · {k.first} 至 {k.last}"))
        print(safe_text("  共同点 shared: " + "；".join(f"{x['label']} {x['value']}" for x in k.keys)))
        print(safe_text(f"  建议 suggested: {ACTIONS[k.action][0]}"))
        members = k.members
        shown = members[-args.members:] if args.members else list(members)  # oldest first: the latest N
        if len(shown) < len(members):
            print(f"  此前还有 {len(members) - len(shown)} 件，--json 或 --members 0 列出全部 "
                  f"({len(members) - len(shown)} earlier visits; --json or --members 0 lists every member)")
        print(table(("编号 Ref", "日期 Date", "站点 Station", "摘要 Summary"),
                    [(m["ref"], m["date"], names[m["station"]], m["summary"]) for m in shown],
                    max_widths=(None, 10, 24, 50)))
        print()
    say(f"共发现类案 {len(clusters)} 组 ({len(clusters)} clusters; window {args.window_days} days)"
        if clusters else "没有发现类案 (no clusters found)")
    return ec.OK
