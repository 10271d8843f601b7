"""Bundles and envelope keys: written with HPKE now, still read as written before.

The fixture (tests/security/data, see its README) holds a bundle and an envelope key made
by the hand-written X25519 + HKDF + AES-GCM code of 7593b07: a station's outbox and its
keys/envelopes.json keep such bytes long after the station is upgraded."""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path

import orjson
import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from liaison.security import envelope, hybrid
from liaison.security.errors import SealBroken
from liaison.security.keys import b64d, b64e
from liaison.sync import bundle
from liaison.sync.bundle import BundleRejected

OLD = orjson.loads((Path(__file__).parent / "data" / "old_crypto_7593b07.json").read_bytes())
OFFICE = X25519PrivateKey.from_private_bytes(b64d(OLD["office_x25519_private"]))
STATION_KEY = Ed25519PublicKey.from_public_bytes(b64d(OLD["station_ed25519_public"]))
OLD_BUNDLE = b64d(OLD["bundle"])
REC = {"id": "0f6e0c1e-1111-4222-8333-444455556666", "station": "fengqiao-yuanfang", "version": 2, "seq": 7,
       "summary": "陈阿姨亭子间面积认定争议", "visitor": {"name": "陈秀英"}}


def _other_bundle(p: bundle.Parsed, **changes: object) -> bundle.Parsed:
    """`p` with manifest fields changed, as if the signature had been forged."""
    return bundle.Parsed({**p.manifest, **changes}, p.signature, p.signed)


# -- written before ----------------------------------------------------------------------
def test_an_old_bundle_still_verifies_and_opens_to_what_it_held():
    p = bundle.parse(OLD_BUNDLE)
    assert p.manifest["enc"]["alg"] == hybrid.LEGACY_ALG
    bundle.verify(p, STATION_KEY)
    got = bundle.open_payload(p, OFFICE)
    assert got == {"records": OLD["records"], "audit": OLD["audit"], "shaped": OLD["shaped"]}
    assert any(r.get("visitor", {}).get("name") for r in got["records"])  # the sealed parts were joined


def test_an_old_bundle_is_bound_to_its_station_and_number():
    p = bundle.parse(OLD_BUNDLE)
    for changes in ({"bundle": p.number + 1}, {"station": "rider-friendly"}):
        with pytest.raises(BundleRejected) as e:
            bundle.open_payload(_other_bundle(p, **changes), OFFICE)
        assert e.value.kind == "wrong-office"


def test_an_old_bundle_refuses_another_office_and_a_changed_nonce():
    p = bundle.parse(OLD_BUNDLE)
    with pytest.raises(BundleRejected) as e:
        bundle.decrypt(p, X25519PrivateKey.generate())
    assert e.value.kind == "wrong-office"
    nonce = bytearray(b64d(p.manifest["enc"]["nonce"]))
    nonce[0] ^= 1
    with pytest.raises(BundleRejected) as e:
        bundle.open_payload(_other_bundle(p, enc={**p.manifest["enc"], "nonce": b64e(bytes(nonce))}), OFFICE)
    assert e.value.kind == "wrong-office"
    with pytest.raises(BundleRejected) as e:
        bundle.parse(OLD_BUNDLE.replace(b'"epk":"' + p.manifest["enc"]["epk"].encode() + b'",', b""))
    assert e.value.kind == "malformed" and "enc" in str(e.value)  # an old bundle without its epk


def test_an_old_envelope_key_still_opens_and_only_under_its_id():
    env = OLD["envelope"]
    assert not env["to_office"].startswith(envelope.HPKE_MARK)
    assert envelope.open_at_office(OFFICE, env["id"], env["to_office"]) == b64d(env["key"])
    with pytest.raises(SealBroken):
        envelope.open_at_office(OFFICE, "0" * 16, env["to_office"])
    with pytest.raises(SealBroken):
        envelope.open_at_office(X25519PrivateKey.generate(), env["id"], env["to_office"])


