"""A throwaway demo: one data folder per station, seeded with the walk-in scenarios."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from .demo_data import DEMO_OFFICERS, scenarios
from .domain.intake import fields_from_input
from .domain.timeutil import today
from .profiles import get_station
from .security.keyring import Keyring
from .security.session import office_envelope, unlock
from .store import Store

DEFAULT_STATION = "fengqiao-yuanfang"
# The demo's officers share one PIN, shown on the demo's unlock screen (meta "demo").
# Fictional data only: a real station's PINs are chosen at `liaison init`.
DEMO_PIN = "demo-2468"


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
