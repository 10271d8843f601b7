"""The intake draft file: round trip, clear, damaged files ignored, owner-only."""

from __future__ import annotations

from datetime import datetime

import pytest

from liaison.domain.timeutil import TZ
from liaison.store.drafts import Drafts

DATA = {"category": "labour", "name": "刘建华", "summary": "拖欠工资，约60万元。", "referrals": ["labour_inspection"],
        "details": {"workers": "27"}, "consent": True}


def test_round_trip(tmp_path):
    d = Drafts(tmp_path)
    at = datetime(2026, 11, 28, 9, 30, tzinfo=TZ)
    d.save(DATA, at=at)
    data, saved_at = d.load()
    assert data == DATA and saved_at == at
    assert "刘建华".encode() in d.path.read_bytes()  # UTF-8, not escaped
    d.save({**DATA, "summary": "改了"})
    assert d.load()[0]["summary"] == "改了"


def test_no_draft_and_clear(tmp_path):
    d = Drafts(tmp_path)
    assert d.load() is None
    d.clear()  # nothing to clear: no error
    d.save(DATA)
    assert d.exists
    d.clear()
    assert d.load() is None and not d.exists


def test_draft_file_is_owner_only(tmp_path):
    d = Drafts(tmp_path)
    d.save(DATA)
    assert d.path.stat().st_mode & 0o077 == 0
    assert d.folder.stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("content", [b"", b"{", b"\xff\xfe", b"[]", b'{"format": 1}', b'{"format": 99, "saved_at": "x", "data": {}}',
                                     b'{"format": 1, "saved_at": "not a date", "data": {}}',
                                     b'{"format": 1, "saved_at": "2026-11-28T09:30:00+08:00", "data": []}'])
def test_a_damaged_draft_is_ignored(tmp_path, content):
    d = Drafts(tmp_path)
    d.folder.mkdir()
    d.path.write_bytes(content)
    assert d.load() is None
    d.save(DATA)  # and a new draft replaces it
    assert d.load()[0] == DATA


def test_a_draft_folder_that_is_a_file_is_ignored(tmp_path):
    (tmp_path / "drafts").write_text("not a folder")
    assert Drafts(tmp_path).load() is None
