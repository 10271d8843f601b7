"""Bundles: the signed, encrypted file a station sends to the office.

    {"format":"liaison-bundle/2","manifest":{...},"signature":"b64"}

The station signs the canonical bytes of the manifest (orjson, sorted keys) and
writes exactly those bytes between the fixed head and tail above, so the office
verifies the signature over the bytes it received, not over its own re-serialisation
of what it parsed (format 1 did that: a file with other bytes, e.g. a duplicate key,
could pass for the signed one). The manifest carries the ciphertext itself, so the
signature covers every byte that matters. The payload is encrypted to the office's
X25519 key with HPKE (security/hybrid.py: a fresh ephemeral key per bundle, so a nonce
can never repeat under one key), bound to the station and bundle number: a payload cut
from one bundle and pasted into another does not decrypt. `enc.alg` names the
construction; bundles written before HPKE (alg X25519-HKDF-SHA256-AES-256-GCM, with
`enc.epk` and `enc.nonce`) still open at the office.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypedDict

import orjson
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from ..domain.personal import join_into
from ..domain.timeutil import iso, now
from ..security import hybrid
from ..security.envelope import OfficeOpener
from ..security.errors import SealBroken
from ..security.keys import b64d, b64e, fingerprint, raw_public
from ..store.ondisk import OFFICE_POINTER, PINYIN, SEALED_VERSION
from . import fields

FORMAT = "liaison-bundle/2"
OLD_FORMAT = "liaison-bundle/1"  # read only from a station's own outbox, never accepted by the office
HEAD, SIG, TAIL = b'{"format":"liaison-bundle/2","manifest":', b',"signature":"', b'"}'
# Marks a payload of two parts: the compressed body, then the shards' sealed parts
# (a zlib stream starts with 0x78, so the two layouts cannot be confused).
LAYERED = b"LB2\x00"
ALG, LEGACY_ALG = hybrid.ALG, hybrid.LEGACY_ALG


class BundleRejected(Exception):
    """A bundle failed a check. `kind` names the check (it picks the HTTP status and the
    quarantine reason); the message says what is wrong in both languages."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


def canonical(obj: Any) -> bytes:
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)


def file_name(station: str, number: int) -> str:
    return f"{station}-{number:06d}.bundle"


def _binding(station: str, number: int) -> bytes:
    # Keeps its format-1 label: format 2 changed how the manifest is framed, not the payload.
    return f"liaison-bundle/1\x00{station}\x00{number}".encode()


@dataclass(frozen=True)
class Built:
    data: bytes  # the file's bytes
    manifest: dict[str, Any]
    digest: str  # sha256 of the canonical manifest: the next bundle's prev_digest


def build(records: list[dict[str, Any]], *, station: str, number: int, prev_digest: str,
          signing_key: Ed25519PrivateKey, office: X25519PublicKey,
          envelopes: dict[str, str] | None = None, shards: dict[str, dict[str, Any]] | None = None,
          audit: list[dict[str, Any]] | None = None,
          audit_to: int = 0, audit_head: str = "") -> Built:
    """`records` are full snapshots, or (from a sealed store) clear parts carrying the
    office's pointer `_o` into `shards` (each shard's sealed part and its key wrapped
    under an envelope key, see store.sealed), whose envelopes are in `envelopes`
    (see security.envelope); `audit` is the station's audit log entries since the last bundle,
    and `audit_to` the highest entry number shipped so far, this bundle included: it is
    in the clear manifest so the station's outbox can recover it without the office key."""
    body: dict[str, Any] = {"records": records}
    if envelopes:
        body["envelopes"] = envelopes
    if audit:
        body["audit"] = audit
    plain = zlib.compress(orjson.dumps(body), 1)  # level 1: 3x faster than 6, ~10% larger
    if shards:
        # Sealed parts are ciphertext: compressing them costs seconds and saves nothing,
        # so they follow the compressed body as they are.
        plain = LAYERED + len(plain).to_bytes(8, "big") + plain + orjson.dumps(shards)
    cipher = hybrid.seal(plain, office, _binding(station, number))
    seqs = [r["seq"] for r in records]
    manifest = {
        "station": station, "bundle": number, "prev_digest": prev_digest,
        "created_at": iso(now()), "count": len(records),
        "seq_from": min(seqs, default=0), "seq_to": max(seqs, default=0), "audit_to": audit_to,
        "audit_head": audit_head,
        "payload_sha256": hashlib.sha256(cipher).hexdigest(),
        "enc": {"alg": ALG},
        "office_key": fingerprint(raw_public(office)),
        "payload": b64e(cipher),
    }
    signed = canonical(manifest)
    data = HEAD + signed + SIG + b64e(signing_key.sign(signed)).encode() + TAIL
    return Built(data, manifest, hashlib.sha256(signed).hexdigest())


