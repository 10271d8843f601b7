"""A TinyDB Storage that never leaves a half-written file.

TinyDB's JSONStorage truncates and rewrites its file in place, so a crash or a full
disk mid-write leaves JSON that TinyDB can no longer open. Here every write goes to
a temporary file in the same folder, is fsynced, and replaces the old file with
os.replace (atomic on POSIX); the folder is fsynced so the rename itself survives a
power cut. Readers therefore see either the old file or the new one, never a mix.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import orjson
from tinydb.storages import Storage

from .errors import StoreCorrupt, StoreWriteError


def _write_all(fd: int, data: bytes) -> None:
    # The single place bytes reach the disk; fault-injection tests replace it.
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes) -> None:
    """Durably replace `path` with `data`, or raise StoreWriteError leaving it as it was."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except OSError as e:
        try:
            tmp.unlink()
        except OSError:
            pass
        if e.errno == errno.ENOSPC:
            raise StoreWriteError(
                f"磁盘已满，本次未保存，之前的数据完好。请清理磁盘后重试。"
                f"(disk full: nothing was saved to {path.name}; earlier data is intact)"
            ) from e
        raise StoreWriteError(
            f"无法写入 {path}：{e.strerror}。本次未保存，之前的数据完好。"
            f"(cannot write {path}: {e.strerror}; nothing was saved, earlier data is intact)"
        ) from e


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temps(folder: Path) -> None:
    """Temp files a killed writer left behind; never part of the data.

    Runs without the write lock (opening must not wait for writers), so only the temp
    files of processes that no longer exist are removed: a live writer may be about to
    rename its temp file into place."""
    for p in folder.glob(".*.tmp"):
        pid = p.name.rsplit(".", 2)[-2]
        if pid.isdigit() and _alive(int(pid)):
            continue
        try:
            p.unlink()
        except OSError:
            pass


class AtomicJSONStorage(Storage):
    """JSON (orjson, UTF-8 unescaped) in one file, written atomically and durably.

    Keeps the last state read or written in memory and re-reads the file only when
    it changed on disk (another process wrote it), so TinyDB's read-modify-write
    cycle costs one serialisation and one write per save.
    """

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        self._data: dict[str, Any] | None = None
        self._stamp: tuple[int, int, int] | None = None

    def _disk_stamp(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    @property
    def changed_on_disk(self) -> bool:
        return self._disk_stamp() != self._stamp

    def read(self) -> dict[str, Any] | None:
        stamp = self._disk_stamp()
        if stamp is None:
            self._data, self._stamp = None, None
            return None
        if self._data is None or stamp != self._stamp:
            raw = self.path.read_bytes()
            try:
                self._data = self._from_bytes(raw) if raw else None
            except orjson.JSONDecodeError as e:
                raise StoreCorrupt(f"数据文件已损坏，无法读取：{self.path} ({e})") from e
            self._stamp = stamp
        return self._data

    # What a subclass changes to store the data in another form (see sealed.py).
    def _from_bytes(self, raw: bytes) -> dict[str, Any] | None:
        return self._decode(orjson.loads(raw))

    def _to_bytes(self, data: dict[str, Any]) -> bytes:
        return orjson.dumps(self._encode(data))

    def _decode(self, doc: dict[str, Any]) -> dict[str, Any]:
        return doc

    def _encode(self, data: dict[str, Any]) -> Any:
        return data

    def write(self, data: dict[str, Any]) -> None:
        try:
            atomic_write(self.path, self._to_bytes(data))
        except StoreWriteError:
            # TinyDB mutated our cached dict before calling write: forget it, so
            # the next read shows what is really on disk.
            self.release()
            raise
        self._data, self._stamp = data, self._disk_stamp()

    def release(self) -> None:
        """Drop the in-memory copy (it is re-read on demand)."""
        self._data, self._stamp = None, None
