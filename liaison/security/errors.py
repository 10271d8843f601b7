"""What the security package refuses, each with a message an officer can act on.

Messages put Chinese first and English in brackets, like the rest of liaison; the texts
live in the catalogue (liaison/messages), so the screens can show one language. Wrong
PINs and unknown officer names raise the same WrongPin with the same text, on purpose:
whoever tries names at the unlock screen learns nothing about who the officers are.
"""

from __future__ import annotations

from ..messages import Both, Explained, say


class SecurityError(Exception):
    """Base class of everything this package refuses."""


class WrongPin(SecurityError, Explained):
    """Unlock refused: wrong PIN, unknown officer, or wrong recovery code."""

    def __init__(self, delay: float = 0.0, what: str = "PIN"):
        self.delay = delay  # seconds this refusal was held back (grows with each failure)
        super().__init__("err_wrong_pin" if what == "PIN" else "err_wrong_recovery_code")


class WeakPin(SecurityError):
    """A new PIN that is too short or too easy to guess; nothing was saved."""


class BadOfficerName(SecurityError):
    """An officer name that is empty, too long, or contains control characters."""


class NoKeyring(SecurityError, Explained):
    """The station has no keyring yet (`liaison officer setup` has not run)."""

    def __init__(self, path: object):
        super().__init__("err_no_keyring", path=path)


class KeyringExists(SecurityError, Explained):
    """`setup` on a station that already has a keyring: it would orphan the data key."""

    def __init__(self, path: object):
        super().__init__("err_keyring_exists", path=path)


class KeyringCorrupt(SecurityError, Explained):
    """keys/officers.json cannot be read back or was altered."""

    def __init__(self, path: object, why: str):
        super().__init__("err_keyring_corrupt", path=path, why=why)


class UnknownOfficer(SecurityError, Explained):
    """Named by an officer who has already unlocked, so naming it reveals nothing new."""

    def __init__(self, name: str):
        super().__init__("err_unknown_officer", name=name)


class OfficerExists(SecurityError, Explained):
    def __init__(self, name: str):
        super().__init__("err_officer_exists", name=name)


class LastOfficer(SecurityError, Explained):
    """Removing the last wrap would leave nobody able to unlock the data."""

    def __init__(self, name: str):
        super().__init__("err_last_officer", name=name)


class SealBroken(SecurityError):
    """A sealed value failed authentication: tampered, truncated, or the wrong key/context."""


class AuditBroken(SecurityError):
    """The audit log cannot be appended to because its last entry is unreadable."""


class RotationBlocked(SecurityError, Explained):
    """A new data key cannot reach every remaining wrap yet: wraps in the first keyring
    format hold the data key itself, and only their own PIN (or the recovery code) can
    convert them. Nothing was changed."""

    def __init__(self, officers: list[str], recovery: bool):
        self.officers, self.recovery = officers, recovery
        names = Both("、".join(officers), ", ".join(officers))
        keys = [k for k, needed in (("err_rotation_officers", officers), ("err_rotation_recovery", recovery)) if needed]
        why = Both("；".join(say(k, "zh", names=names) for k in keys), "; ".join(say(k, "en", names=names) for k in keys))
        super().__init__("err_rotation_blocked", why=why)
