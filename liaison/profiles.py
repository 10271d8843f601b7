"""Finding and reading the station and office profiles (`stations/*.toml`).

Parsing and checking live in `liaison.domain.station`; this module only touches files
and checks what no single file can: that offices exist and codes are unique.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

from .domain.station import Office, ProfileError, Station, parse_profile

ENV_VAR = "LIAISON_STATIONS"


def profiles_dir() -> Path:
    """Where profiles are read from: $LIAISON_STATIONS, the wheel's copy, or the repo's."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    here = Path(__file__).resolve()
    bundled = here.parent / "_stations"  # the wheel build copies stations/ here
    if bundled.is_dir():
        return bundled
    return here.parents[1] / "stations"


def load_profile(path: str | os.PathLike[str]) -> Station | Office:
    source = str(path)
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        # Python 3.11's TOMLDecodeError has no lineno attribute; the line is only in the text.
        m = re.search(r"line (\d+)", str(e))
        where = f"line {m.group(1)}: " if m else ""
        where_zh = f"第{m.group(1)}行：" if m else ""
        raise ProfileError(source, f"{where}not valid TOML: {e}", f"{where_zh}TOML 格式错误：{e}") from None
    except UnicodeDecodeError as e:
        raise ProfileError(source, f"must be saved as UTF-8: {e}", f"文件须以 UTF-8 编码保存：{e}") from None
    except OSError as e:
        raise ProfileError(source, f"cannot be read: {e.strerror or e}", f"无法读取：{e.strerror or e}") from None
    return parse_profile(data, source)


def load_all(dir: str | os.PathLike[str] | None = None) -> tuple[dict[str, Station], dict[str, Office]]:
    """Every profile in `dir` (default `profiles_dir()`), as (stations, offices) by id."""
    folder = Path(dir) if dir is not None else profiles_dir()
    stations: dict[str, Station] = {}
    offices: dict[str, Office] = {}
    for path in sorted(folder.glob("*.toml")):
        profile = load_profile(path)
        if isinstance(profile, Station):
            stations[profile.id] = profile
        else:
            offices[profile.id] = profile
    if not stations:
        raise ProfileError(str(folder), "holds no station profile (*.toml with kind = \"station\")",
                           "目录中没有联络站配置文件（kind = \"station\" 的 *.toml）")
    codes: dict[str, str] = {}
    for s in stations.values():
        source = str(folder / f"{s.id}.toml")
        if s.office not in offices:
            raise ProfileError(source, f"refers to office {s.office!r}, but there is no such office profile "
                               f"(offices: {', '.join(sorted(offices)) or 'none'})",
                               f"引用的院本部 {s.office!r} 不存在（现有：{', '.join(sorted(offices)) or '无'}）", "office")
        if s.code in codes:
            raise ProfileError(source, f"{s.code!r} is already the code of station '{codes[s.code]}'",
                               f"{s.code!r} 已被联络站 '{codes[s.code]}' 使用", "code")
        codes[s.code] = s.id
    return stations, offices


def get_station(station_id: str, dir: str | os.PathLike[str] | None = None) -> Station:
    stations, _ = load_all(dir)
    if station_id not in stations:
        folder = str(Path(dir) if dir is not None else profiles_dir())
        known = ", ".join(sorted(stations))
        raise ProfileError(folder, f"unknown station id {station_id!r}; known stations: {known}",
                           f"未知联络站 {station_id!r}；现有联络站：{known}")
    return stations[station_id]


def office_for(station: Station, dir: str | os.PathLike[str] | None = None) -> Office:
    """The office `station` reports to, read from its own profile file."""
    folder = Path(dir) if dir is not None else profiles_dir()
    path = folder / f"{station.office}.toml"
    profile = load_profile(path) if path.is_file() else None
    if not isinstance(profile, Office):
        raise ProfileError(str(folder / f"{station.id}.toml"), f"refers to office {station.office!r}, but {path} is not an office profile",
                           f"引用的院本部 {station.office!r} 不存在或不是院本部配置（{path}）", "office")
    return profile
