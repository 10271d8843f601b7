"""The shape of every value a bundle brings from outside, checked before any of it is
used as a file name, a dictionary key or an SQL value.

A stranger can drop anything into the inbox: a station id with a NUL byte, or 300
characters long, used to stop `hq ingest` (the quarantine file could not be named)
and it stayed in the inbox to stop it again every night. So each field is held to
what an honest station can produce, and the answer is a reason to quarantine, never
an exception.
"""

from __future__ import annotations

import re
from typing import Any

from ..security.hybrid import LEGACY_ALG

# Like the profiles' ids (fengqiao-yuanfang): safe as a file name on every system.
STATION_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
# Record ids are UUIDs at creation; a little slack, but never a path or control character.
ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
HEX64 = re.compile(r"[0-9a-f]{64}")
MAX_BUNDLE = 10**9  # one a night: far beyond any station's life, far within SQLite's integers
MAX_INT = 2**53
MAX_RELATED = 100  # related visits of one record
REF_RE = re.compile(r"[A-Z][A-Z0-9]{1,9}-\d{8}-\d{3,6}")  # domain.refs.REF_RE, bounded  # versions, seqs, counts: exact in every JSON reader and in SQLite


def station_ok(value: Any) -> bool:
    return isinstance(value, str) and STATION_RE.fullmatch(value) is not None


def _int_ok(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _str_ok(value: Any, most: int, pattern: re.Pattern[str] | None = None) -> bool:
    if not isinstance(value, str) or len(value) > most:
        return False
    return pattern.fullmatch(value) is not None if pattern else value.isprintable()


def _bad(field: str, rule: tuple[str, str]) -> str:
    return f"清单字段 {field} 无效：{rule[0]} (manifest field {field!r} invalid: {rule[1]})"


def manifest_problem(m: dict[str, Any]) -> str | None:
    """Why the manifest `m` cannot be used; None when every field is sound."""
    if not station_ok(m.get("station")):
        return _bad("station", ("应为小写字母、数字和连字符，至多 64 个字符",
                                "lowercase ascii letters, digits and hyphens, at most 64"))
    if not _int_ok(m.get("bundle"), 1, MAX_BUNDLE):
        return _bad("bundle", ("应为 1 到 10^9 之间的整数", "an integer from 1 to 10^9"))
    for k in ("count", "seq_from", "seq_to"):
        if not _int_ok(m.get(k), 0, MAX_INT):
            return _bad(k, ("应为非负整数", "a non-negative integer"))
    if "audit_to" in m and not _int_ok(m["audit_to"], 0, MAX_INT):
        return _bad("audit_to", ("应为非负整数", "a non-negative integer"))
    if not _str_ok(m.get("payload_sha256"), 64, HEX64):
        return _bad("payload_sha256", ("应为 64 位十六进制", "64 hex digits"))
    prev = m.get("prev_digest")
    if not (prev == "" or _str_ok(prev, 64, HEX64)):
        return _bad("prev_digest", ("应为空或 64 位十六进制", "empty or 64 hex digits"))
    for k, most in (("created_at", 40), ("office_key", 128), ("audit_head", 128)):
        if (k in m or k != "audit_head") and not _str_ok(m.get(k), most):
            return _bad(k, (f"应为至多 {most} 个可打印字符", f"at most {most} printable characters"))
    if not isinstance(m.get("payload"), str):
        return _bad("payload", ("应为 base64 文本", "base64 text"))
    enc = m.get("enc")
    # An HPKE payload carries its encapsulated key; epk and nonce are the older construction's.
    if not isinstance(enc, dict) or not _str_ok(enc.get("alg"), 64) or not all(
            _str_ok(enc.get(k), 64) for k in ("epk", "nonce") if k in enc or enc.get("alg") == LEGACY_ALG):
        return _bad("enc", ("加密参数缺失或过长", "encryption parameters missing or too long"))
    return None


def record_problem(r: Any) -> str | None:
    """Why a record cannot even be looked at (its id, version or station); None if it can."""
    if not isinstance(r, dict):
        return "记录不是对象 (record is not an object)"
    if not _str_ok(r.get("id"), 64, ID_RE):
        return "记录编号 id 无效 (record id invalid: letters, digits, '-' or '_', at most 64)"
    if not _int_ok(r.get("version"), 0, MAX_INT):
        return "记录版本 version 无效 (record version invalid: a non-negative integer)"
    if "seq" in r and not _int_ok(r["seq"], 0, MAX_INT):
        return "记录序号 seq 无效 (record seq invalid: a non-negative integer)"
    if not station_ok(r.get("station")):
        return "记录的站点 station 无效 (record station invalid)"
    related = r.get("related_to", [])
    # References of the same station's visits, kept in the clear and used as keys by the
    # office's clusters: a few short codes, never a list a stranger made huge.
    if not (isinstance(related, list) and len(related) <= MAX_RELATED
            and all(_str_ok(x, 40, REF_RE) for x in related)):
        return "记录的关联来访 related_to 无效 (record related_to invalid: a list of references)"
    return None


def safe_file_name(name: str) -> bool:
    """A name the office may give a file it keeps (from an inbox or an HTTP header)."""
    return (isinstance(name, str) and 0 < len(name) <= 120 and name.isascii() and name.isprintable()
            and "/" not in name and "\\" not in name and not name.startswith("."))
