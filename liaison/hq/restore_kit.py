"""`liaison hq restore-kit STATION --to DIR`: the office's half of restoring a lost laptop.

Made by an unlocked office (the kit holds every resident of the station, so an office
officer's PIN and an audit entry): a NEW signing key for the station, the station's
records as the office holds them, and where its chains stand (last bundle and its
digest, last audit entry), sealed under a fresh kit code (sync.restore_kit). Only once
the kit is on disk is the new key enrolled, revoking the lost laptop's: from then on
nothing signed on the old laptop is accepted, and the restored station's next bundle
is the office's last plus one. If enrolling fails the kit is removed: a kit whose key
the office does not know would only lead to refused bundles.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ..domain.timeutil import now
from ..security.keys import b64e, fingerprint, raw_private, raw_public
from ..sync import restore_kit
from .office import PUB
from .staff import Staff


class UnknownStation(Exception):
    def __init__(self, station: str):
        super().__init__(f"院本部没有站点 {station} 的登记或数据 (the office has no station {station})")


@dataclass(frozen=True)
class Kit:
    path: Path
    code: str
    records: int
    last_bundle: int
    old_key: str | None  # fingerprint of the revoked key
    new_key: str


def make_kit(staff: Staff, station: str, to: Path) -> Kit:
    office, db = staff.office, staff.office.db
    if station not in db.stations():
        raise UnknownStation(station)
    status = db.station_status(station)
    last = status["last_bundle"]
    seen = db.seen(station, last) if last else None
    records = list(staff.records(include_deleted=True, station=station))
    new = Ed25519PrivateKey.generate()
    payload = {"station": station, "signing_key": b64e(raw_private(new)),
               "office_pub": orjson.loads((office.home / PUB).read_bytes()), "records": records,
               "chain": {"last_bundle": last, "last_digest": seen[0] if seen else "",
                         "audit_n": status["audit"]["head"], "audit_head": status["audit"]["head_hash"]},
               "made_at": now().isoformat(timespec="seconds")}
    code = restore_kit.new_kit_code()
    path = restore_kit.write_kit(Path(to), payload, code)
    pub_raw = raw_public(new.public_key())
    try:
        with tempfile.TemporaryDirectory() as tmp:  # enroll() reads a station.pub.json, as for any station
            pub = Path(tmp) / "station.pub.json"
            pub.write_bytes(orjson.dumps({"station": station, "ed25519": b64e(pub_raw)}))
            _, _, new_fp, old_fp = office.enroll(pub, replace=True)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    staff.audit("export", f"restore-kit {station}", records=len(records), last_bundle=last, key=new_fp)
    return Kit(path, code, len(records), last, old_fp, fingerprint(pub_raw))
