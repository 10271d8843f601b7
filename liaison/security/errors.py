"""What the security package refuses, each with a message an officer can act on.

Messages put Chinese first and English in brackets, like the rest of liaison. Wrong
PINs and unknown officer names raise the same WrongPin with the same text, on purpose:
whoever tries names at the unlock screen learns nothing about who the officers are.
"""

from __future__ import annotations


class SecurityError(Exception):
    """Base class of everything this package refuses."""


class WrongPin(SecurityError):
    """Unlock refused: wrong PIN, unknown officer, or wrong recovery code."""

    def __init__(self, delay: float = 0.0, what: str = "PIN"):
        self.delay = delay  # seconds this refusal was held back (grows with each failure)
        if what == "PIN":
            text = "警员或 PIN 不正确；连续输错后每次等待时间会加长 (wrong officer or PIN; each further failure waits longer)"
        else:
            text = "恢复码不正确；连续输错后每次等待时间会加长 (wrong recovery code; each further failure waits longer)"
        super().__init__(text)


class WeakPin(SecurityError):
    """A new PIN that is too short or too easy to guess; nothing was saved."""


class BadOfficerName(SecurityError):
    """An officer name that is empty, too long, or contains control characters."""


class NoKeyring(SecurityError):
    """The station has no keyring yet (`liaison officer setup` has not run)."""

    def __init__(self, path: object):
        super().__init__(
            f"此站点尚未设置警员 PIN，请先运行：liaison officer setup --officer <姓名> "
            f"(no officers set up at {path}; run `liaison officer setup --officer NAME`)")


class KeyringExists(SecurityError):
    """`setup` on a station that already has a keyring: it would orphan the data key."""

    def __init__(self, path: object):
        super().__init__(
            f"此站点已设置过警员 PIN（{path}），请用 liaison officer add 增加警员 "
            f"(officers are already set up at {path}; use `liaison officer add`)")


class KeyringCorrupt(SecurityError):
    """keys/officers.json cannot be read back or was altered."""

    def __init__(self, path: object, why: str):
        super().__init__(f"警员密钥文件已损坏：{path}（{why}） (keyring file is damaged: {path}: {why})")


class UnknownOfficer(SecurityError):
    """Named by an officer who has already unlocked, so naming it reveals nothing new."""

    def __init__(self, name: str):
        super().__init__(f"没有名为“{name}”的警员 (no officer named {name!r})")


class OfficerExists(SecurityError):
    def __init__(self, name: str):
        super().__init__(f"警员“{name}”已存在，未作更改 (officer {name!r} already exists; nothing changed)")


class LastOfficer(SecurityError):
    """Removing the last wrap would leave nobody able to unlock the data."""

    def __init__(self, name: str):
        super().__init__(
            f"“{name}”是最后一名警员，不能删除：否则没有人能解锁数据。请先增加另一名警员 "
            f"({name!r} is the last officer and cannot be removed: nobody could unlock the data; "
            f"add another officer first)")


class SealBroken(SecurityError):
    """A sealed value failed authentication: tampered, truncated, or the wrong key/context."""


class AuditBroken(SecurityError):
    """The audit log cannot be appended to because its last entry is unreadable."""


class RotationBlocked(SecurityError):
    """A new data key cannot reach every remaining wrap yet: wraps in the first keyring
    format hold the data key itself, and only their own PIN (or the recovery code) can
    convert them. Nothing was changed."""

    def __init__(self, officers: list[str], recovery: bool):
        self.officers, self.recovery = officers, recovery
        zh, en = [], []
        if officers:
            names = "、".join(officers)
            zh.append(f"请以下警员先各解锁一次：{names}")
            en.append(f"these officers must unlock once first: {', '.join(officers)}")
        if recovery:
            zh.append("并提供恢复码（LIAISON_RECOVERY_CODE）")
            en.append("the recovery code is needed too (LIAISON_RECOVERY_CODE)")
        super().__init__(f"无法更换数据密钥，未作更改。{'；'.join(zh)} "
                         f"(the data key cannot be replaced yet; nothing changed: {'; '.join(en)})")
