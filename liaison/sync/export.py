"""`liaison export`: one bundle with every change after the checkpoint.

The station's records are read without the store's write lock (the TUI may be saving);
the write lock is then taken for an instant only to confirm that no save finished
during the read and no batch import was left half-done. If either happened the read
is simply repeated, so the bundle is always a consistent snapshot and its highest
`seq` is a safe checkpoint.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..store import Store
from . import bundle, keys
from .outbox import Outbox

PENDING_IMPORT = "import.pending"  # liaison.store's marker of an unfinished batch
ATTEMPTS = 5


@dataclass
class Exported:
    path: Path | None  # None: nothing new
    number: int
    count: int


class ExportBusy(Exception):
    pass


def snapshot(home: Path, after: int) -> tuple[str, list[dict[str, Any]]]:
    """(station id, every record changed after `after`), read consistently."""
    for _ in range(ATTEMPTS):
        store = Store.open(home)
        try:
            records = list(store.changes_since(after))
            with store.lock.hold() as stale:  # brief: nothing is read or written inside
                clean = not stale and not (Path(home) / PENDING_IMPORT).exists()
            if clean:
                return store.station, records
        finally:
            store.close()
    raise ExportBusy("站点数据一直在变化，无法取得一致的快照，请稍后再试 "
                     "(the station's records kept changing during the export; retry later)")


def export_locked(home: Path, box: Outbox) -> Exported:
    """Export, with `box` already locked by the caller."""
    signing = keys.station_signing_key(home)
    office = keys.office_public(home)
    station_id = keys.read_json(keys.keys_dir(home) / keys.STATION_PUB, "站点公钥 station public key")["station"]
    state = box.recover(station_id, signing.public_key())
    store_station, records = snapshot(home, state["checkpoint"])
    if store_station != station_id:
        raise keys.KeyProblem(f"密钥属于站点 {station_id}，数据属于 {store_station} "
                              f"(the keys are {station_id}'s but the records are {store_station}'s)")
    if not records:
        return Exported(None, state["last_bundle"], 0)
    records.sort(key=lambda r: r["seq"])
    built = bundle.build(records, station=station_id, number=state["last_bundle"] + 1,
                         prev_digest=state["last_digest"], signing_key=signing, office=office.x25519)
    return Exported(box.add(built, state), built.manifest["bundle"], len(records))


def export(home: Path, out: Path | None = None) -> Exported:
    box = Outbox(out or Path(home) / "outbox")
    with box.locked():
        return export_locked(home, box)
