"""The demo: one data folder per station, seeded with the walk-in scenarios, kept in one
demo folder that later runs reuse (`liaison demo --reset` seeds it again)."""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import date
from pathlib import Path

from .demo_data import DEFAULT_STATION, DEMO_OFFICERS, DEMO_PIN, scenarios
from .domain.intake import fields_from_input
from .domain.timeutil import today
from .home import data_root
from .profiles import get_station
from .security.keyring import Keyring
from .security.session import office_envelope, unlock
from .store import Store
from .store.meta import Meta


def seed_demo(root: Path | None = None, *, synthetic: int = 0, station_for_synthetic: str = DEFAULT_STATION,
              on: date | None = None) -> dict[str, Path]:
    """Create (or reuse) `root` with a seeded data folder per station; returns their paths.

    Visits are dated in the weeks before `on` (default today)."""
    root = Path(root) if root else Path(tempfile.mkdtemp(prefix="liaison-demo-"))
    by_station: dict[str, list] = {}
    for station_id, mapping in scenarios(on or today()):
        by_station.setdefault(station_id, []).append(mapping)
    homes = {}
    for station_id, mappings in by_station.items():
        home = root / station_id
        homes[station_id] = home
        if (home / "meta.json").exists():
            continue  # already seeded: a demo folder reused with --home
        station = get_station(station_id)
        officer = DEMO_OFFICERS[station_id]
        Keyring.create(home, station.id, officer, DEMO_PIN)  # the recovery code is not needed for a demo
        session = unlock(home, officer, DEMO_PIN)
        store = Store.init(home, station=station.id, code=station.code, officer=officer,
                           cipher=session.sealer, office=office_envelope(session))
        store.meta.put(demo=True)
        batch = [fields_from_input(m, officer=officer) for m in mappings]
        if synthetic and station_id == station_for_synthetic:
            from .synth import generate

            batch += [fields_from_input(m, officer=officer) for m in generate(synthetic, station=station_id)]
        store.create_many(sorted(batch, key=lambda f: f["visited_at"]))
        store.close()
    return homes


def demo_root(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Where `liaison demo` keeps its stations: --home, else $LIAISON_HOME, else one demo
    folder in the user data folder — the same every run, so what was tried is still there."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("LIAISON_HOME")
    if env:
        return Path(env).expanduser()
    return data_root() / "demo"


def is_demo(home: Path) -> bool:
    if not (home / "meta.json").is_file():
        return False
    meta = Meta(home)
    try:
        return bool(meta.get().get("demo"))
    finally:
        meta.close()


def reset_demo(root: Path) -> list[Path]:
    """Remove the demo's station folders under `root` so the next seed starts afresh.
    Only folders the demo made (meta "demo"): a real station's data is never touched.
    Returns the folders that are real stations and were kept."""
    kept = []
    for station_id in DEMO_OFFICERS:
        home = Path(root) / station_id
        if is_demo(home):
            shutil.rmtree(home)
        elif home.exists():
            kept.append(home)
    return kept
