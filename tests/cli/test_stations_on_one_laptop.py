"""Issue 13 case 16: one laptop, several stations. `liaison demo` reuses one demo folder
whose printed path opens with --home; `--station ID` picks (and `init --station ID`
makes) that station's folder under the user data folder; --home and LIAISON_HOME
still work as before."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from liaison.cli import exitcodes as ec
from liaison.cli import main
from liaison.demo import DEMO_PIN
from liaison.demo_data import DEMO_OFFICERS

YUANFANG = "fengqiao-yuanfang"


@pytest.fixture
def data(tmp_path, monkeypatch) -> Path:
    """A laptop whose user data folder is empty (platformdirs follows XDG_DATA_HOME)."""
    monkeypatch.delenv("LIAISON_HOME", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    return tmp_path / "xdg" / "liaison"


def demo(capsys, *extra: str) -> tuple[int, Path, str]:
    code = main(["demo", "--no-ui", *extra])
    out = capsys.readouterr()
    return code, Path(out.out.strip()), out.err


def list_as(capsys, monkeypatch, officer: str, pin: str, *where: str) -> tuple[int, str]:
    monkeypatch.setenv("LIAISON_PIN", pin)
    code = main([*where, "list", "--json", "--officer", officer])
    out = capsys.readouterr()
    return code, out.out


def test_demo_reuses_one_folder_that_opens_with_home(data, capsys, monkeypatch):
    code, first, err = demo(capsys)
    assert code == ec.OK and str(first) in err
    code, again, err = demo(capsys)
    assert code == ec.OK and again == first  # the same demo, not a new temp folder each run
    assert "--reset" in err
    code, out = list_as(capsys, monkeypatch, DEMO_OFFICERS[YUANFANG], DEMO_PIN, "--home", str(first))
    assert code == ec.OK and '"ref"' in out  # the printed folder is the station's own

    # What was added is still there next time; --reset starts again.
    monkeypatch.setenv("LIAISON_PIN", DEMO_PIN)
    record = {"category": "other", "summary": "复用演示目录的测试记录", "visitor": {"anonymous": True}}
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(json.dumps(record).encode())))
    assert main(["--home", str(first), "add", "--officer", DEMO_OFFICERS[YUANFANG]]) == ec.OK
    capsys.readouterr()
    demo(capsys)
    assert "复用演示目录的测试记录" in list_as(capsys, monkeypatch, DEMO_OFFICERS[YUANFANG], DEMO_PIN,
                                           "--home", str(first))[1]
    code, reset, _ = demo(capsys, "--reset")
    assert code == ec.OK and reset == first
    assert "复用演示目录的测试记录" not in list_as(capsys, monkeypatch, DEMO_OFFICERS[YUANFANG], DEMO_PIN,
                                               "--home", str(first))[1]


def test_demo_honours_home_and_liaison_home(data, tmp_path, capsys, monkeypatch):
    code, printed, _ = demo(capsys, "--home", str(tmp_path / "mine"))
    assert code == ec.OK and printed == tmp_path / "mine" / YUANFANG
    monkeypatch.setenv("LIAISON_HOME", str(tmp_path / "env"))
    code, printed, _ = demo(capsys)
    assert code == ec.OK and printed == tmp_path / "env" / YUANFANG


def test_reset_never_removes_a_real_station(data, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LIAISON_PIN", "kx-4711-lotus")
    real = tmp_path / "root" / YUANFANG
    assert main(["--home", str(real), "init", "--station", YUANFANG, "--officer", "王检察官"]) == ec.OK
    capsys.readouterr()
    assert main(["demo", "--no-ui", "--reset", "--home", str(tmp_path / "root")]) == ec.USAGE
    assert (real / "meta.json").is_file()
    monkeypatch.setenv("LIAISON_HOME", str(real))  # the station's own folder: no demo inside it
    assert main(["demo", "--no-ui"]) == ec.USAGE
    assert not (real / YUANFANG).exists()
    capsys.readouterr()


def test_station_option_gives_each_station_its_own_folder_and_officers(data, capsys, monkeypatch):
    monkeypatch.setenv("LIAISON_PIN", "kx-4711-lotus")
    assert main(["init", "--station", "fengqiao-ban", "--officer", "李检察官"]) == ec.OK
    assert main(["init", "--station", "rider-friendly", "--officer", "赵检察官"]) == ec.OK
    out = capsys.readouterr().out
    assert str(data / "stations" / "fengqiao-ban") in out and str(data / "stations" / "rider-friendly") in out

    assert list_as(capsys, monkeypatch, "李检察官", "kx-4711-lotus", "--station", "fengqiao-ban")[0] == ec.OK
    assert list_as(capsys, monkeypatch, "赵检察官", "kx-4711-lotus", "--station", "rider-friendly")[0] == ec.OK
    # Each station has its own officers: 李 is not one of rider-friendly's.
    assert list_as(capsys, monkeypatch, "李检察官", "kx-4711-lotus", "--station", "rider-friendly")[0] != ec.OK
    assert main(["--station", "no-such-station", "list"]) == ec.NOT_SET_UP
    capsys.readouterr()


def test_init_with_liaison_home_stays_where_it_was(data, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LIAISON_PIN", "kx-4711-lotus")
    monkeypatch.setenv("LIAISON_HOME", str(tmp_path / "lh"))
    assert main(["init", "--station", "fengqiao-ban", "--officer", "李检察官"]) == ec.OK
    assert (tmp_path / "lh" / "meta.json").is_file() and not (data / "stations").exists()
    capsys.readouterr()
