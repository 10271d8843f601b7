"""The TUI tests' stations are sealed, as every station is once an officer is set up:
`home` here has a keyring (officer 王检察官, PIN `unlocked.PIN`), and `session` is
that officer unlocked. `seeded` adds the 枫桥远坊 scenarios (and, in a test module
that sets SYNTHETIC = n, n generated records). `station_app` opens `home`'s app already
unlocked, the scenario's starting point in most screen tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from liaison.security.session import Session
from liaison.store import Store
from tests.tui.unlocked import OFFICER, TODAY, running, seal, seed_scenarios, session_for


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


@pytest.fixture
def station_app(home: Path, request):
    """`async with station_app(**build_app_options) as (app, pilot):` `home`'s app, its
    officer unlocked, at the test module's SIZE (`size=` to change it) with notices shown
    (`notifications=False`: the module's tests ran without), idle."""
    module = request.module

    def start(*, size: tuple[int, int] | None = None, **options):
        return running(home, size=size or getattr(module, "SIZE", (120, 40)),
                       today=getattr(module, "TODAY", TODAY), **options)

    return start
