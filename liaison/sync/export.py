"""`liaison export`: one bundle with every change after the checkpoint.

The station's records are read by Store.read_changes: without the store's write lock
(the TUI may be saving), then confirmed under it for an instant, so the bundle is
always a consistent snapshot and its highest `seq` is a safe checkpoint.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..security import envelope
from ..security.errors import SealBroken
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


def _envelopes(home: Path, records: list[dict[str, Any]]) -> dict[str, str]:
    """The office envelopes the records' sealed copies need. A record that is sealed at
    rest (no summary in clear) but has no office copy was saved before the office key
    was installed: an officer's next unlock reseals it, until then it cannot be sent."""
    unsealed = [r["ref"] for r in records if "_o" not in r and "summary" not in r]
    if unsealed:
        raise keys.KeyProblem(
            f"{len(unsealed)} 条记录（如 {unsealed[0]}）保存时尚未安装院本部公钥，需警员解锁一次"
            f"（打开站点程序或运行 liaison list）后才能导出 "
            f"({len(unsealed)} records, e.g. {unsealed[0]}, were saved before the office key was installed; "
            f"an officer must unlock once — open the app or run `liaison list` — before they can be exported)")
    try:
        return envelope.shipped(home, {r["_o"]["e"] for r in records if "_o" in r})
    except SealBroken as e:
        raise keys.KeyProblem(str(e)) from None


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
                         prev_digest=state["last_digest"], signing_key=signing, office=office.x25519,
                         envelopes=_envelopes(home, records))
    return Exported(box.add(built, state), built.manifest["bundle"], len(records))


def export(home: Path, out: Path | None = None) -> Exported:
    box = Outbox(out or Path(home) / "outbox")
    with box.locked():
        return export_locked(home, box)
