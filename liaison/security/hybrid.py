"""Encryption to an X25519 public key: one construction for everything sealed to a key
whose private half is elsewhere (bundles and envelope keys to the office, batch keys to
the office's records key, the data key to each officer's wrap).

It is HPKE base mode (RFC 9180) as `cryptography` implements it: DHKEM(X25519,
HKDF-SHA256), HKDF-SHA256, AES-256-GCM, a fresh ephemeral key per message. `info` is
what the ciphertext is bound to (station and bundle number, envelope id, …): it enters
the key schedule, so a ciphertext opened with other `info` fails like a wrong key.

Bundles and envelope keys written before (liaison <= 7593b07) used a hand-written
construction of the same primitives: ephemeral X25519, HKDF-SHA256 salted with the
ephemeral and recipient public keys, AES-256-GCM under a random nonce with the binding
as both HKDF info and associated data. `open_legacy` reads it; nothing writes it.
"""

from __future__ import annotations

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hpke
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .keys import raw_public

SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)
ALG = "HPKE-X25519-HKDF-SHA256-AES-256-GCM"
LEGACY_ALG = "X25519-HKDF-SHA256-AES-256-GCM"
EPK, NONCE = 32, 12  # the legacy layout's ephemeral public key and nonce


def seal(plain: bytes, to: X25519PublicKey, info: bytes) -> bytes:
    """The encapsulated key followed by the ciphertext (a single HPKE message)."""
    return SUITE.encrypt(plain, to, info=info)


def open_sealed(blob: bytes, key: X25519PrivateKey, info: bytes) -> bytes:
    """The plaintext of `seal`; InvalidTag for another key, other `info`, or any change."""
    return SUITE.decrypt(blob, key, info=info)


def open_legacy(epk: bytes, nonce: bytes, cipher: bytes, key: X25519PrivateKey, binding: bytes) -> bytes:
    """The plaintext of the construction written before HPKE; InvalidTag as `open_sealed`."""
    try:
        peer = X25519PublicKey.from_public_bytes(epk)
        shared = key.exchange(peer)
    except ValueError:  # not a point, or one giving an all-zero secret: nothing of ours
        raise InvalidTag() from None
    kek = HKDF(algorithm=hashes.SHA256(), length=32, salt=epk + raw_public(key.public_key()),
               info=binding).derive(shared)
    if len(nonce) != NONCE:
        raise InvalidTag()
    return AESGCM(kek).decrypt(nonce, cipher, binding)
