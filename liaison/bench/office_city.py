"""A city's office for the office benchmark: 16 districts × 12 stations, each enrolled
with its own signing key, sending a year of consultations as the nightly job does: one
bundle for each day on which the station saved something (~70 000 bundles for a city's
year of 600 000 records, each carrying the sealed parts of the shards its records sit in).

Seeding 600 000 records through a real station Store each would take hours, so each
station's records are made with the domain's own constructor (`fields_from_input`,
`new_consultation`, the same calls `Store.create_many` makes) and laid out as a
sealed station stores them: shards of SHARD_CAPACITY documents, each shard's
personal parts sealed under its own key, that key wrapped under the station's
envelope key for the office. The bundles carry exactly what `liaison export` reads
from such a store (clear parts with `_o`, the shards' sealed parts, the envelope),
and are built by the real `sync.bundle.build`; tests/hq/test_office_bench.py checks
the shape against a real store's export.
"""

from __future__ import annotations

import base64
import os
import secrets
from datetime import date, datetime, timedelta
from functools import lru_cache
from itertools import groupby
from typing import Any, Iterator

import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..domain.intake import fields_from_input, new_consultation
from ..domain.personal import split
from ..domain.refs import format_ref
from ..domain.search import name_keys
from ..security.envelope import Envelope, seal_to_office
from ..security.keys import OfficePublic, b64e, raw_public
from ..store.ondisk import OFFICE_POINTER, PINYIN, SEALED_VERSION
from ..store.sealed import key_aad, shard_aad
from ..store.shards import SHARD_CAPACITY
from ..sync import bundle
from ..synth import generate

DISTRICTS, PER_DISTRICT = 16, 12
KINDS = ("fengqiao-yuanfang", "fengqiao-ban", "rider-friendly")  # synth's category mixes
DAYS = 365
EDITED = (1, 2)  # i % 5 of the consultations edited on a later day (a status, a follow-up): ~1 in 3


def stations() -> list[tuple[str, str, str]]:
    """(station id, reference code, synth kind) of every station in the city."""
    return [(f"d{d:02d}-s{s:02d}", f"D{d:02d}S{s:02d}", KINDS[(d * PER_DISTRICT + s) % len(KINDS)])
            for d in range(1, DISTRICTS + 1) for s in range(1, PER_DISTRICT + 1)]


@lru_cache(maxsize=None)
def _py(name: str) -> str:
    # Names repeat (a few thousand surname + given name pairs): pinyin once per name.
    return name_keys(name)


def station_docs(sid: str, code: str, kind: str, n: int, seed: int, end: date) -> list[dict[str, Any]]:
    """The stored versions of `n` consultations of one station, in save order (seq), as
    the station's Store makes them. About a third (EDITED) are saved on the visit day and
    edited on a later day, up to 24 days on (their status then as synth made it, open
    until then), which the nightly job sends again as version 2, so an earlier night's
    merge no longer holds all its rows; the others are written up once, on the visit
    day or up to 24 days later. Nothing is saved after the benchmark's last day."""
    made = []
    for m in generate(n, seed=seed, station=kind, start=end, days=DAYS):
        f = fields_from_input(m, officer=m.get("officer", "bench"))
        made.append(f)
    made.sort(key=lambda f: f["visited_at"])
    refs: dict[date, int] = {}
    saved = []
    last = _end_of(end)
    for i, f in enumerate(made):
        day = f["visited_at"].date()
        refs[day] = refs.get(day, 0) + 1
        first = min(f["visited_at"] + timedelta(hours=2), last)
        c = new_consultation(f, station=sid, at=first, ref=format_ref(code, day, refs[day]))
        at = min(f["visited_at"] + timedelta(hours=2 + (i % 7) * 24 * (i % 5)), last)
        if i % 5 in EDITED and at.date() > first.date():
            saved.append((first, c.evolve(status="open")))
            c = c.evolve(version=2, updated_at=at)
        else:
            c = c.evolve(created_at=at, updated_at=at)  # written up on that day
        saved.append((c.updated_at, c))
    saved.sort(key=lambda s: s[0])  # a station numbers its changes (seq) in the order they are saved
    docs = []
    for i, (_, c) in enumerate(saved):
        d = c.evolve(seq=i + 1).to_dict()
        name = (d.get("visitor") or {}).get("name")
        d[PINYIN] = _py(name) if name else ""
        docs.append(d)
    return docs


def _end_of(day: date) -> datetime:
    from ..domain.timeutil import TZ

    return datetime(day.year, day.month, day.day, 18, 0, tzinfo=TZ)


def sealed_shards(docs: list[dict[str, Any]], env: Envelope) -> Iterator[tuple[str, list[dict[str, Any]], dict]]:
    """(shard name, its documents' clear parts with `_o`, the shard's part for the
    office) as store.sealed writes a shard and store.changes reads it for export."""
    for start in range(0, len(docs), SHARD_CAPACITY):
        name = f"{start // SHARD_CAPACITY + 1:06d}.json"
        clear_docs, personal = [], {}
        for k, doc in enumerate(docs[start:start + SHARD_CAPACITY], 1):
            clear, mine = split(doc)
            mine[SEALED_VERSION] = doc["version"]
            personal[str(k)] = mine
            clear.pop(PINYIN, None)
            clear[OFFICE_POINTER] = {"shard": name, "doc": str(k)}
            clear_docs.append(clear)
        raw = os.urandom(32)
        part = {"e": env.current, "w": env.seal(base64.b64encode(raw).decode("ascii"), key_aad(name, env.current)),
                "sealed": env.with_key(raw).seal(personal, shard_aad(name))}
        yield name, clear_docs, part


def station_bundles(docs: list[dict[str, Any]], sid: str, signing: Ed25519PrivateKey,
                    office: OfficePublic) -> Iterator[bundle.Built]:
    """The station's year as the nightly job exports it: a bundle for each day with
    something saved (its records in seq order), each with the sealed parts of the
    shards its records sit in, built by the real bundle writer."""
    env_id = secrets.token_hex(8)
    key = AESGCM.generate_key(bit_length=256)
    env = Envelope(env_id, key)
    envelopes = {env_id: seal_to_office(office.x25519, env_id, key)}
    rows: list[tuple[dict[str, Any], str]] = []
    parts: dict[str, dict[str, Any]] = {}
    for name, clear_docs, part in sealed_shards(docs, env):
        parts[name] = part
        rows.extend((c, name) for c in clear_docs)
    prev = ""
    nights = groupby(rows, key=lambda r: r[0]["updated_at"][:10])  # docs come in save order
    for number, (_, night) in enumerate(nights, 1):
        chunk = list(night)
        shards = {name: parts[name] for name in dict.fromkeys(n for _, n in chunk)}
        built = bundle.build([r for r, _ in chunk], station=sid, number=number, prev_digest=prev,
                             signing_key=signing, office=office.x25519, envelopes=envelopes, shards=shards)
        prev = built.digest
        yield built


def station_pub(sid: str, signing: Ed25519PrivateKey) -> bytes:
    return orjson.dumps({"station": sid, "ed25519": b64e(raw_public(signing.public_key()))})
