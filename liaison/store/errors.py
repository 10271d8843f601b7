"""Errors the store raises, each with a message an officer can act on (Chinese first)."""

from __future__ import annotations


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


class StoreLocked(StoreError):
    """The station's records are encrypted and no officer has unlocked them."""

    def __init__(self, message: str = ""):
        super().__init__(message or "站点数据已加密，需要警员 PIN 解锁 "
                                    "(the station's records are encrypted; an officer must unlock them with a PIN)")
