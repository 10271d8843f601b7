"""The office's copy of each station's audit log: does a new batch continue it?

A station ships the entries appended since its last bundle. The office keeps every
entry it receives, per station, and checks each batch against what it already holds
with the same rules as `liaison audit verify` (security.audit_verify's canonical
form and hash): every entry's hash matches its content, numbers follow on, and each
entry's `prev` is the hash of the entry before it *as the office received it*. So
an entry edited, removed or re-hashed at the station after it was shipped shows up
here, where the station's own `verify` (run on a doctored file) would see nothing.

A break is recorded, never a reason to refuse the bundle: the records in it are
still the station's latest, and losing them would hurt more than it protects. After
a break the office re-anchors on what it received, so one break is reported once,
not again with every later batch.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import orjson

from ..security.audit_verify import FIELDS, GENESIS, canonical


@dataclass
class Checked:
    rows: list[tuple[int, str, dict[str, Any]]] = field(default_factory=list)  # (n, hash, entry) to store
    breaks: list[dict[str, Any]] = field(default_factory=list)  # {n, kind, reason, key}
    duplicates: int = 0


def _well_formed(e: Any) -> bool:
    return (isinstance(e, dict) and set(e) == set(FIELDS) and isinstance(e["n"], int) and not isinstance(e["n"], bool)
            and e["n"] >= 1 and isinstance(e["hash"], str) and isinstance(e["prev"], str))


def _break(n: int, kind: str, zh: str, en: str, evidence: str) -> dict[str, Any]:
    # The key makes a break found twice (the same entries in another bundle) one row.
    return {"n": n, "kind": kind, "reason": f"{zh} ({en})", "key": f"{kind}:{n}:{evidence}"}


def check(entries: Sequence[Any], head: tuple[int, str], stored: Callable[[int], str | None]) -> Checked:
    """What to store and what is broken. `head` is (n, hash) of the last entry the
    office holds for the station ((0, GENESIS) for none); `stored(n)` the hash of the
    office's copy of entry n, if any.

    An entry below the head that the office never received comes from a bundle that
    arrived late (cut short on the stick, resent): it fills the hole if it follows the
    entry before it; the `missing` break then goes (see `filled`)."""
    out = Checked()
    head_n, head_hash = head
    batch: dict[int, str] = {}
    for e in entries:
        if not _well_formed(e):
            text = e.get("unreadable") if isinstance(e, dict) and "unreadable" in e else orjson.dumps(e).decode()
            digest = hashlib.sha256(str(text).encode()).hexdigest()[:16]
            found = _break(head_n + 1, "unreadable",
                           f"站点日志中第 {head_n + 1} 条附近有一行无法读取（被改动或写入中断）",
                           f"a line near entry {head_n + 1} of the station's log is unreadable: "
                           f"edited, or cut short by a crash", digest)
            # The line rides along with every bundle (it has no number to move past):
            # keyed by its text alone, it is one break however many nights carry it.
            found["key"] = f"unreadable:{digest}"
            out.breaks.append(found)
            continue
        n, h = e["n"], e["hash"]
        altered = hashlib.sha256(canonical(e)).hexdigest() != h
        if altered:
            out.breaks.append(_break(n, "altered", f"第 {n} 条内容被改动（与其哈希不符）",
                                     f"entry {n} was altered: its hash does not match its content", h[:16]))
        if n <= head_n:
            if altered:
                continue
            old = batch.get(n) or stored(n)
            before = batch.get(n - 1) or stored(n - 1) or (GENESIS if n == 1 else None)
            if old is None and before in (None, e["prev"]):  # a late arrival into a hole
                out.rows.append((n, h, e))
                batch[n] = h
            elif old == h:
                out.duplicates += 1
            else:
                out.breaks.append(_break(n, "replaced", f"第 {n} 条与院本部先前收到的不同（在站点被改动、删除或替换）",
                                         f"entry {n} differs from the copy the office received earlier: "
                                         f"edited, removed or replaced at the station", h[:16]))
            continue  # the office's first copy stays the reference
        elif altered:
            pass  # kept as received: the next entry's `prev` names this hash
        elif n != head_n + 1:
            gap = f"{head_n + 1}" if n == head_n + 2 else f"{head_n + 1}–{n - 1}"
            out.breaks.append(_break(head_n + 1, "missing", f"第 {gap} 条缺失（在站点被删除）",
                                     f"entry {gap} is missing: removed at the station", h[:16]))
        elif e["prev"] != head_hash:
            out.breaks.append(_break(n, "relinked", f"第 {n} 条与院本部持有的第 {head_n} 条接不上（之前的条目在站点被改动后重算了哈希）",
                                     f"entry {n} does not follow the office's copy of entry {head_n}: "
                                     f"earlier entries were altered and re-hashed at the station", h[:16]))
        out.rows.append((n, h, e))
        batch[n] = h
        head_n, head_hash = n, h
    return out


def filled(key: str, entry: Callable[[int], tuple[str, str] | None], after: Callable[[str], int | None]) -> bool:
    """Is the hole a `missing` break (key "missing:<first>:<hash of the entry after it>")
    named now closed: every entry present, each `prev` naming the one before?
    `entry(n)` is (hash, prev) of the office's copy; `after(h16)` the number of the
    entry whose hash starts with h16."""
    _, first, h16 = key.split(":", 2)
    last = after(h16)
    if last is None:
        return False
    prev = GENESIS if int(first) == 1 else (entry(int(first) - 1) or (None, None))[0]
    for n in range(int(first), last + 1):
        got = entry(n)
        if got is None or got[1] != prev:
            return False
        prev = got[0]
    return True


__all__ = ["Checked", "check", "filled", "GENESIS"]
