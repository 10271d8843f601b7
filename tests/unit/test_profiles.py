"""Station profiles: the bundled ones load, and hand-editing mistakes are named clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from liaison.domain.station import Office, ProfileError, Station, parse_profile
from liaison.profiles import get_station, load_all, load_profile, office_for, profiles_dir

REPO_STATIONS = Path(__file__).resolve().parents[2] / "stations"

OFFICE = """\
id = "office-12309"
kind = "office"
name = "上海市杨浦区人民检察院12309检察服务中心"
short_name = "12309检察服务中心"
place = "接待大厅"
hours = "工作日 9:00-17:00"
hotline = "12309"
"""

GOOD = """\
id = "{id}"
kind = "station"
code = "{code}"
name = "测试社区检察联络站"
short_name = "测试站"
place = "某社区活动室"
host = "某街道党群服务中心"
schedule = "每周一上午"
hours = "9:00-11:30"
focus = ["neighbour", "family"]
office = "office-12309"
consent_text = "依照《个人信息保护法》，您的信息仅用于本次咨询。"
retention_years = 3

[[services]]
title = "法律咨询"
line = "解答常见法律问题"

[[services]]
title = "矛盾调处"
line = "联合人民调解委员会调处纠纷"

[[contacts]]
name = "值班检察官"
role = "驻站检察官"
phone = "021-65010000"
"""


def write(folder: Path, stem: str, text: str) -> Path:
    path = folder / f"{stem}.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    write(tmp_path, "office-12309", OFFICE)
    write(tmp_path, "good", GOOD.format(id="good", code="GD1"))
    return tmp_path


def broken(folder: Path, old: str, new: str, stem: str = "bad") -> Path:
    text = GOOD.format(id=stem, code="BAD")
    assert old in text
    return write(folder, stem, text.replace(old, new, 1))


# --- the bundled profiles -------------------------------------------------------

def test_bundled_stations_load_with_their_codes():
    stations, offices = load_all(REPO_STATIONS)
    assert {s.id: s.code for s in stations.values()} == {
        "fengqiao-yuanfang": "FQYF",
        "fengqiao-ban": "FQB",
        "rider-friendly": "QSYH",
    }
    assert stations["fengqiao-yuanfang"].short_name == "枫桥远坊"
    assert set(stations["fengqiao-yuanfang"].focus) == {"relocation", "labour", "administrative"}
    assert "rider" in stations["rider-friendly"].focus


def test_bundled_office_loads():
    office = load_profile(REPO_STATIONS / "office-12309.toml")
    assert isinstance(office, Office)
    assert office.hotline == "12309"
    assert "12309" in office.name


def test_every_bundled_station_reports_to_an_existing_office():
    stations, offices = load_all(REPO_STATIONS)
    for s in stations.values():
        assert s.office in offices
        assert office_for(s, REPO_STATIONS) == offices[s.office]


def test_bundled_stations_are_complete_enough_to_print():
    stations, _ = load_all(REPO_STATIONS)
    assert any(s.url is None for s in stations.values()), "url is optional; one profile shows it"
    for s in stations.values():
        assert 5 <= len(s.services) <= 8, s.id
        assert all(c.phone.startswith("021-") for c in s.contacts), s.id
        assert "个人信息保护法" in s.consent_text, s.id
        assert s.retention_years >= 1


def test_profiles_dir_follows_the_environment(monkeypatch, folder):
    monkeypatch.setenv("LIAISON_STATIONS", str(folder))
    assert profiles_dir() == folder
    assert get_station("good").code == "GD1"
    monkeypatch.delenv("LIAISON_STATIONS")
    assert (profiles_dir() / "fengqiao-ban.toml").is_file()


# --- a good profile -------------------------------------------------------------

def test_good_profile_parses(folder):
    s = load_profile(folder / "good.toml")
    assert isinstance(s, Station)
    assert (s.id, s.code, s.focus, s.url) == ("good", "GD1", ("neighbour", "family"), None)
    assert [x.title for x in s.services] == ["法律咨询", "矛盾调处"]
    assert s.contacts[0].phone == "021-65010000"
    assert get_station("good", folder) == s
    assert office_for(s, folder).id == "office-12309"


def test_parse_profile_needs_no_file():
    import tomllib

    s = parse_profile(tomllib.loads(GOOD.format(id="x", code="XX")), "somewhere/x.toml")
    assert s.code == "XX"


# --- broken profiles: each names the file and the key ---------------------------

@pytest.mark.parametrize(
    ("old", "new", "key", "expect"),
    [
        ('code = "BAD"\n', "", "code", "required"),
        ('code = "BAD"', 'code = "fq"', "code", "'fq'"),
        ('"neighbour", "family"', '"neighbour", "divorce"', "focus[1]", "'divorce'"),
        ("schedule =", "shcedule =", "shcedule", "did you mean 'schedule'"),
        ('title = "矛盾调处"\n', "", "services[1].title", "required"),
        ("retention_years = 3", "retention_years = 0", "retention_years", "at least 1"),
        ("retention_years = 3", 'retention_years = "3"', "retention_years", "whole number"),
        ('focus = ["neighbour", "family"]', "focus = []", "focus", "non-empty"),
    ],
)
def test_broken_profile_names_file_and_key(folder, old, new, key, expect):
    path = broken(folder, old, new)
    with pytest.raises(ProfileError) as e:
        load_profile(path)
    msg = str(e.value)
    assert str(path) in msg
    assert f"key '{key}'" in msg
    assert expect in msg
    assert e.value.key == key
    assert str(path) in e.value.zh and "字段" in e.value.zh


def test_stations_without_services_are_refused(folder):
    text = GOOD.format(id="bad", code="BAD").split("[[services]]")[0]
    with pytest.raises(ProfileError, match=r"bad\.toml: key 'services' is required"):
        load_profile(write(folder, "bad", text))


def test_toml_syntax_error_names_file_and_line(folder):
    path = broken(folder, 'hours = "9:00-11:30"', "hours = 9:00-11:30")
    with pytest.raises(ProfileError) as e:
        load_profile(path)
    assert str(path) in str(e.value)
    assert "line 9" in str(e.value)
    assert "第9行" in e.value.zh


def test_id_must_match_file_stem(folder):
    path = write(folder, "renamed", GOOD.format(id="original", code="RN"))
    with pytest.raises(ProfileError) as e:
        load_profile(path)
    assert "renamed.toml: key 'id' must equal the file name 'renamed', got 'original'" in str(e.value)


def test_unknown_station_id_lists_known_ids(folder):
    write(folder, "second", GOOD.format(id="second", code="SEC"))
    with pytest.raises(ProfileError) as e:
        get_station("fengqiao", folder)
    msg = str(e.value)
    assert str(folder) in msg
    assert "'fengqiao'" in msg
    assert "good, second" in msg


def test_station_office_must_exist(folder):
    path = broken(folder, 'office = "office-12309"', 'office = "office-hq"')
    load_profile(path)  # fine on its own: only the folder as a whole can tell
    with pytest.raises(ProfileError) as e:
        load_all(folder)
    assert "bad.toml: key 'office'" in str(e.value)
    assert "'office-hq'" in str(e.value)


def test_station_codes_are_unique(folder):
    write(folder, "twin", GOOD.format(id="twin", code="GD1"))
    with pytest.raises(ProfileError) as e:
        load_all(folder)
    assert "twin.toml: key 'code'" in str(e.value)
    assert "station 'good'" in str(e.value)


def test_missing_kind_is_explained(folder):
    path = broken(folder, 'kind = "station"\n', "")
    with pytest.raises(ProfileError, match=r"bad\.toml: key 'kind' must be \"station\" or \"office\""):
        load_profile(path)