@dataclass(frozen=True)
class Parsed:
    manifest: dict[str, Any]
    signature: bytes
    signed: bytes  # canonical manifest bytes

    # parse() held both to fields.manifest_problem: a station id and an int.
    @property
    def station(self) -> str:
        station: str = self.manifest["station"]
        return station

    @property
    def number(self) -> int:
        number: int = self.manifest["bundle"]
        return number

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.signed).hexdigest()

    @property
    def name(self) -> str:
        return file_name(self.station, self.number)


def _split(data: bytes) -> tuple[bytes, bytes] | None:
    """(the signed manifest bytes as received, the signature's base64), or None."""
    cut = data.rfind(SIG)  # base64 holds no quote: the last one is the real one
    if not data.startswith(HEAD) or not data.endswith(TAIL) or cut < len(HEAD):
        return None
    return data[len(HEAD):cut], data[cut + len(SIG):-len(TAIL)]


def parse(data: bytes, own_outbox: bool = False) -> Parsed:
    """Shape checks only: nothing here is trusted until `verify`. `own_outbox`: the
    station reading its own files may still meet format 1 bundles written before."""
    bad = BundleRejected
    parts = _split(data)
    m: object
    sig: object  # nothing read from `data` is trusted until checked below
    try:
        if parts is not None:
            signed, sig_b = parts
            m, sig = orjson.loads(signed), sig_b.decode("ascii")
        else:
            doc = orjson.loads(data)
            if not (own_outbox and isinstance(doc, dict) and doc.get("format") == OLD_FORMAT):
                raise bad("malformed", f"不是 {FORMAT} 格式的数据包（旧格式 1 已不再接收，请升级站点软件）"
                                       f"(not a {FORMAT} file; format 1 is no longer accepted: upgrade the station)")
            m, sig = doc.get("manifest"), doc.get("signature")
            signed = canonical(m) if isinstance(m, dict) else b""
    except (orjson.JSONDecodeError, UnicodeDecodeError) as e:
        raise bad("malformed", f"不是有效的数据包（无法解析）(not a bundle: cannot be read: {e})") from None
    if not isinstance(m, dict) or not isinstance(sig, str):
        raise bad("malformed", "数据包缺少清单或签名 (manifest or signature missing)")
    problem = fields.manifest_problem(m)
    if problem:
        raise bad("malformed", problem)
    try:
        signature = b64d(sig)
    except ValueError:
        raise bad("malformed", "签名不是 base64 (signature is not base64)") from None
    return Parsed(m, signature, signed)


def verify(p: Parsed, station_key: Ed25519PublicKey) -> None:
    try:
        station_key.verify(p.signature, p.signed)
    except InvalidSignature:
        raise BundleRejected("bad-signature", f"签名验证失败：数据包被篡改或并非 {p.station} 所签 "
                                              f"(bad signature: altered, or not signed by {p.station})") from None


def decrypt(p: Parsed, office_key: X25519PrivateKey) -> list[dict[str, Any]]:
    """Payload hash, office key, then the AEAD; returns the record snapshots."""
    return open_payload(p, office_key)["records"]


class Payload(TypedDict):
    records: list[dict[str, Any]]
    audit: list[Any]
    shaped: bool


