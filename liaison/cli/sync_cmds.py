"""`liaison keys | export | sync`: the station's side of the nightly sync.

Never imports textual (the nightly job runs unattended, with or without the TUI open).
"""

from __future__ import annotations

import argparse
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..home import resolve_home
from . import CliError
from . import exitcodes as ec
from .output import print_json, say


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("keys", parents=[common], help="station signing key, office key, sync targets / 同步密钥")
    p.add_argument("--hq-key", type=Path, metavar="FILE", help="install the office's office.pub.json")
    p.add_argument("--sync-to", action="append", metavar="DIR|URL", help="set the sync target(s)")
    p.set_defaults(handler=cmd_keys)

    p = sub.add_parser("export", parents=[common], help="write one bundle of all changes since the last / 导出数据包")
    p.add_argument("--out", type=Path, metavar="DIR", help="outbox folder (default: <data folder>/outbox)")
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser("sync", parents=[common], help="export, deliver to the office, collect receipts / 同步到院本部")
    p.add_argument("--to", action="append", metavar="DIR|URL", help="target(s) for this run (default: sync.json)")
    p.add_argument("--out", type=Path, metavar="DIR", help="outbox folder (default: <data folder>/outbox)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(handler=cmd_sync)


@contextmanager
def sync_errors() -> Iterator[None]:
    """The sync package's refusals as CLI errors (store errors are mapped by cli._run)."""
    from ..security.keys import KeyProblem
    from ..sync.bundle import BundleRejected
    from ..sync.config import ConfigProblem
    from ..sync.export import ExportBusy
    from ..sync.outbox import OutboxBroken, OutboxBusy

    try:
        yield
    except KeyProblem as e:
        raise CliError(str(e), ec.KEYS) from None
    except (OutboxBusy, ExportBusy) as e:
        raise CliError(str(e), ec.BUSY) from None
    except (OutboxBroken, BundleRejected) as e:
        raise CliError(f"发件箱异常 (outbox problem): {e}", ec.STORAGE) from None
    except ConfigProblem as e:
        raise CliError(str(e), ec.NOT_SET_UP) from None


def setup_keys(home: Path, station: str, hq_key: Path | None, sync_to: list[str] | None) -> Path:
    """Shared by `liaison init` and `liaison keys`: returns the station public key file."""
    from ..security import keys
    from ..sync import config

    with sync_errors():
        pub = keys.ensure_station_keys(home, station)
        if hq_key is not None:
            if not hq_key.is_file():
                raise CliError(f"找不到院本部公钥文件 (no such file): {hq_key}", ec.NOT_FOUND)
            say(f"已安装院本部公钥 (office key installed): {keys.install_office_key(home, hq_key)}")
        if sync_to:
            say(f"同步目标 (sync targets): {', '.join(sync_to)} → {config.set_targets(home, sync_to)}")
    return pub


def cmd_keys(args: argparse.Namespace) -> int:
    from ..security.keys import b64d, fingerprint, read_json

    home = resolve_home(args.home)
    pub = setup_keys(home, station_of(home), args.hq_key, args.sync_to)
    # The office's `hq enroll` prints the same form: the operator compares the two.
    raw = b64d(read_json(pub, "站点公钥 station public key")["ed25519"])
    say(f"站点公钥指纹 (station key fingerprint) {fingerprint(raw)}")
    print(pub)
    return ec.OK


def station_of(home: Path) -> str:
    """The station id from the folder's facts, without loading its records."""
    from ..store.meta import Meta

    meta = Meta(home)
    try:
        return meta.get()["station"]  # raises NotInitialised
    finally:
        meta.close()


def cmd_export(args: argparse.Namespace) -> int:
    from ..store import Store
    from ..sync.export import export

    home = resolve_home(args.home)
    Store.check_ready(home)
    with sync_errors():
        made = export(home, args.out)
    if made.path is None:
        say(f"没有新的变更，未生成数据包 (nothing changed since bundle {made.number}; no bundle written)")
        return ec.OK
    say(f"已导出 {made.count} 条、审计日志 {made.audit} 条到第 {made.number} 号数据包 "
        f"(exported {made.count} records and {made.audit} audit entries)")
    if made.note:
        say(made.note)
    print(made.path)
    return ec.OK


def cmd_sync(args: argparse.Namespace) -> int:
    from ..store import Store
    from ..sync import config
    from ..sync.run import sync

    home = resolve_home(args.home)
    Store.check_ready(home)
    with sync_errors():
        targets = args.to or config.targets(home)
        if not targets:
            raise CliError("未配置同步目标：请用 --to DIR|URL 或 liaison keys --sync-to DIR|URL "
                           "(no sync target: give --to DIR|URL or set one with `liaison keys --sync-to`)", ec.USAGE)
        tty = sys.stderr.isatty()
        rep = sync(home, targets, args.out, progress=say if tty else (lambda _: None))
    for msg in rep.unreachable + rep.refused + rep.bad_receipts:
        say(f"liaison sync: {msg}")
    if args.json:
        print_json({"result": rep.result, "exported": rep.exported, "records": rep.records, "bundles": rep.bundles,
                    "delivered": rep.delivered, "pending": rep.pending, "unreachable": rep.unreachable,
                    "refused": rep.refused, "bad_receipts": rep.bad_receipts})
    else:
        print(rep.line())
    return {"ok": ec.OK, "pending": ec.SYNC_PENDING, "unreachable": ec.UNREACHABLE, "refused": ec.REFUSED}[rep.result]
