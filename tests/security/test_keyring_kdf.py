"""Each wrap carries its own KDF parameters (issue 11, case 9): raising the cost
constant must not lock out officers added or reset afterwards, and files in the first
format (one top-level "kdf") still unlock."""

from __future__ import annotations

import orjson
import pytest

from liaison.security import pins
from liaison.security.errors import KeyringCorrupt
from liaison.security.keyring import Keyring
from liaison.security.pins import normalise_recovery_code
from tests.security._legacy_keyring import write_v1
from tests.security._security_world import PIN_LI, PIN_WANG, STATION, FakeTime

CODE = "ABCDE-FGHIJ-KLMNO-PQRST-UVWXY-Z2345"


def _doc(home):
    return orjson.loads((home / "keys" / "officers.json").read_bytes())


def test_wraps_made_after_the_cost_is_raised_still_unlock(ring_home, monkeypatch):
    home, ring, code = ring_home
    old_key = ring.unlock("王检察官", PIN_WANG)
    raised = {**pins.KDF, "n": pins.KDF["n"] * 2}
    monkeypatch.setattr(pins, "KDF", raised)

    ring.add_officer("王检察官", PIN_WANG, "李检察官", PIN_LI)
    assert ring.unlock("李检察官", PIN_LI) == old_key  # new wrap, new cost
    assert ring.unlock("王检察官", PIN_WANG) == old_key  # old wrap, old cost
    ring.reset_pin("王检察官", code, "新的口令-7391")
    assert ring.unlock("王检察官", "新的口令-7391") == old_key
    officers = _doc(home)["officers"]
    assert officers["李检察官"]["kdf"]["n"] == officers["王检察官"]["kdf"]["n"] == raised["n"]


def test_a_first_format_keyring_still_unlocks(tmp_path):
    home = tmp_path / "station"
    key = write_v1(home, STATION, {"王检察官": PIN_WANG}, normalise_recovery_code(CODE))
    t = FakeTime()
    ring = Keyring.open(home, sleep=t.sleep, clock=t.clock)
    assert ring.unlock("王检察官", PIN_WANG) == key
    assert ring.unlock("王检察官", PIN_WANG) == key  # again, after its wrap was converted
    ring.reset_pin("王检察官", CODE, "新的口令-7391")
    assert ring.unlock("王检察官", "新的口令-7391") == key


def test_each_wraps_parameters_are_bounded(ring_home):
    home, ring, _ = ring_home
    doc = _doc(home)
    wrap = doc["officers"]["王检察官"]
    wrap["kdf"] = {**(wrap.get("kdf") or doc["kdf"]), "n": 2**24}  # an unlock of minutes and 16 GiB
    (home / "keys" / "officers.json").write_bytes(orjson.dumps(doc))
    with pytest.raises(KeyringCorrupt):
        ring.unlock("王检察官", PIN_WANG)
