"""The append-only, hash-chained audit log: audit/log.jsonl, one JSON entry a line.

Each entry is {n, at, officer, action, target, details, prev, hash}: `prev` is the
previous entry's `hash` (64 zeros for entry 1) and `hash` is sha256 over the entry's
canonical JSON (sorted keys, no spaces, UTF-8) without `hash`. Editing, removing or
reordering any entry breaks the chain at that entry; `verify` names it.

`details` may be personal (what was changed in whose record), so when a data key is
given it is sealed (a "s1:…" string, see seal.py) bound to the entry's n and prev.
The chain covers the sealed text, so `verify` needs no key and the office can check
the entries it receives without ever unlocking the station.

A station restored from the office continues the chain the office holds: its log
starts at the entry after audit/anchor.json's (see audit_verify), written once by
`set_anchor` before the first append.

What the chain alone cannot show: whole entries cut off the END of the file leave a
shorter but valid chain. That is caught against a copy kept elsewhere — the entries
shipped to the office in the nightly bundle (`entries_since`) — not here.

Appends open the file O_APPEND, take an flock on it (the TUI, the CLI and the nightly
job may append at once), write one line in one call and fsync before returning.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from pathlib import Path
from typing import Any, Callable, Mapping

import orjson

from ..domain.timeutil import now
from ..store.atomic import atomic_write, fsync_dir
from ..store.errors import StoreWriteError
from .audit_verify import ANCHOR, GENESIS, VerifyResult, canonical, read_anchor, verify
from .errors import AuditBroken, SealBroken
from .seal import is_sealed, open_json, seal_json

__all__ = ["AuditLog", "VerifyResult", "verify", "ACTIONS", "GENESIS"]

LOG = Path("audit") / "log.jsonl"
ACTIONS = frozenset({"view", "create", "edit", "delete", "export", "import", "report", "unlock",
                     "unlock_failed", "lock", "officer_add", "officer_remove", "pin_reset", "purge",
                     "loss_accepted", "restored", "view_altered"})
_TAIL_CHUNK = 8192


def _details_aad(n: int, prev: str) -> bytes:
    return orjson.dumps(["liaison-audit/1", n, prev])


def _tail(fd: int) -> tuple[dict[str, Any] | None, bool]:
    """(last complete entry or None, whether an unfinished line follows it)."""
    size = os.fstat(fd).st_size
    if size == 0:
        return None, False
    chunk = min(size, _TAIL_CHUNK)
    while True:
        data = os.pread(fd, chunk, size - chunk)
        torn = not data.endswith(b"\n")
        body = data[:data.rfind(b"\n")] if torn else data[:-1]  # drop the torn fragment / final \n
        start = body.rfind(b"\n")
        if start >= 0 or chunk == size:
            line = body[start + 1:]
            break
        chunk = min(size, chunk * 2)
    if not line:
        return None, torn
    try:
        entry = orjson.loads(line)
        if not isinstance(entry.get("n"), int) or not isinstance(entry.get("hash"), str):
            raise ValueError
    except (orjson.JSONDecodeError, ValueError, AttributeError):
        raise AuditBroken("审计日志最后一条无法读取，请运行 liaison audit verify "
                          "(the audit log's last entry is unreadable; run `liaison audit verify`)") from None
    return entry, torn


def _write_line(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:  # one write in practice; the loop covers a short write on a full disk
        view = view[os.write(fd, view):]


class AuditLog:
    def __init__(self, home: Path, *, clock: Callable[[], Any] = now):
        self.path = Path(home) / LOG
        self.clock = clock

    def append(self, entry: Mapping[str, Any], data_key: bytes | None = None) -> dict[str, Any]:
        """Append {officer, action, target, details}; returns the entry as written."""
        action = str(entry.get("action", ""))
        if action not in ACTIONS:
            raise ValueError(f"unknown audit action {action!r}")
        folder = self.path.parent
        new_folder = not folder.exists()
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            return self._append(folder, new_folder, action, entry, data_key)
        except OSError as e:
            raise StoreWriteError(f"无法写入审计日志 {self.path}：{e.strerror} "
                                  f"(cannot write the audit log {self.path}: {e.strerror})") from e

    def _append(self, folder: Path, new_folder: bool, action: str, entry: Mapping[str, Any],
                data_key: bytes | None) -> dict[str, Any]:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            new_file = os.fstat(fd).st_size == 0
            last, torn = _tail(fd)
            if last:
                n, prev = last["n"] + 1, last["hash"]
            else:  # a new log: entry 1, or the entry after the office's copy (restored)
                base, prev = read_anchor(self.path)
                n = base + 1
            details = dict(entry.get("details") or {})
            out = {"n": n, "at": self.clock().isoformat(timespec="seconds"),
                   "officer": str(entry.get("officer", "")), "action": action,
                   "target": str(entry.get("target", "")),
                   "details": seal_json(data_key, details, _details_aad(n, prev)) if data_key else details,
                   "prev": prev}
            out["hash"] = hashlib.sha256(canonical(out)).hexdigest()
            # After a crash mid-append the torn fragment stays (verify reports it); the
            # new entry starts on a line of its own.
            _write_line(fd, (b"\n" if torn else b"") + orjson.dumps(out) + b"\n")
            os.fsync(fd)
        finally:
            os.close(fd)  # releases the flock
        if new_file:
            fsync_dir(folder)  # the log's directory entry must survive a power cut too
            if new_folder:
                fsync_dir(folder.parent)
        return out

    def record(self, officer: str, action: str, target: str = "", details: Mapping[str, Any] | None = None,
               data_key: bytes | None = None) -> dict[str, Any]:
        return self.append({"officer": officer, "action": action, "target": target,
                            "details": details or {}}, data_key)

    def anchor(self) -> tuple[int, str]:
        """(n, hash) of the entry this log continues ((0, GENESIS): none)."""
        return read_anchor(self.path)

    def set_anchor(self, n: int, head: str) -> None:
        """Continue the chain after entry `n` whose hash is `head` (a restored station:
        the office holds entries 1..n). Only for a log with no entries yet."""
        if self.path.exists() and self.path.stat().st_size:
            raise ValueError("the audit log already has entries")
        folder = self.path.parent
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        atomic_write(folder / ANCHOR, orjson.dumps({"n": int(n), "hash": str(head)}))

    def verify(self) -> VerifyResult:
        return verify(self.path)

    def entries_since(self, n: int) -> list[dict[str, Any]]:
        """Entries numbered above `n`, in file order, for shipping to the office. An
        unreadable line is passed on as {"unreadable": text} so the office sees the break.
        Read under a shared flock, so an append under way is not mistaken for one."""
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return []
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)
            with os.fdopen(os.dup(fd), "rb") as f:
                raw = f.read()
        finally:
            os.close(fd)
        out = []
        for line in raw.split(b"\n"):
            if not line:
                continue
            try:
                entry = orjson.loads(line)
            except orjson.JSONDecodeError:
                out.append({"unreadable": line.decode("utf-8", "replace")})
                continue
            if not isinstance(entry, dict) or not isinstance(entry.get("n"), int) or entry["n"] > n:
                out.append(entry)
        return out

    @staticmethod
    def open_details(entry: Mapping[str, Any], key: Any) -> dict[str, Any]:
        """An entry's details in clear (SealBroken if the key or the entry is wrong).
        `key` is a data key, or a Sealer — a session's also opens entries sealed
        under the keys the station had before an officer was removed."""
        details = entry.get("details")
        if is_sealed(details):
            aad = _details_aad(entry["n"], entry["prev"])
            opened = key.open(details, aad) if hasattr(key, "open") else open_json(key, details, aad)
            if not isinstance(opened, dict):
                raise SealBroken(f"审计日志第 {entry['n']} 条的详情不是对象 (audit entry {entry['n']}: details are not an object)")
            return opened
        return dict(details or {})
