"""Privacy and security at the station (issue 6): the data key and the officers who can
unlock it, sealing of personal values, and the tamper-evident audit log.

Nothing here imports tinydb or textual; the store and the TUI build on these pieces.
"""

from .audit import ACTIONS, AuditLog, VerifyResult, verify
from .errors import (
    AuditBroken,
    BadOfficerName,
    KeyringCorrupt,
    KeyringExists,
    LastOfficer,
    NoKeyring,
    OfficerExists,
    SealBroken,
    SecurityError,
    UnknownOfficer,
    WeakPin,
    WrongPin,
)
from .keyring import Keyring, Officer
from .pins import check_pin
from .seal import is_sealed, open_json, open_sealed, seal, seal_json

__all__ = ["ACTIONS", "AuditLog", "VerifyResult", "verify", "Keyring", "Officer", "check_pin",
           "seal", "open_sealed", "seal_json", "open_json", "is_sealed",
           "SecurityError", "WrongPin", "WeakPin", "BadOfficerName", "NoKeyring", "KeyringExists",
           "KeyringCorrupt", "UnknownOfficer", "OfficerExists", "LastOfficer", "SealBroken", "AuditBroken"]
