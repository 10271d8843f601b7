"""Checking the audit chain, without any key: what `liaison audit verify` and the office run.

Walks the log line by line expecting entries 1, 2, 3 … and reports the FIRST problem,
naming the entry it concerns:
  - a line that is not a whole JSON entry (edited into nonsense, or cut mid-line) → that entry;
  - an entry whose hash does not match its content (a field edited) → that entry;
  - an entry with the wrong number (one removed, or two swapped) → the number expected there;
  - an entry whose `prev` is not the previous entry's hash (the previous entry was
    edited and its hash recomputed to hide it) → the previous entry.
Everything after the first problem is unchecked: once the chain is broken, later
entries can no longer be vouched for, and a reviewer starts from the first break.

A station restored from the office (`liaison init --restore`) does not have entries
1..k any more: the office holds them. Its log continues the office's copy, and
audit/anchor.json ({"n": k, "hash": hash of entry k}) says where: the walk then
expects k+1 first, linked to that hash. The anchor is checked against the office's
copy, where the entries before it are (hq.audit_chain): an anchor edited to skip
entries shows there as entries missing or not linking.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

GENESIS = "0" * 64
FIELDS = ("n", "at", "officer", "action", "target", "details", "prev", "hash")
ANCHOR = "anchor.json"  # beside the log


def read_anchor(log: Path) -> tuple[int, str]:
    """(n, hash) of the entry the log at `log` continues: (0, GENESIS) for a log that
    starts at entry 1. A damaged anchor reads as none, so verify names entry 1 missing."""
    try:
        doc = orjson.loads((Path(log).parent / ANCHOR).read_bytes())
    except (FileNotFoundError, orjson.JSONDecodeError):
        return 0, GENESIS
    n, h = (doc.get("n"), doc.get("hash")) if isinstance(doc, dict) else (None, None)
    if isinstance(n, int) and not isinstance(n, bool) and n >= 0 and isinstance(h, str):
        return n, h
    return 0, GENESIS


def canonical(entry: dict[str, Any]) -> bytes:
    """The bytes an entry's hash covers: sorted keys, compact, UTF-8, without `hash`."""
    return orjson.dumps({k: v for k, v in entry.items() if k != "hash"}, option=orjson.OPT_SORT_KEYS)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    entries: int  # entries checked and found good, from the start
    first_bad: int | None = None  # number of the first entry that is wrong or missing
    reason: str = ""
    head: str = GENESIS  # hash of the last good entry (to compare with the office's copy)

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "entries": self.entries, "first_bad": self.first_bad,
                "reason": self.reason, "head": self.head}


def _bad(good: int, head: str, n: int, zh: str, en: str) -> VerifyResult:
    return VerifyResult(False, good, n, f"{zh} ({en})", head)


def _parse(line: bytes) -> dict[str, Any] | None:
    try:
        entry = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(entry, dict) or set(entry) != set(FIELDS):
        return None
    if not isinstance(entry["n"], int) or not isinstance(entry["hash"], str) or not isinstance(entry["prev"], str):
        return None
    return entry


def verify(path: Path) -> VerifyResult:
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        return VerifyResult(True, 0, head=read_anchor(path)[1])
    lines = raw.split(b"\n")
    torn = lines.pop() != b""  # a file of whole lines ends with "\n", leaving "" here
    start, anchor = read_anchor(path)
    expected, prev, before, good = start + 1, anchor, anchor, 0
    for line in lines:
        entry = _parse(line)
        if entry is None:
            return _bad(good, prev, expected, f"第 {expected} 条无法读取（被改动或不完整）",
                        f"entry {expected} is unreadable: edited or cut short")
        if hashlib.sha256(canonical(entry)).hexdigest() != entry["hash"]:
            return _bad(good, prev, entry["n"] if entry["n"] == expected else expected,
                        f"第 {expected} 条内容被改动（与其哈希不符）",
                        f"entry {expected} was altered: its hash does not match its content")
        if entry["n"] != expected:
            return _bad(good, prev, expected, f"第 {expected} 条缺失或顺序被调换（此处是第 {entry['n']} 条）",
                        f"entry {expected} is missing or out of order: found entry {entry['n']} in its place")
        if entry["prev"] != prev:
            at = max(expected - 1, start + 1, 1)
            return _bad(max(good - 1, 0), before, at, f"第 {at} 条与第 {expected} 条之间的链接断开（第 {at} 条被改动后重算了哈希）",
                        f"the chain between entries {at} and {expected} is broken: "
                        f"entry {at} was altered and re-hashed")
        before, prev, expected, good = prev, entry["hash"], expected + 1, good + 1
    if torn:
        return _bad(good, prev, expected, f"第 {expected} 条不完整（文件末尾被截断）",
                    f"entry {expected} is cut short: the file ends mid-line")
    return VerifyResult(True, good, head=prev)
