"""What the data folder should hold, kept with every save: `manifest.jsonl`.

Deleting, truncating, rolling back or swapping a shard must not make the station show
fewer records as if nothing happened, nor reuse a change number or a reference. So
every shard write appends one line here — the shard's write generation and record
count, the change counter, the last reference number of each day it touched — and
on open the shards on disk are compared with it (`check`).

Lines are chained: each one's `mac` covers the previous line's `mac` and its own
bytes, under the station's integrity key (store.integrity), so a line edited, removed
from the middle or taken from another station does not verify. The first line is a
snapshot of the whole state; the file is rewritten as one snapshot when it grows
long. An append is one `fdatasync` (a fifth of an atomic rewrite here); a crash mid-
append leaves a torn last line, which is dropped — the shard it described is then one
generation ahead, which `check` accepts for exactly one shard (roll forward).

What it cannot see alone: the whole folder put back to an older copy (manifest and
shards together) looks like a restored backup. The change counter is also compared
with what the nightly export already sent (sync.outbox), and the office sees bundle
numbers and change numbers go backwards.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import orjson

from .atomic import atomic_write
from .errors import StoreWriteError
from .integrity import KEYLESS, key_id

FILE = "manifest.jsonl"
GENESIS = b"liaison-manifest/1"
COMPACT_AFTER = 2000  # lines; a snapshot of 500 shards is ~20 KB
# Room kept allocated (zeros) past the last line, so an append never needs a new block:
# the disk filling up is met before a shard is written (`prepare`), never between a
# shard and its line.
RESERVE, RESERVE_MIN = 64 * 1024, 16 * 1024
_MAC = b',"mac":'


def _line_mac(key: bytes | None, prev: str, body: bytes) -> str:
    data = prev.encode() + b"\x00" + body
    if key is None:
        return hashlib.sha256(data).hexdigest()
    return hmac.new(key, data, hashlib.sha256).hexdigest()


@dataclass
class State:
    station: str = ""
    counter: int = 0  # the highest change number ever given
    refs: dict[str, int] = field(default_factory=dict)  # day prefix -> last reference number
    shards: dict[str, list[Any]] = field(default_factory=dict)  # name -> [gen, count] or [0, count, digest]


class ManifestError(Exception):
    """The manifest itself is damaged or was not written by this station."""


class Manifest:
    def __init__(self, home: Path, keys: Sequence[bytes] = ()):
        self.path = Path(home) / FILE
        self.keys = list(keys)  # current first; none for a station without officers, or a keyless reader
        self.state = State()
        self.keyed = False  # every line was MAC-ed with a key (not just SHA-256)
        self._head = GENESIS.decode()
        self._head_key = KEYLESS  # the key that signed the last line
        self._offset = 0
        self._ino: int | None = None  # of the file last read: a compaction replaces it
        self._lines = 0
        self._size = 0  # of the file, reserve included
        self.loaded = False

    @property
    def exists(self) -> bool:
        return self.path.exists()

    # -- reading -----------------------------------------------------------------------
    def load(self) -> None:
        """Read and check the whole file (ManifestError if it does not verify)."""
        self.state, self.keyed = State(), True
        self._head, self._offset, self._lines = GENESIS.decode(), 0, 0
        self._read_from(0)
        self.loaded = True

    def refresh(self) -> None:
        """Pick up lines another process appended (or its compaction)."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            raise ManifestError(f"{FILE} 不见了 (the manifest has disappeared)") from None
        if not self.loaded or st.st_ino != self._ino or st.st_size < self._offset:
            self.load()
        elif st.st_size != self._size or self._peek():
            self._read_from(self._offset)

    def _peek(self) -> bool:
        """Did another process append into the reserve (the size does not change)?"""
        with open(self.path, "rb") as f:
            f.seek(self._offset)
            return f.read(1) not in (b"", b"\0")

    def _read_from(self, offset: int) -> None:
        try:
            with open(self.path, "rb") as f:
                f.seek(offset)
                data = f.read()
                ino = os.fstat(f.fileno()).st_ino
        except FileNotFoundError:
            raise ManifestError(f"{FILE} 不见了 (the manifest is missing)") from None
        pos = offset
        # A last piece without "\n" is a torn append, or the reserved zeros.
        for raw in data.split(b"\n")[:-1]:
            self._apply(raw, first=(pos == 0))
            pos += len(raw) + 1
        self._offset = pos
        self._ino, self._size = ino, offset + len(data)
        if pos == 0:
            raise ManifestError(f"{FILE} 是空的 (the manifest is empty)")

    def _key_for(self, kid: str) -> bytes | None:
        return next((k for k in self.keys if key_id(k) == kid), None)

    def _apply(self, raw: bytes, first: bool) -> None:
        n = self._lines + 1
        try:
            line = orjson.loads(raw)
            i = raw.rfind(_MAC)
            body, mac, kid, kind = raw[:i] + b"}", str(line["mac"]), str(line["k"]), line["t"]
        except (orjson.JSONDecodeError, KeyError, TypeError) as e:
            raise ManifestError(f"{FILE} 第 {n} 行无法读取 (line {n} of the manifest is unreadable: {e})") from None
        if first != (kind == "snap"):
            raise ManifestError(f"{FILE} 第 {n} 行次序不对 (line {n} of the manifest is out of place)")
        key = None if kid == KEYLESS else self._key_for(kid)
        if kid == KEYLESS:
            self.keyed = False
        if kid != KEYLESS and key is None:
            # A reader without any key (the nightly export) checks the structure only.
            if self.keys:
                raise ManifestError(f"{FILE} 第 {n} 行不是用本站的密钥写的 "
                                    f"(line {n} of the manifest was not written with this station's key)")
        elif not hmac.compare_digest(_line_mac(key, self._head, body), mac):
            raise ManifestError(f"{FILE} 第 {n} 行校验失败：被改动、删除或换过 "
                                f"(line {n} of the manifest fails its check: edited, removed or replaced)")
        self._head, self._head_key = mac, kid
        self._lines = n
        s = self.state
        if kind == "snap":
            self.state = State(str(line["station"]), int(line["counter"]), dict(line["refs"]),
                               {k: list(v) for k, v in line["shards"].items()})
        else:
            s.shards[str(line["shard"])] = [int(line["gen"]), int(line["count"])]
            s.counter = max(s.counter, int(line["counter"]))
            for p, top in dict(line["refs"]).items():
                s.refs[p] = max(s.refs.get(p, 0), int(top))

    # -- writing (under the store's write lock) ----------------------------------------
    def _line(self, fields: dict[str, Any]) -> tuple[bytes, str]:
        key = self.keys[0] if self.keys else None
        body = orjson.dumps({**fields, "k": key_id(key)})
        mac = _line_mac(key, self._head, body)
        return body[:-1] + _MAC + orjson.dumps(mac) + b"}", mac

    def snapshot(self, state: State | None = None) -> None:
        """Rewrite the file as one line holding the whole state (creation, compaction,
        a new key)."""
        s = state or self.state
        self._head = GENESIS.decode()
        raw, mac = self._line({"t": "snap", "station": s.station, "counter": s.counter, "refs": s.refs,
                               "shards": s.shards})
        atomic_write(self.path, raw + b"\n")
        os.chmod(self.path, 0o600)
        self.state, self._head, self._lines, self.loaded = s, mac, 1, True
        self._head_key = key_id(self.keys[0] if self.keys else None)
        self.keyed = bool(self.keys)
        st = os.stat(self.path)
        self._offset, self._size, self._ino = st.st_size, st.st_size, st.st_ino

    def prepare(self) -> None:
        """Before a shard is written: compact or re-key the file if due, and make sure
        the reserve can take the line (StoreWriteError, nothing written, if the disk
        is full)."""
        self.refresh()
        # A new key (the first unlock, or an officer removed): sign the whole state anew.
        if self._lines >= COMPACT_AFTER or (self.keys and self._head_key != key_id(self.keys[0])):
            self.snapshot()
        if self._size - self._offset < RESERVE_MIN:
            fd = os.open(self.path, os.O_WRONLY)
            try:
                os.posix_fallocate(fd, self._offset, RESERVE)
                os.fsync(fd)
            except OSError as e:
                raise StoreWriteError(
                    "磁盘已满，本次未保存，之前的数据完好。请清理磁盘后重试。"
                    f"(disk full: nothing was saved; earlier data is intact: {e.strerror})") from e
            finally:
                os.close(fd)
            self._size = max(self._size, self._offset + RESERVE)

    def record(self, shard: str, gen: int, count: int, docs: dict[str, Any]) -> None:
        """A shard was written: append its new generation, count, and what it raises
        the change counter and the day's reference numbers to."""
        self.refresh()
        s = self.state
        counter, refs = s.counter, dict[str, int]()
        for doc in docs.values():
            seq = doc.get("seq")
            if isinstance(seq, int) and seq > counter:
                counter = seq
            prefix, _, num = str(doc.get("ref") or "").rpartition("-")
            if num.isdigit() and int(num) > s.refs.get(prefix + "-", 0):
                p = prefix + "-"
                refs[p] = max(refs.get(p, 0), int(num))
        raw, mac = self._line({"t": "put", "shard": shard, "gen": gen, "count": count, "counter": counter,
                               "refs": refs})
        line = raw + b"\n"
        fd = os.open(self.path, os.O_WRONLY)
        try:
            # Over a torn line a crash left, if any: what is left of it after ours has no
            # "\n", so it reads as torn again, and the next append covers it.
            os.pwrite(fd, line, self._offset)
            os.fdatasync(fd)
        finally:
            os.close(fd)
        self._offset += len(line)
        self._size = max(self._size, self._offset)
        self._head, self._lines = mac, self._lines + 1
        self._head_key = key_id(self.keys[0] if self.keys else None)
        s.shards[shard] = [gen, count]
        s.counter = counter
        for p, top in refs.items():
            s.refs[p] = top


