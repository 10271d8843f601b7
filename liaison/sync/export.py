"""`liaison export`: one bundle with every change after the checkpoint.

The station's records are read by Store.read_changes: without the store's write lock
(the TUI may be saving), then confirmed under it for an instant, so the bundle is
always a consistent snapshot and its highest `seq` is a safe checkpoint.

The bundle also carries the audit log's entries since the last bundle (the office's
copy is what catches entries cut off the end of the log at the station). Each bundle
written is itself audited ("export"); that entry travels with the next bundle. A
night with no changed record still makes a bundle when officers did something worth
auditing, but not for the export entries alone: otherwise every export would cause
the next one and a quiet station would send an empty bundle every night forever.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..security import envelope, keys
from ..security.audit import AuditLog
from ..security.errors import AuditBroken, SealBroken
from ..store import Store, StoreBusy, StoreWriteError
from ..store.gcpause import paused
from ..store.ondisk import OFFICE_POINTER
from . import bundle, chain
from .outbox import Outbox

ATTEMPTS = 5
NIGHTLY = "夜间同步 (export)"  # who the audit log names for an export: no officer unlocked it


@dataclass
class Exported:
    path: Path | None  # None: nothing new
    number: int
    count: int  # records (audit entries ride along, not counted here)
    audit: int = 0  # audit entries in the bundle
    note: str = ""  # a warning for the operator (the bundle was written all the same)


class ExportBusy(Exception):
    pass


def snapshot(home: Path, after: int) -> tuple[str, list[dict[str, Any]]]:
    """(station id, every record changed after `after`), read consistently by the store."""
    try:
        return Store.read_changes(home, after, attempts=ATTEMPTS)
    except StoreBusy as e:
        raise ExportBusy(str(e)) from None


def _sealed_parts(home: Path, records: list[dict[str, Any]]
                  ) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]], dict[str, str]]:
    """(records, sealed parts by shard, envelopes) as the bundle carries them: each
    record sealed at rest points at its shard's sealed part, shipped once per shard
    with the shard's key wrapped for the office, and the envelope that opens it.
    A record sealed at rest (no summary in clear) whose shard key is not wrapped for
    the office was saved before the office key was installed: an officer's next
    unlock wraps it; until then it cannot be sent."""
    unsealed = [r["ref"] for r in records if OFFICE_POINTER not in r and "summary" not in r]
    if unsealed:
        raise keys.KeyProblem(
            f"{len(unsealed)} 条记录（如 {unsealed[0]}）保存时尚未安装院本部公钥，需警员解锁一次"
            f"（打开站点程序或运行 liaison list）后才能导出 "
            f"({len(unsealed)} records, e.g. {unsealed[0]}, were saved before the office key was installed; "
            f"an officer must unlock once — open the app or run `liaison list` — before they can be exported)")
    shards: dict[str, dict[str, Any]] = {}
    for r in records:  # the snapshot's own dicts: pointed in place, not copied
        o = r.get(OFFICE_POINTER)
        if o is not None:
            shards[o["shard"]] = o.pop("part")
    try:
        envelopes = envelope.shipped(home, {part["e"] for part in shards.values()})
    except SealBroken as e:
        raise keys.KeyProblem(str(e)) from None
    return records, shards, envelopes


def export_locked(home: Path, box: Outbox) -> Exported:
    """Export, with `box` already locked by the caller."""
    with chain.held(home), paused():  # 50 000 records read and serialised (see store.gcpause)
        return _export(home, box)


def _export(home: Path, box: Outbox) -> Exported:
    signing = keys.station_signing_key(home)
    office = keys.office_public(home)
    station_id = keys.read_json(keys.keys_dir(home) / keys.STATION_PUB, "站点公钥 station public key")["station"]
    state = chain.adopt(home, box.recover(station_id, signing.public_key()))
    store_station, records = snapshot(home, state["checkpoint"])
    if store_station != station_id:
        raise keys.KeyProblem(f"密钥属于站点 {station_id}，数据属于 {store_station} "
                              f"(the keys are {station_id}'s but the records are {store_station}'s)")
    # Purged records were acknowledged before their personal fields went; a copy
    # without them must never overwrite the office's (only after an outbox reset
    # would they come up here at all).
    records = [r for r in records if not r.get("purged_at")]
    entries, audit_to, audit_head = _audit_to_ship(AuditLog(home), state)
    if not records and not any(e.get("action") != "export" for e in entries if isinstance(e.get("n"), int)):
        return Exported(None, state["last_bundle"], 0)
    records.sort(key=lambda r: r["seq"])
    records, shards, envelopes = _sealed_parts(home, records)
    built = bundle.build(records, station=station_id, number=state["last_bundle"] + 1,
                         prev_digest=state["last_digest"], signing_key=signing, office=office.x25519,
                         envelopes=envelopes, shards=shards, audit=entries,
                         audit_to=audit_to, audit_head=audit_head)
    path = box.add(built, state)
    chain.remember(home, state)
    note = ""
    try:
        AuditLog(home).record(NIGHTLY, "export", path.name, {"bundle": built.manifest["bundle"],
                                                             "count": len(records), "audit": len(entries)})
    except (AuditBroken, StoreWriteError) as e:
        # The bundle is written and must still go out tonight: it carries the evidence.
        note = f"导出未能记入审计日志 (the export could not be added to the audit log): {e}"
    return Exported(path, built.manifest["bundle"], len(records), len(entries), note)


def _audit_to_ship(log: AuditLog, state: dict[str, Any]) -> tuple[list[dict[str, Any]], int, str]:
    """(entries, highest number shipped, its hash). Normally the entries after the last
    one shipped. If that entry is gone or different (the log was rolled back, or
    rewritten and re-hashed), the whole log goes, so the office sees where it parts
    from its copy. Lines that no longer parse have no number to move past: they ride
    along with every bundle (the office records each once), but never cause one."""
    every = log.entries_since(0)
    numbered = [e for e in every if isinstance(e.get("n"), int)]
    audit_n, head = int(state.get("audit_n", 0)), state.get("audit_head")
    at = next((e for e in numbered if e["n"] == audit_n), None)
    # A restored station's log starts after the office's copy: the anchor is the entry shipped.
    continues = (audit_n == 0 or not head or (at is not None and at.get("hash") == head)
                 or (at is None and log.anchor() == (audit_n, head)))
    entries = [e for e in every if not isinstance(e.get("n"), int) or e["n"] > audit_n] if continues else every
    if numbered:
        return entries, numbered[-1]["n"], str(numbered[-1].get("hash", ""))
    return entries, audit_n if continues else 0, (head or "") if continues else ""


def export(home: Path, out: Path | None = None) -> Exported:
    box = Outbox(out or Path(home) / "outbox")
    with box.locked():
        return export_locked(home, box)
