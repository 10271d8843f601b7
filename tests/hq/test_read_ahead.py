"""The office's database file is read ahead (hq/read_ahead.py) by the first whole-history
report and the first `hq clusters` after a backlog, the reads that touch most of it, and
by no other: a run that reads the office's view, or a period, reads little of the file."""

from __future__ import annotations

import orjson
import pytest

from liaison.hq import read_ahead
from tests.hq._small_city import small_city


@pytest.fixture
def office(tmp_path, monkeypatch):
    from liaison.bench.office import PIN

    monkeypatch.setenv("LIAISON_PIN", PIN)
    with small_city(tmp_path, 400) as (o, _):
        hq = o.home
    return hq


def _spy(monkeypatch) -> list:
    """Each child started, with the file it was given, as (path, process)."""
    started: list = []
    start = read_ahead._start

    def spy(path):
        child = start(path)
        started.append((path, child))
        return child

    monkeypatch.setattr(read_ahead, "_start", spy)
    return started


def _cli(hq, *args: str) -> str:
    import contextlib
    import io

    from liaison.bench.office import OFFICER
    from liaison.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["hq", *args, "--home", str(hq), "--officer", OFFICER]) == 0
    return out.getvalue()


@pytest.mark.parametrize("command", [["report", "--json"], ["clusters", "--json"]])
def test_only_the_first_whole_history_read_after_the_ingest_reads_ahead(office, monkeypatch, command):
    started = _spy(monkeypatch)
    # A read ahead far slower than the read it serves (injected): it must still end with it.
    monkeypatch.setattr(read_ahead, "_READ", "import time; time.sleep(60)")
    first = orjson.loads(_cli(office, *command))
    assert [p for p, _ in started] == [str(office / "office.db")]
    assert started[0][1].poll() is not None  # stopped, and waited for, when the read ended
    started.clear()
    again = orjson.loads(_cli(office, *command))  # from the view the first kept
    assert started == []
    if command[0] == "report":
        for key in ("generated_at", "as_of"):
            first.pop(key, None), again.pop(key, None)
    assert again == first


def test_a_period_or_a_since_read_does_not_read_ahead(office, monkeypatch):
    started = _spy(monkeypatch)
    _cli(office, "report", "--json", "--from", "2026-11-01", "--to", "2026-11-30")
    _cli(office, "clusters", "--json", "--since", "2026-11-01")
    assert started == []


def test_a_file_the_child_cannot_read_changes_nothing(tmp_path, monkeypatch):
    import sqlite3

    started = _spy(monkeypatch)
    db = sqlite3.connect(tmp_path / "office.db")
    db.execute("CREATE TABLE t (x)")
    (tmp_path / "office.db").unlink()  # gone from the folder; SQLite keeps its own descriptor
    monkeypatch.setattr(read_ahead, "_fits", lambda path: True)  # (its size can no longer be read)
    with read_ahead.reading_ahead(db):
        assert started[0][1].wait(30) == 1  # the child failed on its own, quietly
        assert db.execute("SELECT count(*) FROM t").fetchone() == (0,)
    assert len(started) == 1
    memory = sqlite3.connect(":memory:")
    with read_ahead.reading_ahead(memory):  # no file at all: no child
        pass
    assert len(started) == 1


def test_whether_a_read_is_worth_reading_ahead_for():
    assert read_ahead.worth_it(276, 276) and read_ahead.worth_it(139, 276)
    assert not read_ahead.worth_it(138, 276) and not read_ahead.worth_it(3, 276) and not read_ahead.worth_it(0, 0)
