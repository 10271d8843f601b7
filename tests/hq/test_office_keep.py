"""Bundles kept during one ingest run share a batch key; each still opens, and a
records key replaced during the run starts a new batch."""

from __future__ import annotations

from liaison.hq.office import Office, init_office
from liaison.hq.staff import remove_officer, unlock
from liaison.security.keyring import Keyring

PIN, OTHER_PIN = "482913", "735102"


def _batch(sealed: bytes) -> int:
    return int.from_bytes(sealed[4:12], "big")


def test_a_run_keeps_its_bundles_under_one_batch(tmp_path):
    init_office(tmp_path, "office", "王主任", PIN)
    office = Office(tmp_path)
    try:
        with office.keeping():
            a = office.keep(office.processed, b"bundle a")
            b = office.keep(office.quarantine, b"bundle b")
        c = office.keep(office.processed, b"bundle c")
        assert _batch(a) == _batch(b) != _batch(c)
        opener = unlock(office, "王主任", PIN).opener
        assert opener.open_file(a, "processed") == b"bundle a"
        assert opener.open_file(b, "quarantine") == b"bundle b"
        assert opener.open_file(c, "processed") == b"bundle c"
    finally:
        office.close()


def test_a_records_key_replaced_during_the_run_starts_a_new_batch(tmp_path):
    init_office(tmp_path, "office", "王主任", PIN)
    Keyring.open(tmp_path).add_officer("王主任", PIN, "李科长", OTHER_PIN)
    office = Office(tmp_path)
    try:
        with office.keeping():
            a = office.keep(office.processed, b"bundle a")
            remove_officer(office, "李科长", "王主任", PIN)
            b = office.keep(office.processed, b"bundle b")
        assert _batch(a) != _batch(b)
        opener = unlock(office, "王主任", PIN).opener
        assert opener.open_file(a, "processed") == b"bundle a"
        assert opener.open_file(b, "processed") == b"bundle b"
    finally:
        office.close()