@dataclass(frozen=True)
class Found:
    """A shard as read from disk: its own generation and count, and whether its bytes
    verified (None: could not be checked; legacy shards carry a digest instead)."""

    gen: int
    count: int
    ok: bool | None
    digest: str = ""
    bad_records: tuple[str, ...] = ()


def compare(state: State, found: dict[str, Found]) -> tuple[list[str], list[str]]:
    """(problems, shards one write ahead of the manifest) — see the module's notes."""
    problems: list[str] = []
    ahead: list[str] = []
    for name in sorted(set(state.shards) | set(found)):
        m, f = state.shards.get(name), found.get(name)
        if f is None:
            held = state.shards[name][1]  # not found, so listed
            problems.append(f"缺少数据文件 consultations/{name}（应有 {held} 条记录）"
                            f"(consultations/{name} is missing; it held {held} records)")
            continue
        if f.ok is False:
            who = f"，涉及记录 {'、'.join(f.bad_records)}" if f.bad_records else ""
            problems.append(f"数据文件 consultations/{name} 在 liaison 之外被改动或损坏{who}，其中的记录暂不显示 "
                            f"(consultations/{name} was altered or damaged outside liaison"
                            + (f" (records {', '.join(f.bad_records)})" if f.bad_records else "")
                            + "; its records are not shown)")
            continue
        if m is None:
            if f.gen == 1:
                ahead.append(name)
            else:
                problems.append(f"数据文件 consultations/{name} 不在清单中 "
                                f"(consultations/{name} is not in the manifest: copied in from elsewhere?)")
            continue
        mgen = int(m[0])
        if mgen == 0 and f.gen == 0:  # written before shards carried their own check
            if len(m) > 2 and f.digest and f.digest != m[2]:
                problems.append(f"数据文件 consultations/{name} 被改动或换过 "
                                f"(consultations/{name} was altered or replaced)")
        elif f.gen < mgen:
            problems.append(f"数据文件 consultations/{name} 被换成了旧版本（第 {f.gen} 次写入，应为第 {mgen} 次）"
                            f"(consultations/{name} was rolled back to an older copy: write {f.gen}, expected {mgen})")
        elif f.gen == mgen and f.count != int(m[1]):
            problems.append(f"数据文件 consultations/{name} 的记录数不符（{f.count}，应为 {m[1]}）"
                            f"(consultations/{name} holds {f.count} records, the manifest says {m[1]})")
        elif f.gen == mgen + 1:
            ahead.append(name)
        elif f.gen > mgen + 1:
            problems.append(f"清单落后于数据文件 consultations/{name}：清单被换成旧版本或被截断 "
                            f"(the manifest is behind consultations/{name}: it was rolled back or cut)")
    if len(ahead) > 1:
        problems.append(f"清单落后于 {len(ahead)} 个数据文件：清单被换成旧版本或被截断 "
                        f"(the manifest is behind {len(ahead)} shards: it was rolled back or cut)")
        ahead = []
    return problems, ahead
