"""`liaison hq ingest INBOX` and the one-bundle step the HTTP inbox shares.

Checks in order: parse, enrolled station, signature, replay, payload hash, office
key, decryption; then one merge transaction. A bundle failing a check goes to
quarantine/ with a reason file and the next one is processed; nothing about a bad
bundle can change the office's records.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..domain.timeutil import iso, now
from ..security.records_key import NoRecordsKey
from ..store.atomic import atomic_write, fsync_dir
from ..store.gcpause import paused
from ..sync import bundle, receipt
from ..sync.bundle import BundleRejected
from ..sync.outbox import NAME
from .merge import FORK_MESSAGE
from .office import Office
from .quarantine import Quarantine
from .screen import screen, write_foreign, write_reasons

COUNTS = ("accepted", "duplicates", "conflicts", "stale")


@dataclass
class Outcome:
    name: str
    status: str  # ingested | replay | quarantined
    counts: Counter[str] = field(default_factory=Counter)  # "refused": records that failed the rules (see screen)
    receipt: bytes | None = None
    kind: str = ""  # the failed check, for quarantined bundles
    reason: str = ""
    station: str = ""


def ingest_bytes(office: Office, data: bytes, name: str) -> Outcome:
    with paused():  # a night's bundle is 50 000 records of small dicts (see store.gcpause)
        return _ingest_bytes(office, data, name)


def _ingest_bytes(office: Office, data: bytes, name: str) -> Outcome:
    try:
        p = bundle.parse(data)
        name = p.name
        key = office.station_key(p.station)
        if key is None:
            raise BundleRejected("unknown-station", f"站点 {p.station} 未登记，请先运行 liaison hq enroll "
                                                    f"(station {p.station} is not enrolled: run `liaison hq enroll`)")
        bundle.verify(p, key)
        prior = office.db.seen(p.station, p.number)
        if prior is not None:
            if prior[0] != p.digest:
                raise BundleRejected("fork", FORK_MESSAGE.format(station=p.station, number=p.number))
            return Outcome(name, "replay", Counter(), prior[1], station=p.station)
        payload = bundle.open_payload(p, office.x25519)
        records = payload["records"]
        at = iso(now())
        kept, refused, foreign = screen(records, p.station, payload.get("shaped", False))

        def make_receipt(counts: Counter[str]) -> bytes:
            body = {"office": office.name, "office_key": office.key_id, "station": p.station, "bundle": p.number,
                    "digest": p.digest, "status": "ingested", "count": len(records), "received_at": at,
                    **{k: counts[k] for k in COUNTS}, "refused": len(refused), "foreign": counts["foreign"],
                    "audit": counts["audit"], "audit_breaks": counts["audit_breaks"]}
            return receipt.sign(body, office.ed25519)

        counts, rec = office.db.merge(p.station, p.number, p.digest, at, kept, make_receipt, payload["audit"],
                                      foreign)
        status = "replay" if counts.pop("replay", 0) else "ingested"
        if refused and status == "ingested":
            counts["refused"] = len(refused)
            write_reasons(office.quarantine, name, refused, at)
        if foreign and status == "ingested":
            write_foreign(office.quarantine, name, foreign, at)
        return Outcome(name, status, counts, rec, station=p.station)
    except BundleRejected as e:
        quarantine(office, name, data, e)
        return Outcome(name, "quarantined", kind=e.kind, reason=str(e))
    except (ValueError, TypeError, KeyError, OverflowError) as e:
        # A shape the checks above missed: still the sender's fault, and one file must
        # not stop the night's ingest. Disk and database errors (OSError, sqlite3) do stop it.
        why = BundleRejected("malformed", f"数据包内容无法处理 (bundle content cannot be processed: "
                                          f"{type(e).__name__})")
        quarantine(office, name, data, why)
        return Outcome(name, "quarantined", kind=why.kind, reason=str(why))


def quarantine(office: Office, name: str, data: bytes, why: BundleRejected) -> Path:
    """Keep a refused bundle as evidence, within the quarantine's quota (hq.quarantine),
    sealed to the records key: the transport key in keys/ must not open it."""
    return Quarantine(office.quarantine).put(name, office.keep(office.quarantine, data),
                                             f"{why.kind}\n{why}\n{iso(now())}\n")


def keep_processed(office: Office, name: str, data: bytes) -> None:
    """The office's own copy of a bundle it ingested, sealed like the records."""
    atomic_write(office.processed / name, office.keep(office.processed, data))


def _order(path: Path) -> tuple[int, str, int]:
    """Oldest first per station, by the name a station gives its bundles (a renamed
    file still goes in; only the order of its merge is affected, not the result)."""
    m = NAME.match(path.name)
    return (0, m["station"], int(m["n"])) if m else (1, path.name, 0)


def ingest_folder(office: Office, inbox: Path) -> tuple[dict[str, Any], list[Outcome]]:
    """Ingest every bundle in `inbox`, oldest first per station; receipts go to the
    inbox's sibling `receipts/`, processed bundles to the office's `processed/`."""
    if not office.sealed:  # nothing may arrive before it can be kept sealed
        raise NoRecordsKey(office.home)
    files = sorted((p for p in inbox.glob("*.bundle") if not p.name.startswith(".")), key=_order)
    receipts = inbox.parent / "receipts"
    receipts.mkdir(exist_ok=True)
    outcomes = []
    with office.keeping():
        for f in files:
            data = f.read_bytes()
            out = ingest_bytes(office, data, f.name)
            if out.receipt is not None:
                atomic_write(receipts / receipt.file_name(out.name), out.receipt)
                keep_processed(office, out.name, data)
                # On disk now: the run's outcomes are kept for its summary, and a backlog
                # of 70 000 bundles held ~8 KB of receipt each (678 MB at the end).
                out.receipt = None
            f.unlink()  # now in processed/ or quarantine/, durably
            fsync_dir(inbox)
            outcomes.append(out)
    return summarise(office, outcomes), outcomes


def summarise(office: Office, outcomes: list[Outcome]) -> dict[str, Any]:
    total: Counter[str] = Counter()
    for o in outcomes:
        total.update(o.counts)
    missing = {s: g for s in sorted({o.station for o in outcomes if o.station}) if (g := office.db.gaps(s))}
    return {**{k: total[k] for k in COUNTS}, "refused": total["refused"], "foreign": total["foreign"],
            "audit": total["audit"], "audit_breaks": total["audit_breaks"],
            "quarantined": sum(o.status == "quarantined" for o in outcomes),
            "gaps": sum(len(g) for g in missing.values()),
            "missing": missing,
            "bundles": sum(o.status == "ingested" for o in outcomes),
            "replays": sum(o.status == "replay" for o in outcomes)}
