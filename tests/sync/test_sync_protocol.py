"""The bundle and receipt formats on their own: round trip, refusals, no plaintext."""

from __future__ import annotations

import base64
import zlib

import orjson
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from liaison.sync import bundle, receipt
from liaison.sync.bundle import BundleRejected

REC = {"id": "0f6e0c1e-1111-4222-8333-444455556666", "ref": "FQYF-20261120-001", "station": "fengqiao-yuanfang",
       "version": 2, "seq": 7, "deleted": False, "summary": "陈阿姨亭子间面积认定争议",
       "visitor": {"name": "陈秀英", "phone": "13800001234"}}


@pytest.fixture
def keys():
    return Ed25519PrivateKey.generate(), X25519PrivateKey.generate()


def make(keys, number=1, prev="", records=(REC,)):
    sk, ok = keys
    return bundle.build(list(records), station="fengqiao-yuanfang", number=number, prev_digest=prev,
                        signing_key=sk, office=ok.public_key())


def test_round_trip(keys):
    b = make(keys)
    p = bundle.parse(b.data)
    bundle.verify(p, keys[0].public_key())
    assert p.digest == b.digest and p.name == "fengqiao-yuanfang-000001.bundle"
    assert p.manifest["count"] == 1 and p.manifest["seq_from"] == p.manifest["seq_to"] == 7
    assert bundle.decrypt(p, keys[1]) == [REC]


def test_bundle_bytes_hold_no_plaintext(keys):
    b = make(keys)
    doc = orjson.loads(b.data)
    blobs = [b.data, base64.b64decode(doc["manifest"]["payload"]), base64.b64decode(doc["signature"])]
    for secret in ("陈秀英", "13800001234", "亭子间", "FQYF-20261120-001", REC["id"]):
        for blob in blobs:
            assert secret.encode() not in blob
            try:
                assert secret.encode() not in zlib.decompress(blob)
            except zlib.error:
                pass


@pytest.mark.parametrize("field,value", [("count", 2), ("station", "rider-friendly"), ("bundle", 2),
                                         ("prev_digest", "0" * 64), ("seq_to", 8)])
def test_any_manifest_change_breaks_the_signature(keys, field, value):
    doc = orjson.loads(make(keys).data)
    doc["manifest"][field] = value
    with pytest.raises(BundleRejected) as e:
        bundle.verify(bundle.parse(orjson.dumps(doc)), keys[0].public_key())
    assert e.value.kind == "bad-signature"


def test_other_office_cannot_decrypt(keys):
    p = bundle.parse(make(keys).data)
    with pytest.raises(BundleRejected) as e:
        bundle.decrypt(p, X25519PrivateKey.generate())
    assert e.value.kind == "wrong-office"


def test_malformed_inputs_are_refused_not_crashed():
    for data in (b"", b"{", b"[]", b'{"format":"liaison-bundle/1"}', b'\xff\xfe',
                 orjson.dumps({"format": "liaison-bundle/1", "manifest": {"bundle": True}, "signature": ""})):
        with pytest.raises(BundleRejected) as e:
            bundle.parse(data)
        assert e.value.kind == "malformed"


def test_receipt_verifies_only_for_its_bundle():
    office = Ed25519PrivateKey.generate()
    body = {"station": "s", "bundle": 3, "digest": "d", "accepted": 1}
    data = receipt.sign(body, office)
    assert receipt.verify(data, office.public_key(), station="s", number=3, digest="d")["accepted"] == 1
    with pytest.raises(receipt.ReceiptInvalid):
        receipt.verify(data, office.public_key(), station="s", number=4, digest="d")
    with pytest.raises(receipt.ReceiptInvalid):
        receipt.verify(data, Ed25519PrivateKey.generate().public_key(), station="s", number=3, digest="d")
    forged = orjson.loads(data)
    forged["receipt"]["accepted"] = 99
    with pytest.raises(receipt.ReceiptInvalid):
        receipt.verify(orjson.dumps(forged), office.public_key(), station="s", number=3, digest="d")
