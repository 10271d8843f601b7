"""Shared fixtures: a fresh station data folder per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from liaison.store import Store


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
