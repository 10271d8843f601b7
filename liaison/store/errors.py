"""Errors the store raises, each with a message an officer can act on (Chinese first;
the texts of those built here live in the catalogue, liaison/messages)."""

from __future__ import annotations

from ..messages import BOTH, Explained, say


class StoreError(Exception):
    """Base class: something about the data folder stops the operation."""


class StoreWriteError(StoreError):
    """A save failed (disk full, read-only medium …); what was saved before is intact."""


class StoreCorrupt(StoreError):
    """A data file cannot be read back."""


class StoreBusy(StoreError):
    """Another process holds the write lock longer than we are willing to wait."""


class NotInitialised(StoreError):
    """The data folder has not been set up with `liaison init`."""


class NotFound(StoreError):
    """No consultation has that id or reference."""


class VersionConflict(StoreError):
    """The record changed (in another window or process) since it was read."""


class StoreLocked(StoreError, Explained):
    """The station's records are encrypted and no officer has unlocked them."""

    def __init__(self, message: str = ""):
        self.message = message  # a caller's own text replaces the catalogue's, in every language
        super().__init__("err_store_locked")

    def text(self, lang: str) -> str:
        return self.message or super().text(lang)


RECOVERY = say("err_recovery", BOTH)  # also printed by the CLI after an integrity error


class StoreIntegrityError(StoreCorrupt, Explained):
    """The data folder does not hold what its manifest says (a shard missing, rolled
    back, altered or swapped): nothing more is written until it is restored or the
    loss is accepted."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("err_integrity")

    def text(self, lang: str) -> str:
        problems = "".join(f"\n  - {p}" for p in self.problems)
        return f"{say(self.key, lang)}{'：' if lang == 'zh' else ':'}{problems}\n{say('err_recovery', lang)}"
