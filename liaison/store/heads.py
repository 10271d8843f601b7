"""The list rows of sealed shards, read in two steps: what needs no key, then what does.

An unlock spends ~0.25 s in scrypt (the keyring) before the data key is known, and
as long again reading 500 shards' signed parts and building 50 000 rows from their
clear fields. The first needs no key, so `PreRead` does it in a thread: the app
starts it once its unlock screen is painted, so it is done while the PIN is typed,
and `unlock(read_ahead=True)` while scrypt checks the PIN (scrypt releases the GIL)
for the record commands; `open_head` then does only what needs the key — the
shard's MAC over the very bytes that were parsed, its list rows opened (AES-GCM),
each row's version compared, name, phone and brief filled in.

Nothing is trusted because it was read early: every byte a row comes from is
checked under the key exactly as when the shard is read at open (sealed.read_rows),
and a head is used only if the file's (inode, size, mtime) stamp — taken from the
very file descriptor it was read through — is still the file's stamp at open, so
a shard written (or swapped) meanwhile is read again, and the manifest compares
what the folder holds at open. A head whose clear parts do not make rows is not
used at all: the shard is read the usual way, which reports its fault as before.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from .gcpause import paused
from .index import Index, Row
from .integrity import AUTH, check, read_signed_from
from .manifest import Found
from .sealed import (
    ROWS,
    TABLE,
    Cipher,
    _corrupt,
    altered_records,
    found_of,
    integrity_keys,
    office_env,
    rows_aad,
    shard_cipher,
)


@dataclass(slots=True)
class Head:
    stamp: tuple[int, int, int]  # (inode, size, mtime_ns) of the file the bytes came from
    doc: dict[str, Any]  # the signed part parsed, `_auth` included (a slim head: without its clear parts)
    raw: bytes | None  # the signed bytes, as read (a slim head: None, read again at open)
    tail_end: bytes
    ids: list[str]  # doc ids, in the shard's order
    rows: list[Row]  # their rows, without name, phone and brief until open_head


def slim(head: Head) -> Head:
    """What a pre-read keeps until the key is known: the rows, and of the signed part
    only what the keyed step reads (the sealed list rows, the key, `_auth`). Holding
    every shard's signed bytes and parsed clear parts doubled an unlock's peak memory;
    the bytes are read again at open (page cache), the clear parts parsed again only
    for a shard whose check fails, to name its altered records."""
    doc = {k: v for k, v in head.doc.items() if k != TABLE}
    return Head(head.stamp, doc, None, head.tail_end, head.ids, head.rows)


def _signed_bytes(path: Path, head: Head) -> bytes | None:
    """A slim head's signed bytes, read again from the file it came from; None when the
    file is no longer that one (read it afresh)."""
    try:
        at = int(head.doc[AUTH]["at"])
        with open(path, "rb") as f:
            st = os.fstat(f.fileno())
            if (st.st_ino, st.st_size, st.st_mtime_ns) != head.stamp:
                return None
            raw = f.read(at)
    except (OSError, KeyError, TypeError, ValueError):
        return None
    return raw if len(raw) == at else None


def read_head(path: Path, n: int) -> Head | None:
    """Shard n's signed part and its rows from the clear parts; no key needed. None
    when it is not a sealed shard with a signed head, or its clear parts do not make
    rows (read the usual way, which names the fault)."""
    try:
        with open(path, "rb") as f:
            st = os.fstat(f.fileno())
            got = read_signed_from(f, st.st_size)
    except OSError:
        return None
    if got is None:
        return None
    doc, raw, tail_end = got
    if ROWS not in doc:
        return None
    try:
        from_clear, docs = Row.from_clear, doc.get(TABLE) or {}
        rows = [from_clear(clear, n, int(doc_id)) for doc_id, clear in docs.items()]
    except Exception:  # noqa: BLE001 — not ours to judge here: the usual read reports it
        return None
    return Head((st.st_ino, st.st_size, st.st_mtime_ns), doc, raw, tail_end, list(docs), rows)


def open_head(path: Path, head: Head, cipher: Cipher) -> tuple[str | None, list[Row], Found]:
    """(office envelope id, the shard's rows, what it says of itself) — sealed.read_rows
    for a head read earlier. A shard that fails its check is not listed (Found.ok False
    names it); StoreCorrupt if its list rows do not open or do not match."""
    doc, name, raw = head.doc, path.name, head.raw
    if raw is None:  # a slim head (the caller checked its stamp): the bytes the MAC covers
        raw = _signed_bytes(path, head)
        if raw is None:
            raise Changed
        doc = dict(doc)  # check pops `_auth`: the head stays as it was read
    auth = check(doc, raw, name, integrity_keys(cipher), head.tail_end)
    if auth is not None and auth.ok is False and TABLE not in doc:
        doc = orjson.loads(raw + b"}")  # the clear parts, to name the altered records
    bad = altered_records(doc, name, cipher) if auth is not None and auth.ok is False else []
    found = found_of(doc, raw, auth, bad, count=len(head.ids))
    if found.ok is False:
        return office_env(doc), [], found
    try:
        sealed_rows = shard_cipher(doc, name, cipher).open(doc[ROWS], rows_aad(name))
    except Exception as e:  # SealBroken, by duck typing
        raise _corrupt(path, str(e)) from None
    got = list(map(sealed_rows.get, head.ids))
    if None in got or [g[0] for g in got] != [r.version for r in head.rows]:
        for doc_id, g, r in zip(head.ids, got, head.rows, strict=True):
            if g is None or g[0] != r.version:
                raise _corrupt(path, f"record {doc_id}")
    for r, g in zip(head.rows, got, strict=True):
        r.name, r.phone, r.brief = g[1], g[2], g[3][:60]
    return office_env(doc), head.rows, found


class Changed(Exception):
    """A slim head's file changed between its stamp check and the read of its bytes."""


@dataclass(slots=True)
class Heads:
    """What a PreRead found: shard number -> head, and an index of all their rows
    (sorted, by id and reference), used as it is when every head is (Store._load_rows)."""

    by_shard: dict[int, Head]
    index: Index | None


def _numbered(name: str) -> bool:
    """A shard's file name (as Shards.numbers globs them)."""
    return name.endswith(".json") and name[:1].isascii() and name[:1].isdigit() and name[:-5].isdigit()


class PreRead:
    """Every shard's head of a folder, read in a thread from now on (see the module's
    notes). `take` waits for it; `cancel` stops it and drops what was read."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self._heads: dict[int, Head] = {}
        self._index: Index | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="liaison-preread", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        # Tens of thousands of rows, no cycles: a collection pass would only walk them.
        with paused():
            self._read()

    def _read(self) -> None:
        try:
            with os.scandir(self.folder) as it:
                numbers = sorted(int(e.name[:-5]) for e in it if _numbered(e.name))
            for n in numbers:
                if self._stop.is_set():
                    return
                head = read_head(self.folder / f"{n:06d}.json", n)
                if head is not None:
                    self._heads[n] = slim(head)
            index = Index()
            index.load([r for head in self._heads.values() for r in head.rows])
            self._index = index
        except Exception:  # noqa: BLE001 — a head not read is read at open, as without a pre-read
            pass

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def index(self) -> Index | None:
        """The index of the rows read (waiting for the thread), without taking it: what
        can be counted before the key is known (the dashboard's figures), valid for an
        open that uses this very index unchanged (Index.generation)."""
        self._thread.join()
        return self._index

    def take(self) -> Heads:
        """The heads read (waiting for the thread); once: the pre-read is then empty."""
        self._thread.join()
        heads = Heads(self._heads, self._index)
        self._heads, self._index = {}, None
        return heads

    def cancel(self) -> None:
        self._stop.set()
        self._thread.join()
        self._heads, self._index = {}, None
