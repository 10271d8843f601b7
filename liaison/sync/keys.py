"""Where the key files used to live: the names stay importable from here for callers
written before they moved to security/keys.py (sync imports security, not the reverse)."""

from ..security.keys import (
    OFFICE_PUB,
    STATION_KEY,
    STATION_PUB,
    KeyProblem,
    OfficePublic,
    b64d,
    b64e,
    ensure_station_keys,
    fingerprint,
    install_office_key,
    keys_dir,
    load_private,
    office_public,
    parse_office_pub,
    raw_private,
    raw_public,
    read_json,
    station_signing_key,
    write_secret,
)

__all__ = ["OFFICE_PUB", "STATION_KEY", "STATION_PUB", "KeyProblem", "OfficePublic", "b64d", "b64e",
           "ensure_station_keys", "fingerprint", "install_office_key", "keys_dir", "load_private",
           "office_public", "parse_office_pub", "raw_private", "raw_public", "read_json",
           "station_signing_key", "write_secret"]