def open_payload(p: Parsed, office_key: X25519PrivateKey) -> Payload:
    """{"records": full snapshots, "audit": audit entries, "shaped": whether every
    record's id, version, seq, station and related_to already passed
    fields.record_problem here (so the office's screen need not ask again)} of a
    verified bundle."""
    m = p.manifest
    alg = m["enc"].get("alg")
    try:
        cipher = b64d(m["payload"])
        legacy = (b64d(m["enc"]["epk"]), b64d(m["enc"]["nonce"])) if alg == LEGACY_ALG else None
    except (ValueError, KeyError, TypeError):
        raise BundleRejected("malformed", "加密参数无效 (invalid encryption fields)") from None
    if hashlib.sha256(cipher).hexdigest() != m["payload_sha256"]:
        raise BundleRejected("payload-hash", "数据内容的 SHA-256 与清单不符 (payload SHA-256 does not match the manifest)")
    if m["office_key"] != fingerprint(raw_public(office_key.public_key())) or alg not in (ALG, LEGACY_ALG):
        raise BundleRejected("wrong-office", f"数据包加密给了另一把院本部密钥（{m['office_key']}）"
                                             f"(encrypted to another office key: {m['office_key']})")
    binding = _binding(p.station, p.number)
    try:
        if legacy is None:
            plain = hybrid.open_sealed(cipher, office_key, binding)
        else:
            plain = hybrid.open_legacy(*legacy, cipher, office_key, binding)
        body = _body(plain)
        records = body["records"]
        audit = body.get("audit") or []
        envelopes = body.get("envelopes") or {}
        shards = body.get("shards") or {}
    except (InvalidTag, ValueError):
        raise BundleRejected("wrong-office", "无法解密：不是用本院密钥加密的 (cannot decrypt with this office's key)") from None
    except (zlib.error, orjson.JSONDecodeError, KeyError, TypeError):
        raise BundleRejected("malformed", "解密后的内容无法读取 (decrypted payload is unreadable)") from None
    # Each record's id, version and station are checked one by one at the office
    # (fields.record_problem): one bad record is refused on its own, not its bundle.
    if not isinstance(records, list) or len(records) != m["count"] or not all(isinstance(r, dict) for r in records):
        raise BundleRejected("malformed", "数据内容与清单不符（条数）(payload does not match the manifest: count)")
    if not isinstance(audit, list) or not isinstance(envelopes, dict) or not isinstance(shards, dict):
        raise BundleRejected("malformed", "数据内容格式不对 (payload has an unexpected shape)")
    shaped = False
    if any(OFFICE_POINTER in r for r in records):
        records, shaped = _made_whole(records, OfficeOpener(office_key, envelopes, shards))
    return {"records": records, "audit": audit, "shaped": shaped}


def _body(plain: bytes) -> dict[str, Any]:
    if not plain.startswith(LAYERED):
        return _object(zlib.decompress(plain))  # no sealed parts
    n = int.from_bytes(plain[len(LAYERED):len(LAYERED) + 8], "big")
    start = len(LAYERED) + 8
    body = _object(zlib.decompress(plain[start:start + n]))
    body["shards"] = orjson.loads(plain[start + n:])
    return body


def _object(raw: bytes) -> dict[str, Any]:
    """The payload's JSON object; TypeError (refused as malformed) if it is none."""
    body = orjson.loads(raw)
    if not isinstance(body, dict):
        raise TypeError("the payload is not an object")
    return body


# What fields.record_problem reads: a personal part naming none of them leaves the
# record's answer what it was before the join.
_SHAPE = frozenset(("id", "version", "seq", "station", "related_to"))


def _made_whole(records: list[dict[str, Any]], opener: OfficeOpener) -> tuple[list[dict[str, Any]], bool]:
    """Each record sealed at the station made whole again with its personal part; and
    whether every record's shape was checked (each had a sealed part that left it alone)."""
    out, shaped = [], True
    for r in records:
        o = r.pop(OFFICE_POINTER, None)
        if o is None:
            out.append(r)
            shaped = False
            continue
        try:
            # Each document is asked for once; a bundle naming one twice finds its
            # `_v` gone the second time and is refused below.
            mine = opener.personal(str(o["shard"]), str(o["doc"]))
        except (SealBroken, KeyError, TypeError) as e:
            raise BundleRejected("wrong-office", f"{e}") from None
        if fields.record_problem(r) or mine.pop(SEALED_VERSION, None) != r["version"]:
            raise BundleRejected("malformed", "记录的个人信息与版本不符 (a personal part is of another version)")
        mine.pop(PINYIN, None)
        if shaped and not _SHAPE.isdisjoint(mine):
            shaped = False
        out.append(join_into(r, mine))
    return out, shaped


def ids(records: Iterable[dict[str, Any]]) -> list[str]:
    return [r["id"] for r in records]
