"""Where a station keeps its data: --home, else $LIAISON_HOME, else the platform's user data folder."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs


def resolve_home(explicit: str | os.PathLike[str] | None = None) -> Path:
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("LIAISON_HOME")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir("liaison", appauthor=False))


def exports_dir() -> Path:
    """Where the app writes files meant to leave the station (the monthly ledger):
    $LIAISON_EXPORTS, else the officer's documents folder. Never inside the data
    folder: everything there is encrypted, and a spreadsheet for the office cannot be."""
    env = os.environ.get("LIAISON_EXPORTS")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_documents_dir()) / "liaison"
