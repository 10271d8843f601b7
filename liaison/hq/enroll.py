"""Who may speak for a station: the rule `liaison hq enroll` follows.

An enrolled key is what lets bundles into the office, so it never changes by accident:
a second `enroll` with another key for the same station is refused unless the operator
says `--replace` (after comparing fingerprints with what `liaison keys` prints at the
station: a reinstalled laptop, or an impostor with a copied station id?). The old key is
kept in `revoked_keys`, so who was trusted when stays answerable. One key never speaks
for two stations: a copied station.pub.json with its id edited would otherwise let one
station's key write as another; not even `--replace` allows that, nor for a key
revoked from another station (it may be the stolen one).
"""

from __future__ import annotations

from ..security.keys import KeyProblem, b64d, fingerprint


class EnrollRefused(KeyProblem):
    """Refused without changing anything (exit 13, like any key problem)."""


def key_fingerprint(key_b64: str) -> str:
    """The form both sides print: SHA-256 of the raw public key (see keys.fingerprint)."""
    return fingerprint(b64d(key_b64))


def decide(station: str, old: str | None, new: str, holder: str | None, replace: bool) -> str:
    """'new' | 'same' | 'replaced', or raise EnrollRefused naming both fingerprints."""
    if holder is not None:
        raise EnrollRefused(
            f"此公钥已登记（或曾登记）给站点 {holder}，不能再用于站点 {station}（指纹 {key_fingerprint(new)}）；"
            f"每个站点须有自己的密钥，请在该站点运行 liaison keys 生成 "
            f"(this key is, or was, enrolled for station {holder}; one key cannot speak for two stations)")
    if old is None:
        return "new"
    if old == new:
        return "same"
    if not replace:
        raise EnrollRefused(
            f"站点 {station} 已登记另一把公钥：已登记 {key_fingerprint(old)}，新文件 {key_fingerprint(new)}。"
            f"请与该站点 liaison keys 显示的指纹核对；确认更换请加 --replace "
            f"(station {station} is enrolled with another key: enrolled {key_fingerprint(old)}, "
            f"new {key_fingerprint(new)}; compare with what `liaison keys` prints at the station, "
            f"then re-run with --replace)")
    return "replaced"
