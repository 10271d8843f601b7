"""Delivery targets. Each `offer` hands one bundle over and returns the receipt bytes
if the office has answered for it already, or None if the answer is still to come.

Folder: the bundle is copied atomically into `DIR/inbox/` (a reader never sees half a
file); the office's receipts come back in `DIR/receipts/`. HTTP: the bundle is POSTed
to `URL/bundles` and the reply body is the receipt. urllib, not aiohttp, on this side:
one blocking request at a time is all a nightly job needs, and it loads fast.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import orjson

from ..store.atomic import atomic_write
from . import receipt
from .config import is_url

TIMEOUT = 60.0  # seconds per request: a 50 000-record bundle is ingested well within


class Unreachable(Exception):
    pass


class Refused(Exception):
    pass


class FolderTarget:
    def __init__(self, root: str):
        self.root = Path(root)
        self.label = str(root)

    def open(self) -> None:
        if not self.root.is_dir():  # e.g. the stick is not plugged in: do not invent a folder
            raise Unreachable(f"投递目录不存在或未挂载：{self.root} (target folder missing or not mounted: {self.root})")
        try:
            (self.root / "inbox").mkdir(exist_ok=True)
        except OSError as e:
            raise Unreachable(f"无法写入投递目录 {self.root}：{e.strerror} (cannot write to {self.root}: {e.strerror})") from None

    def receipt(self, name: str) -> bytes | None:
        try:
            return (self.root / "receipts" / receipt.file_name(name)).read_bytes()
        except FileNotFoundError:
            return None

    def offer(self, name: str, data: bytes) -> bytes | None:
        got = self.receipt(name)
        if got is not None:
            return got
        dest = self.root / "inbox" / name
        try:
            if not (dest.exists() and dest.read_bytes() == data):
                atomic_write(dest, data)
        except Exception as e:  # StoreWriteError (full stick, read-only share) and OSError
            raise Unreachable(f"无法写入 {dest}：{e} (cannot write {dest})") from None
        return None


class HttpTarget:
    def __init__(self, url: str):
        self.url = url.rstrip("/") + "/bundles"
        self.label = url

    def open(self) -> None:
        pass  # the first POST finds out

    def offer(self, name: str, data: bytes) -> bytes | None:
        req = urllib.request.Request(self.url, data=data, method="POST",
                                     headers={"Content-Type": "application/json", "X-Bundle-Name": name})
        try:
            with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:
                return resp.read()
        except urllib.error.HTTPError as e:
            reason = _reason(e)
            if e.code >= 500:
                raise Unreachable(f"院本部服务出错 HTTP {e.code}：{reason} (office server error)") from None
            raise Refused(f"院本部拒收 {name}：HTTP {e.code} {reason} (the office refused {name})") from None
        except (urllib.error.URLError, OSError) as e:
            why = getattr(e, "reason", e)
            raise Unreachable(f"无法连接院本部 {self.label}：{why} (office unreachable: {why})") from None


def _reason(e: urllib.error.HTTPError) -> str:
    try:
        return str(orjson.loads(e.read()).get("error", ""))
    except Exception:
        return e.reason or ""


def make(target: str) -> FolderTarget | HttpTarget:
    return HttpTarget(target) if is_url(target) else FolderTarget(target)
