"""Helpers shared by the reliability tests: child processes, and reading the data
folder directly (not through the Store, whose dict-based index would hide duplicates)."""

from __future__ import annotations

import collections
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import orjson

from liaison.domain.intake import fields_from_input

WORKER = Path(__file__).with_name("_worker.py")
OFFICER = "王检察官"


def make_fields(summary: str = "工资被拖欠三个月", requests: str = "", **extra: Any) -> dict[str, Any]:
    m = {
        "category": "labour",
        "summary": summary,
        "visitor": {"name": "张三", "phone": "13800001234", "consent": True},
        "requests": requests,
        **extra,
    }
    return fields_from_input(m, officer=OFFICER)


class Child:
    """A `_worker.py` process whose complete stdout lines are collected by a thread."""

    def __init__(self, mode: str, home: Path, *args: object, stdin: bool = False):
        self._err = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [sys.executable, str(WORKER), mode, str(home), *map(str, args)],
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=self._err, text=True, encoding="utf-8", bufsize=1,
        )
        self.lines: list[str] = []
        self._cond = threading.Condition()
        self._eof = False
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._cond:
                if line.endswith("\n"):  # a line cut short by the kill was never "reported"
                    self.lines.append(line[:-1])
                self._cond.notify_all()
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    @property
    def stderr(self) -> str:
        self._err.seek(0)
        return self._err.read().decode("utf-8", "replace")

    def wait_for(self, prefix: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        seen = 0
        with self._cond:
            while True:
                for line in self.lines[seen:]:
                    if line.startswith(prefix):
                        return line
                seen = len(self.lines)
                if self._eof:
                    raise AssertionError(
                        f"child ({self.proc.args[2]}) ended (rc={self.proc.wait()}) before printing "
                        f"{prefix!r}; stderr:\n{self.stderr}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"child did not print {prefix!r} within {timeout} s; stderr:\n{self.stderr}")
                self._cond.wait(left)

    def send(self, text: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()

    def kill(self) -> None:
        """SIGKILL (no cleanup of any kind runs in the child), then collect its output."""
        if self.proc.poll() is not None:
            raise AssertionError(f"child already ended (rc={self.proc.returncode}); stderr:\n{self.stderr}")
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self._reader.join(10)

    def finish(self, timeout: float = 60.0) -> int:
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            self.proc.stdin.close()
        rc = self.proc.wait(timeout)
        self._reader.join(10)
        return rc

    def ensure_dead(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def shard_files(home: Path) -> list[Path]:
    return sorted((home / "consultations").glob("[0-9]*.json"))


def raw_docs(home: Path) -> list[dict[str, Any]]:
    """Every stored consultation, read straight from the shard files."""
    docs = []
    for p in shard_files(home):
        data = orjson.loads(p.read_bytes()) if p.stat().st_size else {}
        docs.extend((data.get("consultations") or {}).values())
    return docs


def duplicates(docs: list[dict[str, Any]], key: str) -> dict[Any, int]:
    return {k: n for k, n in collections.Counter(d[key] for d in docs).items() if n > 1}


def assert_unique(docs: list[dict[str, Any]]) -> None:
    for key in ("id", "seq", "ref"):
        dup = duplicates(docs, key)
        assert not dup, f"duplicate {key}s in the shard files: {dup}"


def temp_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.tmp"))


def snapshot(folder: Path) -> dict[str, bytes]:
    """name -> bytes of every file directly in `folder`."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def contents(folder: Path) -> dict[str, bytes]:
    """Like `snapshot`, but without each shard's `_auth` (its write count and check):
    a batch rolled back leaves the records byte for byte as they were, in a shard
    written twice more."""
    from liaison.store.integrity import body_of

    return {name: body_of(raw) if b'"_auth":' in raw else raw for name, raw in snapshot(folder).items()}


def fill_store(store, n: int, tag: str = "earlier") -> list:
    """n records saved one by one (create_many is what some tests are about)."""
    return [store.create(make_fields(f"{tag} {i}：工资被拖欠", requests=tag)) for i in range(n)]

