"""Shared fixtures: a fresh station data folder per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from liaison.security import pins
from liaison.store import Store


@pytest.fixture(autouse=True)
def _cheap_kdf(monkeypatch):
    """Keyrings made by tests use the lowest cost the keyring accepts (n=2**14): tests
    make hundreds of wraps. Each wrap keeps its parameters, so a `liaison` subprocess
    unlocking it is as quick; wraps a subprocess makes itself use the real cost."""
    monkeypatch.setattr(pins, "KDF", {**pins.KDF, "n": 2**14})


@pytest.fixture
def home(tmp_path: Path) -> Path:
    h = tmp_path / "station"
    Store.init(h, station="fengqiao-yuanfang", code="FQYF", officer="王检察官").close()
    return h


@pytest.fixture
def store(home: Path):
    s = Store.open(home)
    yield s
    s.close()
