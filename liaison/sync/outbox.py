"""The station's outbox folder: pending/, delivered/, state.json (see exports/README.md).

The bundle files are the truth; state.json is a checkpoint derived from them. Export
writes the bundle durably first and the state second, so a crash in between leaves a
bundle the state does not mention yet: `recover` adopts it (its signature is ours and
its prev_digest continues the chain) before anything else happens. Hence no change is
skipped (the checkpoint only moves past changes that are in a durable bundle) and no
bundle number is used twice.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, ContextManager

import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ..store.atomic import atomic_write, fsync_dir
from ..store.lock import locked_file
from . import bundle
from . import receipt as receipts
from .bundle import BundleRejected

STATE = "state.json"
NAME = re.compile(r"^(?P<station>.+)-(?P<n>\d{6,})\.bundle$")
LOCK_WAIT = 30.0  # a second sync (cron + a manual run) waits this long for the first


def _audit_mark(state: dict[str, Any], manifest: dict[str, Any]) -> dict[str, Any]:
    """(audit_n, audit_head): the last audit entry shipped and its hash, as the bundle
    says (older bundles say nothing: the state's stand). Not a maximum: after the
    station's log was rolled back, a bundle resends it from the start and the mark
    moves down with it."""
    to, head = manifest.get("audit_to"), manifest.get("audit_head")
    if not isinstance(to, int) or isinstance(to, bool):
        return {"audit_n": int(state.get("audit_n", 0)), "audit_head": state.get("audit_head")}
    return {"audit_n": to, "audit_head": head if isinstance(head, str) else None}


class OutboxBusy(Exception):
    pass


class OutboxBroken(Exception):
    pass


class Outbox:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.pending = self.root / "pending"
        self.delivered = self.root / "delivered"
        for d in (self.root, self.pending, self.delivered):
            d.mkdir(parents=True, exist_ok=True, mode=0o700)  # bundles are encrypted, receipts are not secret; still owner-only

    def locked(self, wait: float = LOCK_WAIT) -> ContextManager[None]:
        """One export/sync per outbox at a time: two would both number bundle N."""
        return locked_file(self.root / "outbox.lock", wait, lambda: OutboxBusy(
            f"另一个同步程序正在使用发件箱 {self.root} (another export/sync is using {self.root})"))

    # -- state -----------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        try:
            state = orjson.loads((self.root / STATE).read_bytes())
        except FileNotFoundError:
            return {"checkpoint": 0, "last_bundle": 0, "last_digest": "", "last_sync": None, "audit_n": 0}
        except orjson.JSONDecodeError as e:  # atomic writes make this a foreign edit, not a crash
            raise OutboxBroken(f"发件箱状态文件已损坏：{self.root / STATE} (unreadable outbox state: {e})") from None
        if not isinstance(state, dict):
            raise OutboxBroken(f"发件箱状态文件已损坏：{self.root / STATE} (unreadable outbox state: not an object)")
        return state

    def save_state(self, state: dict[str, Any]) -> None:
        atomic_write(self.root / STATE, orjson.dumps(state, option=orjson.OPT_INDENT_2))

    # -- bundles ---------------------------------------------------------------------
    def pending_files(self) -> list[Path]:
        return sorted(p for p in self.pending.iterdir() if NAME.match(p.name))

    def _numbered(self, station: str) -> dict[int, Path]:
        out = {}
        for folder in (self.delivered, self.pending):  # pending wins if both hold one
            for p in folder.iterdir():
                m = NAME.match(p.name)
                if m and m["station"] == station:
                    out[int(m["n"])] = p
        return out

    def recover(self, station: str, own_key: Ed25519PublicKey) -> dict[str, Any]:
        """The state, after adopting bundles a crash left unrecorded."""
        state = self.state()
        files = self._numbered(station)
        n = state["last_bundle"] + 1
        while n in files:
            try:
                p = bundle.parse(files[n].read_bytes(), own_outbox=True)
                bundle.verify(p, own_key)
            except BundleRejected as e:
                raise OutboxBroken(f"发件箱中的 {files[n].name} 无法识别 (cannot adopt {files[n].name}: {e})") from None
            if p.manifest["prev_digest"] != state["last_digest"] or p.station != station:
                raise OutboxBroken(f"发件箱中的 {files[n].name} 与之前的数据包不衔接 "
                                   f"({files[n].name} does not continue the chain of bundles)")
            state.update(checkpoint=max(state["checkpoint"], p.manifest["seq_to"]),
                         last_bundle=n, last_digest=p.digest, **_audit_mark(state, p.manifest))
            self.save_state(state)
            n += 1
        return state

    def add(self, built: bundle.Built, state: dict[str, Any]) -> Path:
        m = built.manifest
        path = self.pending / bundle.file_name(m["station"], m["bundle"])
        atomic_write(path, built.data)  # durable before the checkpoint moves past its records
        state.update(checkpoint=max(state["checkpoint"], m["seq_to"]), last_bundle=m["bundle"], last_digest=built.digest,
                     **_audit_mark(state, m))
        self.save_state(state)
        return path

    def acked_seq(self, station: str, office_key: Ed25519PublicKey) -> int:
        """The highest change `seq` the office has acknowledged with nothing missing
        below it: bundles 1..k all delivered, each with a receipt that verifies now,
        give the highest seq_to among them. Records whose current seq is at most this
        are at the office in that very version (what `liaison purge` relies on).

        A gap (bundle k+1 not yet acknowledged, even if k+2 is) stops the count: the
        seq ranges of bundles are contiguous, so a record in k+1 is not covered by
        k+2's receipt. The result is remembered in the state (call with the outbox
        locked) so each receipt is checked once."""
        state = self.state()
        k, seq = int(state.get("acked_bundle", 0)), int(state.get("acked_seq", 0))
        done = {}
        for p in self.delivered.iterdir():
            m = NAME.match(p.name)
            if m and m["station"] == station:
                done[int(m["n"])] = p
        moved = False
        while k + 1 in done:
            p = done[k + 1]
            try:
                parsed = bundle.parse(p.read_bytes(), own_outbox=True)
                rec = (self.delivered / receipts.file_name(p.name)).read_bytes()
                receipts.verify(rec, office_key, station=station, number=k + 1, digest=parsed.digest)
            except (BundleRejected, receipts.ReceiptInvalid, FileNotFoundError):
                break
            k, seq, moved = k + 1, max(seq, parsed.manifest["seq_to"]), True
        if moved:
            self.save_state({**self.state(), "acked_bundle": k, "acked_seq": seq})
        return seq

    def mark_delivered(self, path: Path, receipt: bytes) -> None:
        """Keep the receipt beside the bundle, then move the bundle (never delete it)."""
        atomic_write(self.delivered / (path.name.removesuffix(".bundle") + ".receipt.json"), receipt)
        os.replace(path, self.delivered / path.name)
        fsync_dir(self.delivered)
        fsync_dir(self.pending)
