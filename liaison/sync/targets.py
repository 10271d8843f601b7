"""Delivery targets. Each `offer` hands one bundle over and returns the receipt bytes
if the office has answered for it already, or None if the answer is still to come.

Folder: the bundle is copied atomically into `DIR/inbox/` (a reader never sees half a
file); the office's receipts come back in `DIR/receipts/`. HTTP: the bundle is POSTed
to `URL/bundles` with headers signed by the station key (upload_auth.py: the office
reads no body it cannot attribute) and the reply body is the receipt. urllib, not aiohttp, on this side:
one blocking request at a time is all a nightly job needs, and it loads fast.
"""

from __future__ import annotations

import random
import time
import urllib.error
import urllib.request
from pathlib import Path

import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ..security import keys
from ..store.atomic import atomic_write
from . import bundle, receipt
from .config import is_url
from .upload_auth import sign_headers

TIMEOUT = 60.0  # seconds per request: a 50 000-record bundle is ingested well within
RETRY_WAIT_MAX = 10  # a busy office asking for a short wait is retried; a longer wait means next night
RETRY_BUDGET = 30  # seconds of waiting per bundle, in all: a sync run must end
RETRIES = 5


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
    def __init__(self, url: str, home: Path | None = None):
        self.url = url.rstrip("/") + "/bundles"
        self.label = url
        self.home = home
        self.key: Ed25519PrivateKey | None = None

    def open(self) -> None:
        if self.home is not None:  # the first POST finds out whether the office is there
            self.key = keys.station_signing_key(self.home)

    def offer(self, name: str, data: bytes) -> bytes | None:
        waited = 0.0
        for attempt in range(1, RETRIES + 2):
            try:
                return self._post(name, data)
            except urllib.error.HTTPError as e:
                reason = _reason(e)
                if e.code == 503:
                    wait = _retry_after(e)
                    if (attempt <= RETRIES and wait is not None and wait <= RETRY_WAIT_MAX
                            and waited + wait <= RETRY_BUDGET):
                        # A little jitter: stations turned away together must not all come back together.
                        pause = wait + random.uniform(0, min(1.0, wait))
                        time.sleep(pause)
                        waited += pause
                        continue  # signed afresh: the office refuses a nonce it has seen
                    raise Unreachable(f"院本部繁忙，稍后重试：{reason} (office busy, retry later)") from None
                if e.code >= 500:
                    raise Unreachable(f"院本部服务出错 HTTP {e.code}：{reason} (office server error)") from None
                raise Refused(f"院本部拒收 {name}：HTTP {e.code} {reason} (the office refused {name})") from None
            except (urllib.error.URLError, OSError) as e:
                why = getattr(e, "reason", e)
                raise Unreachable(f"无法连接院本部 {self.label}：{why} (office unreachable: {why})") from None
        return None  # not reached: the last attempt returns or raises

    def _post(self, name: str, data: bytes) -> bytes:
        headers = {"Content-Type": "application/json", "X-Bundle-Name": name}
        if self.key is not None:
            p = bundle.parse(data, own_outbox=True)
            headers.update(sign_headers(self.key, p.station, p.number, data))
        req = urllib.request.Request(self.url, data=data, method="POST", headers=headers)
        with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:
            body: bytes = resp.read()  # an http.client.HTTPResponse: typeshed gives urlopen no precise type
            return body


def _retry_after(e: urllib.error.HTTPError) -> int | None:
    value = (e.headers.get("Retry-After") or "").strip() if e.headers else ""
    return int(value) if value.isdigit() else None


def _reason(e: urllib.error.HTTPError) -> str:
    try:
        return str(orjson.loads(e.read()).get("error", ""))
    except Exception:
        return e.reason or ""


def make(target: str, home: Path | None = None) -> FolderTarget | HttpTarget:
    return HttpTarget(target, home) if is_url(target) else FolderTarget(target)
