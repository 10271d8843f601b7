"""Local storage of a station: the only package that imports tinydb."""

from .consultations import Store
from .errors import (
    NotFound,
    NotInitialised,
    StoreBusy,
    StoreCorrupt,
    StoreError,
    StoreLocked,
    StoreWriteError,
    VersionConflict,
)

__all__ = ["Store", "StoreError", "StoreWriteError", "StoreCorrupt", "StoreBusy", "StoreLocked",
           "NotInitialised", "NotFound", "VersionConflict"]