def test_a_new_bundle_can_carry_the_envelope_keys_and_shards_written_before():
    """The usual case after an upgrade: envelopes.json still holds the old `to_office`."""
    p = bundle.parse(OLD_BUNDLE)
    m = p.manifest
    plain = hybrid.open_legacy(b64d(m["enc"]["epk"]), b64d(m["enc"]["nonce"]), b64d(m["payload"]), OFFICE,
                               f"liaison-bundle/1\x00{p.station}\x00{p.number}".encode())
    body = bundle._body(plain)
    sk = Ed25519PrivateKey.generate()
    again = bundle.build(body["records"], station=p.station, number=p.number + 1, prev_digest=p.digest,
                         signing_key=sk, office=OFFICE.public_key(), envelopes=body["envelopes"],
                         shards=body["shards"], audit=body.get("audit"))
    q = bundle.parse(again.data)
    bundle.verify(q, sk.public_key())
    assert q.manifest["enc"] == {"alg": hybrid.ALG}
    assert bundle.open_payload(q, OFFICE)["records"] == OLD["records"]


# -- written now -------------------------------------------------------------------------
def _build(number: int, sk: Ed25519PrivateKey, office: X25519PrivateKey) -> bundle.Built:
    return bundle.build([copy.deepcopy(REC)], station="fengqiao-yuanfang", number=number, prev_digest="",
                        signing_key=sk, office=office.public_key())


def test_a_new_bundle_round_trips_with_hpke():
    sk, office = Ed25519PrivateKey.generate(), X25519PrivateKey.generate()
    p = bundle.parse(_build(1, sk, office).data)
    bundle.verify(p, sk.public_key())
    assert p.manifest["enc"] == {"alg": hybrid.ALG}
    assert bundle.decrypt(p, office) == [REC]


def test_a_new_payload_pasted_into_another_bundle_does_not_open():
    sk, office = Ed25519PrivateKey.generate(), X25519PrivateKey.generate()
    one, two = (bundle.parse(_build(n, sk, office).data) for n in (1, 2))
    pasted = _other_bundle(two, payload=one.manifest["payload"], payload_sha256=one.manifest["payload_sha256"])
    with pytest.raises(BundleRejected) as e:
        bundle.open_payload(pasted, office)
    assert e.value.kind == "wrong-office"


def test_a_new_bundle_with_a_changed_byte_or_an_unknown_alg_is_refused():
    sk, office = Ed25519PrivateKey.generate(), X25519PrivateKey.generate()
    p = bundle.parse(_build(1, sk, office).data)
    cipher = bytearray(b64d(p.manifest["payload"]))
    cipher[-1] ^= 1
    changed = _other_bundle(p, payload=b64e(bytes(cipher)))
    with pytest.raises(BundleRejected) as e:
        bundle.open_payload(changed, office)
    assert e.value.kind == "payload-hash"
    changed = _other_bundle(changed, payload_sha256=hashlib.sha256(bytes(cipher)).hexdigest())
    with pytest.raises(BundleRejected) as e:
        bundle.open_payload(changed, office)
    assert e.value.kind == "wrong-office"
    with pytest.raises(BundleRejected) as e:
        bundle.open_payload(_other_bundle(p, enc={"alg": "ROT13"}), office)
    assert e.value.kind == "wrong-office"


def test_a_new_envelope_key_is_hpke_bound_to_its_id():
    office, key = X25519PrivateKey.generate(), b"k" * 32
    blob = envelope.seal_to_office(office.public_key(), "ab12", key)
    assert blob.startswith(envelope.HPKE_MARK)
    assert envelope.open_at_office(office, "ab12", blob) == key
    raw = bytearray(b64d(blob[len(envelope.HPKE_MARK):]))
    raw[-1] ^= 1
    for env_id, text, who in (("cd34", blob, office), ("ab12", blob, X25519PrivateKey.generate()),
                              ("ab12", envelope.HPKE_MARK + b64e(bytes(raw)), office),
                              ("ab12", envelope.HPKE_MARK + "not base64!", office)):
        with pytest.raises(SealBroken):
            envelope.open_at_office(who, env_id, text)


def test_hybrid_refuses_other_info_and_the_legacy_reader_refuses_junk():
    office = X25519PrivateKey.generate()
    sealed = hybrid.seal(b"secret", office.public_key(), b"one")
    assert hybrid.open_sealed(sealed, office, b"one") == b"secret"
    with pytest.raises(InvalidTag):
        hybrid.open_sealed(sealed, office, b"two")
    for epk, nonce in ((bytes(32), bytes(12)), (b"short", bytes(12)), (bytes(31) + b"\x09", b"short")):
        with pytest.raises(InvalidTag):
            hybrid.open_legacy(epk, nonce, b"x" * 40, office, b"one")
