"""Where `liaison sync` delivers: `sync.json` in the station's data folder.

    {"targets": ["/mnt/ferry", "https://hq.example/liaison"]}

A target is a folder (USB stick, network share, a data ferry's drop folder) or an
http(s) URL of `liaison hq serve`. `liaison sync --to` overrides the list for one run.
"""

from __future__ import annotations

from pathlib import Path

import orjson

from ..store.atomic import atomic_write

FILE = "sync.json"


class ConfigProblem(Exception):
    pass


def is_url(target: str) -> bool:
    return target.startswith(("http://", "https://"))


def targets(home: Path) -> list[str]:
    path = Path(home) / FILE
    try:
        data = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        return []
    except orjson.JSONDecodeError as e:
        raise ConfigProblem(f"同步配置无法读取：{path} (unreadable sync config {path}: {e})") from None
    got = data.get("targets") if isinstance(data, dict) else None
    if not isinstance(got, list) or not all(isinstance(t, str) for t in got):
        raise ConfigProblem(f"同步配置格式不对：{path} 应为 {{\"targets\": [...]}} (expected {{\"targets\": [...]}})")
    return got


def set_targets(home: Path, new: list[str]) -> Path:
    clean = [t if is_url(t) else str(Path(t).expanduser().resolve()) for t in new]
    path = Path(home) / FILE
    atomic_write(path, orjson.dumps({"targets": clean}, option=orjson.OPT_INDENT_2))
    return path
