"""The station's rules, applied again to each record of a verified bundle.

A signature proves who sent a record, not that it is sound: a station on an older
version, or one whose data folder was edited, can send a year-1 visit or a summary
full of control characters. Such a record is refused on its own, with its reason
written next to the quarantined bundles; the rest of the bundle is ingested, so one
bad record neither crashes the office nor holds back a station's other work. Once the
officer corrects it, its next version arrives with the next bundle.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..domain.consultation import Consultation
from ..domain.text import safe_text
from ..domain.validation import FieldError, check
from ..store.atomic import atomic_write
from ..sync.fields import record_problem
from .screen_fast import Quick


def problems(record: dict[str, Any]) -> list[str]:
    """Why the office cannot keep `record`; empty when it can."""
    try:
        c = Consultation.from_dict(record)
    except Exception as e:  # any shape from_dict cannot read: refused, never a crash
        return [f"记录无法读取 (unreadable record): {type(e).__name__}"]
    if c.deleted:
        return []  # a tombstone removes; its old content is not the office's to keep
    return [str(e) for e in check(c, strict=True) if isinstance(e, FieldError)]


Refused = list[tuple[dict[str, Any], list[str]]]


def screen(records: list[dict[str, Any]], station: str,
           shaped: bool = False) -> tuple[list[dict[str, Any]], Refused, list[dict[str, Any]]]:
    """(records to merge, [(refused record, reasons)], foreign): a record naming
    another station than `station`, whose key signed the bundle, is foreign: only its
    own station may send it (the merge also refuses ids another station sent first).
    `shaped`: every record already passed fields.record_problem (bundle.open_payload)."""
    kept, refused, foreign = [], [], []
    quick = Quick()  # spares the full rules for the usual shape; never refuses (see screen_fast)
    for r in records:
        shape = None if shaped else record_problem(r)  # before the id or station is used as a key
        if shape:
            refused.append((r if isinstance(r, dict) else {}, [shape]))
        elif r["station"] != station:
            foreign.append({"id": r["id"], "owner": r["station"], "sender": station, "version": r["version"]})
        elif quick.sound(r):
            kept.append(r)
        elif why := problems(r):
            refused.append((r, why))
        else:
            kept.append(r)
    return kept, refused, foreign


def write_foreign(folder: Path, bundle_name: str, foreign: list[dict[str, Any]], at: str) -> Path:
    """One reason file per bundle naming each refused record and both stations."""
    dest = folder / f"{Path(bundle_name).name}.foreign.reason.txt"
    lines = [f"foreign-records {len(foreign)} {at}"]
    lines += [f"{f['id']} v{f['version']}: 属于站点 {f['owner']}，却由 {f['sender']} 发来，已拒收 "
              f"(belongs to {f['owner']}, sent by {f['sender']}: refused)" for f in foreign]
    atomic_write(dest, ("\n".join(lines) + "\n").encode())
    return dest


def write_reasons(folder: Path, bundle_name: str, refused: list[tuple[dict[str, Any], list[str]]], at: str) -> Path:
    """One reason file per bundle (ids, references and field messages, no contents)."""
    dest = folder / f"{Path(bundle_name).name}.refused.reason.txt"
    lines = [f"refused-records {len(refused)} {at}"]
    for r, why in refused:
        lines.append(safe_text(f"{r.get('ref', '?')} {r.get('id', '?')} v{r.get('version', '?')}"))
        lines += [f"  {w}" for w in why]
    atomic_write(dest, ("\n".join(lines) + "\n").encode())
    return dest
