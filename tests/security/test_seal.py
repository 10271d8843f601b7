"""Sealing: round trip; any change to the bytes, the key or the context is refused."""

from __future__ import annotations

import base64
import os

import pytest

from liaison.security import SealBroken, is_sealed, open_json, open_sealed, seal, seal_json

KEY = os.urandom(32)
AAD = b"consultation:0b9c:visitor.phone"


def test_round_trip():
    text = "刘师傅 13900005678 工资被拖欠".encode()
    sealed = seal(KEY, text, AAD)
    assert sealed[0] == 1 and text not in sealed
    assert open_sealed(KEY, sealed, AAD) == text
    assert seal(KEY, text, AAD) != sealed  # fresh nonce each time


def test_tampered_ciphertext_refused():
    sealed = bytearray(seal(KEY, b"13900005678", AAD))
    for i in (0, 5, len(sealed) - 1):
        bad = bytearray(sealed)
        bad[i] ^= 0x01
        with pytest.raises(SealBroken):
            open_sealed(KEY, bytes(bad), AAD)
    with pytest.raises(SealBroken):
        open_sealed(KEY, bytes(sealed[:20]), AAD)


def test_wrong_aad_or_key_refused():
    sealed = seal(KEY, b"13900005678", AAD)
    with pytest.raises(SealBroken):
        open_sealed(KEY, sealed, b"consultation:0b9c:visitor.name")
    with pytest.raises(SealBroken):
        open_sealed(os.urandom(32), sealed, AAD)
    with pytest.raises(ValueError):
        seal(b"short", b"x", AAD)


def test_json_values():
    value = {"name": "刘师傅", "phone": "13900005678", "party_size": 27}
    text = seal_json(KEY, value, AAD)
    # Neither the text nor its decoded bytes carry the plaintext. ("139" alone is no
    # test: three digits turn up in random base64 now and then.)
    raw = base64.b64decode(text[3:])
    assert is_sealed(text) and "刘" not in text and "13900005678" not in text
    assert "刘师傅".encode() not in raw and b"13900005678" not in raw
    assert open_json(KEY, text, AAD) == value
    assert not is_sealed("刘师傅")
    with pytest.raises(SealBroken):
        open_json(KEY, "s1:not base64!", AAD)
    with pytest.raises(SealBroken):
        open_json(KEY, text, b"other")
