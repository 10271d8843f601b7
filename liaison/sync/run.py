"""`liaison sync`: export, then deliver every pending bundle and collect receipts.

A bundle leaves `pending/` only for a receipt that verifies with the office key and
names this very bundle (station, number, digest). Everything else (no answer yet, an
unreachable office, a refusal) leaves it pending, to be sent again next night; the
office's ingest is idempotent, so sending twice is harmless.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..domain.timeutil import iso, now
from ..security import keys
from . import bundle, receipt
from .export import export_locked
from .outbox import Outbox
from .targets import Refused, Unreachable, make


@dataclass
class Report:
    exported: int = 0  # records in the new bundle (0: nothing new)
    bundles: int = 0
    records: int = 0
    delivered: int = 0
    pending: int = 0
    unreachable: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    bad_receipts: list[str] = field(default_factory=list)

    @property
    def result(self) -> str:
        if not self.pending:
            return "ok"
        if self.unreachable:
            return "unreachable"
        if self.refused or self.bad_receipts:
            return "refused"
        return "pending"

    def line(self) -> str:
        return (f"{self.records} records in {self.bundles} bundles, {self.delivered} delivered, "
                f"{self.pending} pending")


def sync(home: Path, targets: list[str], out: Path | None = None,
         progress: Callable[[str], None] = lambda _: None) -> Report:
    box = Outbox(out or Path(home) / "outbox")
    rep = Report()
    with box.locked():
        made = export_locked(home, box)
        rep.exported = made.count
        if made.path:
            progress(f"导出 {made.count} 条、审计日志 {made.audit} 条 → {made.path.name} "
                     f"(exported {made.count} records, {made.audit} audit entries)")
        if made.note:
            progress(made.note)
        office = keys.office_public(home)
        files = box.pending_files()
        waiting: dict[Path, bundle.Parsed] = {}
        for f in files:
            p = bundle.parse(f.read_bytes(), own_outbox=True)
            waiting[f] = p
            rep.bundles += 1
            rep.records += p.manifest["count"]
        for t in (make(x, Path(home)) for x in targets):
            if not waiting:
                break
            try:
                t.open()
                for i, (f, p) in enumerate(list(waiting.items()), 1):
                    progress(f"[{i}/{len(waiting)}] {f.name} → {t.label}")
                    try:
                        got = t.offer(f.name, f.read_bytes())
                    except Refused as e:
                        rep.refused.append(str(e))
                        continue
                    if got is None:
                        continue
                    try:
                        receipt.verify(got, office.ed25519, station=p.station, number=p.number, digest=p.digest)
                    except receipt.ReceiptInvalid as e:
                        rep.bad_receipts.append(f"{f.name}: {e}")
                        continue
                    box.mark_delivered(f, got)
                    del waiting[f]
                    rep.delivered += 1
            except Unreachable as e:
                rep.unreachable.append(str(e))
        rep.pending = len(waiting)
        state = box.state()
        state["last_sync"] = {"at": iso(now()), "result": rep.result, "summary": rep.line(),
                              "pending_bundles": rep.pending}
        box.save_state(state)
    return rep
