"""`liaison export`: one bundle with every change after the checkpoint.

The station's records are read by Store.read_changes: without the store's write lock
(the TUI may be saving), then confirmed under it for an instant, so the bundle is
always a consistent snapshot and its highest `seq` is a safe checkpoint.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..store import Store, StoreBusy
from . import bundle, keys
from .outbox import Outbox

ATTEMPTS = 5


@dataclass
class Exported:
    path: Path | None  # None: nothing new
    number: int
    count: int


class ExportBusy(Exception):
    pass


def snapshot(home: Path, after: int) -> tuple[str, list[dict[str, Any]]]:
    """(station id, every record changed after `after`), read consistently by the store."""
    try:
        return Store.read_changes(home, after, attempts=ATTEMPTS)
    except StoreBusy as e:
        raise ExportBusy(str(e)) from None


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
