"""What the unlock screen shows before any PIN, read for its first frame with the
standard library: the station (meta.json: the store's TinyDB table "meta", document 1)
and the officers' names (the keyring's keys/officers.json); the station's name, from
its profile, right after the first frame.

The store's and the keyring's own modules import TinyDB and cryptography, which the
first frame must not wait for (issue 14). They read the same files again, and check
them fully (the keyring's key-derivation parameters too), when the PIN is checked.
Anything unexpected here gives None: the screen then asks them, and they say what is
wrong.
"""

from __future__ import annotations

import json
from pathlib import Path

KEYRING = Path("keys") / "officers.json"  # security.keyring: keys_dir(home) / FILE
KEYRING_FORMAT, KEYRING_VERSIONS = "liaison-keyring", (1, 2)


def has_keyring(home: Path) -> bool:
    """Keyring.exists: an officer has been set up."""
    return (Path(home) / KEYRING).exists()


def _officers(home: Path) -> list[str] | None:
    doc = json.loads((Path(home) / KEYRING).read_bytes())
    ok = (isinstance(doc, dict) and doc.get("format") == KEYRING_FORMAT and doc.get("version") in KEYRING_VERSIONS
          and isinstance(doc.get("station"), str) and isinstance(doc.get("recovery"), dict)
          and isinstance(doc.get("officers"), dict) and all(isinstance(e, dict) for e in doc["officers"].values()))
    return sorted(doc["officers"]) if ok else None  # Keyring.officers(), by name


def clear_facts(home: Path, *, officers: bool = True) -> tuple[str, bool, list[str]] | None:
    """(station id, demo?, officers' names — [] unless `officers`), or None when a
    file is missing or not as expected."""
    try:
        meta = json.loads((Path(home) / "meta.json").read_bytes())["meta"]["1"]
        sid, demo = str(meta.get("station", "")), bool(meta.get("demo"))
        names = _officers(home) if officers else []
    except (OSError, ValueError, LookupError, TypeError, AttributeError):
        return None
    return None if names is None else (sid, demo, names)


def station_name(sid: str) -> str:
    """The station's name from its profile (the profiles' module and files: after the
    first frame), or its id when the profile cannot be read."""
    from ...profiles import get_station

    try:
        return get_station(sid).name
    except Exception:  # noqa: BLE001 — an unknown profile: the id still says which station
        return sid
