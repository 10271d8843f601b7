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


RECOVERY = ("恢复办法：从备份中找回上述文件放回原处后重试；没有备份时，区院保存着已同步的记录；"
            "确认无法找回后，由警员运行 liaison verify --accept-loss 记录这一损失并恢复写入 "
            "(to recover: put the files back from a backup and retry; the district office holds every "
            "record already synced; once nothing more can be restored, an officer runs "
            "`liaison verify --accept-loss` to record the loss and allow saving again)")


class StoreIntegrityError(StoreCorrupt):
    """The data folder does not hold what its manifest says (a shard missing, rolled
    back, altered or swapped): nothing more is written until it is restored or the
    loss is accepted."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("数据目录与记录清单不符，已停止写入 (the data folder does not match its manifest; "
                         "saving is stopped):\n" + "\n".join(f"  - {p}" for p in self.problems)
                         + "\n" + RECOVERY)
