"""The keyring: officers unlock the one data key; wrong PINs back off; recovery works."""

from __future__ import annotations

import base64
import re
import stat

import pytest

from liaison.security import (
    Keyring,
    KeyringExists,
    LastOfficer,
    NoKeyring,
    OfficerExists,
    UnknownOfficer,
    WeakPin,
    WrongPin,
)
from liaison.security.backoff import delay_after
from liaison.security.pins import check_pin, normalise_recovery_code
from tests.security._security_world import PIN_LI, PIN_WANG, STATION


def test_create_unlock_with_each_officer(ring_home):
    home, ring, code = ring_home
    key = ring.unlock("王检察官", PIN_WANG)
    assert len(key) == 32
    ring.add_officer("王检察官", PIN_WANG, "李检察官", PIN_LI)
    assert ring.unlock("李检察官", PIN_LI) == key
    assert [o.name for o in ring.officers()] == ["李检察官", "王检察官"]
    assert re.fullmatch(r"([A-Z2-7]{5}-){5}[A-Z2-7]{5}", code)


def test_keyring_file_is_private_and_holds_no_secret(ring_home):
    home, ring, code = ring_home
    ring.add_officer("王检察官", PIN_WANG, "李检察官", PIN_LI)
    key = ring.unlock("王检察官", PIN_WANG)
    path = home / "keys" / "officers.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((home / "keys").stat().st_mode) == 0o700
    raw = b"".join(p.read_bytes() for p in (home / "keys").iterdir() if p.is_file())
    for secret in (key, base64.b64encode(key), key.hex().encode(), PIN_WANG.encode(), PIN_LI.encode(),
                   code.encode(), normalise_recovery_code(code).encode()):
        assert secret not in raw


def test_second_create_refused(ring_home):
    home, ring, _ = ring_home
    with pytest.raises(KeyringExists):
        Keyring.create(home, STATION, "李检察官", PIN_LI)
    assert [o.name for o in ring.officers()] == ["王检察官"]


def test_no_keyring(tmp_path):
    with pytest.raises(NoKeyring):
        Keyring.open(tmp_path / "none")


def test_wrong_pin_delays_grow_and_survive_a_restart(ring_home, fake_time):
    home, ring, _ = ring_home
    for _ in range(4):
        with pytest.raises(WrongPin):
            ring.unlock("王检察官", "not-the-pin")
    assert fake_time.slept == [1.0, 2.0, 4.0]  # failures 1..4 wait 0, 1, 2, 4 s
    # A "restarted program" (a new Keyring) keeps counting: the 5th failure waits 8 s.
    again = Keyring.open(home, sleep=fake_time.sleep, clock=fake_time.clock)
    with pytest.raises(WrongPin) as e:
        again.unlock("王检察官", "still-wrong")
    assert e.value.delay == 8.0 and fake_time.slept[-1] == 8.0
    assert [delay_after(k) for k in range(1, 10)] == [0, 1, 2, 4, 8, 16, 32, 60, 60]
    # Success resets the count.
    again.unlock("王检察官", PIN_WANG)
    with pytest.raises(WrongPin) as e:
        again.unlock("王检察官", "wrong")
    assert e.value.delay == 0.0


def test_killed_during_the_delay_still_waits(ring_home, fake_time):
    home, ring, _ = ring_home
    slept: list[float] = []
    ring.backoff._write(5, fake_time.now + 8)  # as if killed right after recording failure 5
    fresh = Keyring.open(home, sleep=slept.append, clock=fake_time.clock)
    with pytest.raises(WrongPin):
        fresh.unlock("王检察官", "wrong")
    assert slept[0] == 8.0  # waited out the remembered delay before trying


def test_unknown_officer_looks_like_a_wrong_pin(ring_home, fake_time):
    _, ring, _ = ring_home
    with pytest.raises(WrongPin) as unknown:
        ring.unlock("张三", PIN_WANG)
    with pytest.raises(WrongPin) as wrong:
        ring.unlock("王检察官", "wrong-pin")
    assert str(unknown.value) == str(wrong.value)
    assert ring.backoff.failures == 2  # counted per station, not per name


def test_removed_officer_refused_and_last_cannot_be_removed(ring_home):
    _, ring, _ = ring_home
    ring.add_officer("王检察官", PIN_WANG, "李检察官", PIN_LI)
    with pytest.raises(OfficerExists):
        ring.add_officer("王检察官", PIN_WANG, "李检察官", "another-pin9")
    ring.remove_officer("李检察官", "王检察官", PIN_WANG)
    with pytest.raises(WrongPin):
        ring.unlock("李检察官", PIN_LI)
    with pytest.raises(LastOfficer):
        ring.remove_officer("王检察官", "王检察官", PIN_WANG)
    with pytest.raises(UnknownOfficer):
        ring.remove_officer("赵检察官", "王检察官", PIN_WANG)
    with pytest.raises(WrongPin):
        ring.remove_officer("王检察官", "王检察官", "wrong-pin")
    assert [o.name for o in ring.officers()] == ["王检察官"]


def test_recovery_code_resets_a_pin(ring_home):
    _, ring, code = ring_home
    key = ring.unlock("王检察官", PIN_WANG)
    with pytest.raises(WrongPin):
        ring.reset_pin("王检察官", "AAAAA-AAAAA-AAAAA-AAAAA-AAAAA-AAAAA", "new-pin-77")
    typed = code.lower().replace("-", " ").replace("O", "0")  # read back sloppily
    ring.reset_pin("王检察官", typed, "new-pin-77")
    assert ring.unlock("王检察官", "new-pin-77") == key
    with pytest.raises(WrongPin):
        ring.unlock("王检察官", PIN_WANG)


@pytest.mark.parametrize("pin", ["12345", "123456", "000000", "999999999", "654321", "abcdef",
                                 "qwerty", "password", "aaaaaa", "121212", "王检察官"])
def test_weak_pins_refused(pin, ring_home):
    _, ring, _ = ring_home
    with pytest.raises(WeakPin):
        check_pin(pin, "王检察官")
    with pytest.raises(WeakPin):
        ring.add_officer("王检察官", PIN_WANG, "李检察官", pin)
    assert ring.backoff.failures == 0  # a weak new PIN costs no unlock attempt


@pytest.mark.parametrize("pin", ["ks83jd-x", "739251", "桥头调解2024", "correct horse battery"])
def test_good_pins_accepted(pin):
    check_pin(pin, "王检察官")


def test_wrap_bound_to_officer_name(ring_home):
    home, ring, _ = ring_home
    path = home / "keys" / "officers.json"
    text = path.read_text(encoding="utf-8").replace("王检察官", "张检察官")  # move the wrap to another name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(WrongPin):
        ring.unlock("张检察官", PIN_WANG)
