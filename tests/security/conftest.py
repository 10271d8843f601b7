"""A keyring whose back-off delays are recorded instead of slept, on a fake clock."""

from __future__ import annotations

import pytest

from liaison.security import Keyring
from tests.security._security_world import PIN_WANG, STATION, FakeTime


@pytest.fixture
def fake_time():
    return FakeTime()


@pytest.fixture
def ring_home(tmp_path, fake_time):
    home = tmp_path / "station"
    code = Keyring.create(home, STATION, "王检察官", PIN_WANG, sleep=fake_time.sleep, clock=fake_time.clock)
    ring = Keyring.open(home, sleep=fake_time.sleep, clock=fake_time.clock)
    return home, ring, code
