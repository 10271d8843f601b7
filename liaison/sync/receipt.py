"""Receipts: the office's signed word that a bundle was ingested.

Only a receipt whose signature verifies with the installed office key, and that names
this station, this bundle number and this bundle's digest, moves a bundle to
`delivered/` at the station; anything else leaves it pending (to be sent again).
"""

from __future__ import annotations

from typing import Any

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ..security.keys import b64d, b64e
from .bundle import canonical

FORMAT = "liaison-receipt/1"
COUNTS = ("accepted", "duplicates", "conflicts", "stale")


class ReceiptInvalid(Exception):
    pass


def file_name(bundle_name: str) -> str:
    return bundle_name.removesuffix(".bundle") + ".receipt.json"


def sign(body: dict[str, Any], key: Ed25519PrivateKey) -> bytes:
    doc = {"format": FORMAT, "receipt": body, "signature": b64e(key.sign(canonical(body)))}
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2)


def verify(data: bytes, office: Ed25519PublicKey, *, station: str, number: int, digest: str) -> dict[str, Any]:
    """The receipt body, if it is the office's and is for exactly this bundle."""
    try:
        doc = orjson.loads(data)
        body, sig = doc["receipt"], b64d(doc["signature"])
        if doc.get("format") != FORMAT or not isinstance(body, dict):
            raise ValueError
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        raise ReceiptInvalid("回执格式不对 (not a receipt)") from None
    try:
        office.verify(sig, canonical(body))
    except InvalidSignature:
        raise ReceiptInvalid("回执签名无效：不是院本部签发的 (receipt signature does not verify with the office key)") from None
    if (body.get("station"), body.get("bundle"), body.get("digest")) != (station, number, digest):
        raise ReceiptInvalid(f"回执与数据包不符 (receipt is for another bundle: {body.get('station')} #{body.get('bundle')})")
    return body
