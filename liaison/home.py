"""Where a station keeps its data: --home, else $LIAISON_HOME, else the platform's user
data folder — and, for a laptop that serves several stations, one folder per station
under it (<data>/stations/<station id>), chosen with `liaison --station ID`."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

LAST = ".last"  # in stations/: the station opened last, for a bare `liaison`


def data_root() -> Path:
    return Path(platformdirs.user_data_dir("liaison", appauthor=False))


def stations_dir() -> Path:
    return data_root() / "stations"


def station_home(station_id: str) -> Path:
    return stations_dir() / station_id


def is_station(folder: Path) -> bool:
    return (folder / "meta.json").is_file()


def resolve_home(explicit: str | os.PathLike[str] | None = None) -> Path:
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("LIAISON_HOME")
    if env:
        return Path(env).expanduser()
    root = data_root()
    if is_station(root):
        return root  # a laptop set up before stations had a folder each: as it was
    # Several stations on this laptop: the one opened last, else the only one.
    try:
        last = (stations_dir() / LAST).read_text(encoding="utf-8").strip()
    except OSError:
        last = ""
    if last and "/" not in last and is_station(station_home(last)):
        return station_home(last)
    found = station_folders()
    return found[0] if len(found) == 1 else root


def remember(home: Path) -> None:
    """Note `home` as the station opened last, if it is one of the per-station folders."""
    home = Path(home)
    if home.parent == stations_dir():
        try:
            stations_dir().mkdir(parents=True, exist_ok=True)
            (stations_dir() / LAST).write_text(home.name, encoding="utf-8")
        except OSError:
            pass  # only a convenience for the next bare `liaison`


def station_folders() -> list[Path]:
    """The per-station folders set up under the user data folder, by name."""
    try:
        return sorted(p for p in stations_dir().iterdir() if p.is_dir() and is_station(p))
    except OSError:
        return []


def stations_on_this_laptop(current: Path | None = None) -> list[Path]:
    """Every station folder the officer may switch to: the per-station folders, the
    user data folder itself if it is a station, and the folders beside `current` (a
    --home root holding several stations, as the demo's does), current included."""
    found: list[Path] = []
    candidates = [data_root(), *station_folders()]
    if current is not None:
        current = Path(current)
        candidates.append(current)
        if current.resolve() != data_root().resolve():  # not the platform's shared data folder
            try:
                candidates += sorted(p for p in current.parent.iterdir() if p.is_dir())
            except OSError:
                pass
    for p in candidates:
        # A station's folder has its records and its keys beside meta.json.
        if is_station(p) and (p / "consultations").is_dir() and p.resolve() not in {f.resolve() for f in found}:
            found.append(p)
    return found


def exports_dir() -> Path:
    """Where the app writes files meant to leave the station (the monthly ledger):
    $LIAISON_EXPORTS, else the officer's documents folder. Never inside the data
    folder: everything there is encrypted, and a spreadsheet for the office cannot be."""
    env = os.environ.get("LIAISON_EXPORTS")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_documents_dir()) / "liaison"
