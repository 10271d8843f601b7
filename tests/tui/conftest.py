"""The TUI tests' stations are sealed, as every station is once an officer is set up:
`home` here has a keyring (officer 王检察官, PIN `unlocked.PIN`), and `session` is
that officer unlocked. `seeded` adds the 枫桥远坊 scenarios (and, in a test module
that sets SYNTHETIC = n, n generated records)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from unlocked import OFFICER, seal, seed_scenarios, session_for

from liaison.security.session import Session
from liaison.store import Store

TODAY = date(2026, 11, 28)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    h = tmp_path / "station"
    Store.init(h, station="fengqiao-yuanfang", code="FQYF", officer=OFFICER).close()
    seal(h, "fengqiao-yuanfang")
    return h


@pytest.fixture
def session(home: Path) -> Session:
    return session_for(home)


@pytest.fixture
def seeded(home: Path, request) -> dict:
    return seed_scenarios(home, TODAY, synthetic=getattr(request.module, "SYNTHETIC", 0))
