"""`liaison add | import | list | show | edit | delete`: consultations from scripts.

Each one unlocks the station first (see auth.py) and writes what it did to the audit
log under the unlocked officer's name.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import orjson

from ..domain.intake import fields_from_input
from ..domain.timeutil import today
from ..domain.validation import FieldError, ValidationError
from ..domain.vocab import CATEGORIES, STATUSES, lookup
from . import CliError
from . import exitcodes as ec
from .auth import add_officer_arg, unlocked
from .output import LIST_HEADERS, list_row, print_json, say, table
from .paper_csv import CsvProblem, mappings, read_text


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("add", parents=[common], help="add one consultation from JSON on stdin")
    p.add_argument("--json", action="store_true", help="print the saved record as JSON")
    add_officer_arg(p)
    p.set_defaults(handler=cmd_add)

    p = sub.add_parser("import", parents=[common], help="import paper records from CSV (all or nothing)")
    p.add_argument("file", type=Path)
    add_officer_arg(p)
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("list", parents=[common], help="list / search consultations, newest first")
    p.add_argument("--search", default="", help="Chinese text, phone tail, pinyin or initials")
    p.add_argument("--status", help="one of: " + ", ".join(STATUSES))
    p.add_argument("--category", help="one of: " + ", ".join(CATEGORIES))
    p.add_argument("--due", action="store_true", help="only follow-ups due today or overdue")
    p.add_argument("--limit", type=int, default=0, help="at most this many (0: all)")
    p.add_argument("--json", action="store_true", help="a JSON array of whole records")
    add_officer_arg(p)
    p.set_defaults(handler=cmd_list)

    p = sub.add_parser("show", parents=[common], help="one consultation in full")
    p.add_argument("key", metavar="ID|REF")
    p.add_argument("--json", action="store_true")
    add_officer_arg(p)
    p.set_defaults(handler=cmd_show)

    p = sub.add_parser("edit", parents=[common], help="change fields (a new version)")
    p.add_argument("key", metavar="ID|REF")
    p.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                   help="e.g. status=resolved, visitor.phone=13800001234, follow_up_on=+2w")
    p.add_argument("--note", help="add a timestamped note")
    p.add_argument("--json", action="store_true")
    add_officer_arg(p)
    p.set_defaults(handler=cmd_edit)

    p = sub.add_parser("delete", parents=[common], help="delete (kept as a tombstone for the office)")
    p.add_argument("key", metavar="ID|REF")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    add_officer_arg(p)
    p.set_defaults(handler=cmd_delete)


def _officer_of(data: dict, officer: str) -> None:
    """A record carries the officer who unlocked; input naming someone else is refused
    rather than silently rewritten (it would put words in a colleague's name)."""
    notes = data.get("notes")
    if not isinstance(notes, list):
        notes = []
    named = [("officer", data.get("officer"))] + [
        (f"notes[{i}].officer", n.get("officer")) for i, n in enumerate(notes) if isinstance(n, dict)]
    errors = [FieldError(field, f"应为已解锁的警员 {officer}，而不是 {name}",
                         f"must be the officer who unlocked ({officer}), not {name!r}")
              for field, name in named if str(name or "").strip() not in ("", officer)]
    if errors:
        raise ValidationError(errors)


# Input is checked before the PIN is asked, so a typo in the JSON costs no unlock; the
# placeholder officer is replaced by the unlocked one when the records are built again.
_ANY_OFFICER = "-"


def _station(args: argparse.Namespace) -> str | None:
    """This station's id, read without a PIN (meta.json is not sealed); None if the
    folder is not set up (the unlock that follows says so)."""
    from ..home import resolve_home
    from ..store.meta import Meta

    home = resolve_home(args.home)
    if not (home / "meta.json").is_file():
        return None
    meta = Meta(home)
    try:
        return meta.get().get("station")
    except Exception:  # NotInitialised or unreadable: reported by `unlocked` below
        return None
    finally:
        meta.close()


def cmd_add(args: argparse.Namespace) -> int:
    raw = sys.stdin.buffer.read()
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as e:
        raise CliError(f"标准输入不是有效的 JSON (stdin is not valid JSON: {e})", ec.INVALID) from None
    if not isinstance(data, dict):
        raise CliError("应为一个 JSON 对象 (expected one JSON object)", ec.INVALID)
    fields_from_input(data, officer=_ANY_OFFICER, station=_station(args))
    with unlocked(args) as (session, store):
        _officer_of(data, session.officer)
        c = store.create(fields_from_input(data, officer=session.officer, station=store.station))
        session.audit("create", c.ref)
    if args.json:
        print_json(c.to_dict())
    else:
        print(f"{c.id}\t{c.ref}")
    return ec.OK


def _refuse_rows(rejected: list, total: int) -> int:
    say(f"liaison: {len(rejected)} 行有误，全部未导入 ({len(rejected)} of {total} rows refused; nothing imported):")
    for line, errors in rejected:
        for err in errors:
            say(f"  第{line}行 line {line}: {err}")
    return ec.INVALID


def cmd_import(args: argparse.Namespace) -> int:
    try:
        rows = mappings(read_text(args.file))
    except FileNotFoundError:
        raise CliError(f"找不到文件 (no such file): {args.file}", ec.NOT_FOUND) from None
    except CsvProblem as e:
        raise CliError(f"{args.file}: {e}", ec.INVALID) from None
    rejected, station = [], _station(args)
    for line, data in rows:
        try:
            fields_from_input(data, officer=_ANY_OFFICER, station=station)
        except ValidationError as e:
            rejected.append((line, e.errors))
    if rejected:
        return _refuse_rows(rejected, len(rows))
    if not rows:
        raise CliError("文件中没有记录 (no records in the file)", ec.INVALID)
    with unlocked(args) as (session, store):
        # A paper form's 接待人 column is kept: it names who received the visitor, which
        # may be a colleague; the audit entry names who typed the batch in.
        made = store.create_many([fields_from_input(data, officer=session.officer, station=store.station)
                                  for _, data in rows])
        # The file's name goes in the sealed details: a file named after a resident
        # must not put that name in the log's clear fields.
        session.audit("import", "import", {"count": len(made), "file": args.file.name})
    say(f"已导入 {len(made)} 条 (imported {len(made)} consultations)")
    for c in made:
        print(f"{c.id}\t{c.ref}")
    return ec.OK


def _code(table: dict, value: str | None, field: str) -> str | None:
    if value is None:
        return None
    code = lookup(table, value)
    if code is None:
        raise ValidationError([FieldError(field, f"未知取值：{value}", f"unknown {field} {value!r}; one of {', '.join(table)}")])
    return code


def cmd_list(args: argparse.Namespace) -> int:
    status = _code(STATUSES, args.status, "status")
    category = _code(CATEGORIES, args.category, "category")
    with unlocked(args) as (session, store):
        rows = store.index.search(args.search, status=status, category=category,
                                  due_by=today() if args.due else None)
        if args.limit > 0:
            rows = rows[: args.limit]
        if args.json:
            records = [c.to_dict() for c in store.load(rows)]
            # Whole records, names and phones unmasked, leave the screen here: one entry
            # for the batch (the masked table is not logged, like the TUI's list).
            session.audit("view", "list", {"count": len(records), "search": args.search})
    if args.json:
        print_json(records)
        return ec.OK
    print(table(LIST_HEADERS, (list_row(r, r.brief) for r in rows), max_widths=(None, 10, 14, 24, 8, 10, 30)))
    say(f"共 {len(rows)} 条 ({len(rows)} consultations)")
    return ec.OK


def cmd_show(args: argparse.Namespace) -> int:
    from .show import render

    with unlocked(args) as (session, store):
        c = store.get(args.key)
        session.audit("view", c.ref)
    if args.json:
        print_json(c.to_dict())
    else:
        print(render(c))
    return ec.OK


def cmd_edit(args: argparse.Namespace) -> int:
    edits = {}
    for item in args.set:
        name, sep, value = item.partition("=")
        if not sep:
            raise CliError(f"--set 需要 字段=值 的形式 (expected FIELD=VALUE, got {item!r})", ec.USAGE)
        edits[name.strip()] = value
    if not edits and args.note is None:
        raise CliError("没有要修改的内容：请给出 --set 或 --note (nothing to change: give --set or --note)", ec.USAGE)
    with unlocked(args) as (session, store):
        c = store.edit(args.key, edits) if edits else store.get(args.key)
        if args.note is not None:
            c = store.add_note(c.id, args.note)  # signed by store.officer, the unlocked one
        session.audit("edit", c.ref, {"fields": sorted(edits), "note": args.note is not None})
    if args.json:
        print_json(c.to_dict())
    else:
        print(f"{c.id}\t{c.ref}\tv{c.version}")
    return ec.OK


def cmd_delete(args: argparse.Namespace) -> int:
    if not args.yes and not sys.stdin.isatty():  # refused before a PIN is asked for nothing
        raise CliError("删除需要确认：请加 --yes (deleting needs confirmation: add --yes)", ec.USAGE)
    with unlocked(args) as (session, store):
        c = store.get(args.key)
        if not args.yes:
            answer = input(f"确定删除 {c.ref}「{c.summary[:20]}」？输入 y 确认 (delete? y/N) ")
            if answer.strip().lower() not in ("y", "yes", "是"):
                say("未删除 (not deleted)")
                return ec.OK
        c = store.delete(c.id)
        session.audit("delete", c.ref)
    print(f"{c.id}\t{c.ref}\tdeleted")
    return ec.OK
