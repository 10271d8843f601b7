"""What a QR code says: the station's service list, or the receipt of one consultation.

The text is plain UTF-8 that the WeChat scanner shows as-is, so it is written for a
resident to read, not for a program. Each payload comes in several wordings, the
fullest first (`*_texts`): the code takes the fullest one that fits the space it is
given (`max_version`). An 80×24 terminal holds a version-5 code (45 modules with the
quiet zone, 23 rows of half blocks), i.e. ~106 bytes, or 35 Chinese characters: the
compact receipt and service list are written to fit that, and the poster, whose paper
holds a version-25 code, carries the full wording.
"""

from __future__ import annotations

from dataclasses import dataclass

import qrcode
from qrcode.constants import ERROR_CORRECT_L, ERROR_CORRECT_M
from qrcode.exceptions import DataOverflowError

from ..domain.advice import urgent_steps
from ..domain.consultation import Consultation
from ..domain.station import Office, Station
from ..domain.vocab import CATEGORIES, REFERRALS, STATUSES, label

# The largest code `liaison qr --terminal` prints: version 12 is 65 modules, 73 with
# the quiet zone (73 columns × 37 rows of half blocks). The app sizes its codes to
# its window instead (`max_version_for`).
SCREEN_MAX_VERSION = 12
# On A4 a version-25 code (117 modules) printed 12 cm wide has 1 mm modules: still
# easy for a phone at half a metre.
POSTER_MAX_VERSION = 25

# M (15 % recovery) survives glare and a moiré on screens and a crease on paper; L is
# accepted only when M would push the code past the size limit.
ECC_ORDER = ((ERROR_CORRECT_M, "M"), (ERROR_CORRECT_L, "L"))

HOTLINE_LABEL = "检察服务热线"


class PayloadTooLong(ValueError):
    """The text needs a bigger code than `max_version` allows. `en`/`zh` say what to do."""

    def __init__(self, what: str, size: int, max_version: int):
        self.size, self.max_version = size, max_version
        self.en = (f"the {what} is {size} bytes, too long for a QR code that can be scanned from the screen "
                   f"(version ≤ {max_version}); set `url` in the station profile, or print the poster "
                   f"(liaison qr --svg poster.svg)")
        self.zh = (f"{'服务清单' if what == 'service list' else '回执'}共 {size} 字节，太长，无法生成可在屏幕上扫描的二维码"
                   f"（版本 ≤ {max_version}）；请在联络站配置中设置 url，或打印海报（liaison qr --svg poster.svg）")
        super().__init__(f"{self.zh}\n{self.en}")


@dataclass(frozen=True, slots=True)
class Payload:
    """A text to encode and how: `version` is the smallest that holds it at `ecc`."""

    kind: str  # "url" | "services" | "receipt"
    text: str
    ecc: int
    ecc_name: str
    version: int

    @property
    def modules(self) -> int:
        """Width of the symbol in modules, without the quiet zone."""
        return 17 + 4 * self.version


def fit(kind: str, text: str, max_version: int = SCREEN_MAX_VERSION) -> Payload:
    """The Payload for `text` at the strongest error correction that keeps the code
    within `max_version`; PayloadTooLong if none does."""
    data = text.encode("utf-8")
    for ecc, name in ECC_ORDER:
        qr = qrcode.QRCode(error_correction=ecc, border=0)
        qr.add_data(data)  # bytes: always byte mode, so the scanner sees UTF-8
        try:
            qr.make(fit=True)
        except (DataOverflowError, ValueError):  # longer than version 40 holds (qrcode raises either)
            continue
        if qr.version <= max_version:
            return Payload(kind, text, ecc, name, qr.version)
    what = "receipt" if kind == "receipt" else "service list"
    raise PayloadTooLong(what, len(data), max_version)


def fit_first(kind: str, texts: list[str], max_version: int = SCREEN_MAX_VERSION) -> Payload:
    """The first (fullest) of `texts` that fits within `max_version`."""
    for text in texts:
        try:
            return fit(kind, text, max_version)
        except PayloadTooLong:
            continue
    what = "receipt" if kind == "receipt" else "service list"
    raise PayloadTooLong(what, len(texts[-1].encode("utf-8")), max_version)


def service_text(station: Station, office: Office) -> str:
    """The service list as compact text: name, one line per service, hours, hotline.
    Only the service titles (the explanations are on the poster) and no address (the
    resident is standing in the room): every byte makes the modules smaller."""
    lines = [f"{station.name}法治服务清单"]
    lines += [f"{i}.{s.title}" for i, s in enumerate(station.services, 1)]
    lines.append(f"时间：{station.hours}")
    if station.contacts:
        lines.append(f"电话：{station.contacts[0].phone}")
    lines.append(f"{HOTLINE_LABEL}：{office.hotline}")
    return "\n".join(lines)


def _tail(station: Station, office: Office) -> list[str]:
    """What every compact code ends with: the station's phone and the hotline."""
    phone = f"电话{station.contacts[0].phone} " if station.contacts else ""
    return [f"{phone}热线{office.hotline}"]


def service_texts(station: Station, office: Office) -> list[str]:
    """The service list, fullest first: every title with hours (the poster's code),
    then the titles on one line, then fewer titles ("等": the rest are on the poster on
    the wall), then just where to find the list."""
    titles = [s.title for s in station.services]
    out = [service_text(station, office)]
    for k in range(len(titles), 0, -1):
        more = "等" if k < len(titles) else ""
        out.append("\n".join([f"{station.short_name}服务：" + "、".join(titles[:k]) + more, *_tail(station, office)]))
    out.append("\n".join([f"{station.short_name}服务清单见站内海报", *_tail(station, office)]))
    return out


def service_payload(station: Station, office: Office, max_version: int = SCREEN_MAX_VERSION) -> Payload:
    """The station's code: its public page when the profile has a `url` (a short code
    that never goes stale), else the service list itself."""
    if station.url:
        return fit("url", station.url, max_version)
    return fit_first("services", service_texts(station, office), max_version)


def next_step(c: Consultation) -> str:
    """Status, where it was referred and when we call back — never what it is about."""
    parts = [label(STATUSES, c.status)]
    if c.referrals:
        parts.append("转介" + "、".join(label(REFERRALS, r) for r in c.referrals))
    if c.follow_up_on and c.status not in ("resolved", "closed"):
        parts.append(f"{c.follow_up_on.isoformat()}前回访")
    return "；".join(parts)


def receipt_text(c: Consultation, station: Station, office: Office) -> str:
    """The full receipt a resident keeps (the printed receipt sheet's code). Built from
    an allow-list of fields: the visitor's name and phone, the summary, requests,
    advice, details and notes are never read, so a photo of the screen leaks nothing
    about the person or the dispute. It names the officer who took the visit (the
    record's `officer`), not whoever the profile lists first."""
    lines = [
        f"{station.short_name} 咨询回执",
        f"编号：{c.ref}",
        f"日期：{c.visited_at:%Y-%m-%d}",
        f"类别：{label(CATEGORIES, c.category)}",
        f"下一步：{next_step(c)}",
    ]
    if c.officer:
        lines.append(f"接待：{c.officer}")
    if station.contacts:
        lines.append(f"电话：{station.contacts[0].phone}")
    lines.append(f"{HOTLINE_LABEL}：{office.hotline}（查询请报编号）")
    urgent = urgent_steps(c, c.visited_at)
    if urgent:  # a fraud whose money left within 72 hours of the visit: what to do now comes first
        lines.insert(1, urgent)
    return "\n".join(lines)


URGENT_SHORT = "紧急：拨110或96110报警；请银行紧急止付"


def receipt_texts(c: Consultation, station: Station, office: Office) -> list[str]:
    """The receipt, fullest first: the full one, then reference, date, officer, phone
    and hotline on three lines (fits an 80×24 terminal), then the same without labels."""
    officer = f" 接待{c.officer}" if c.officer else ""
    compact = [f"{station.short_name}回执 {c.ref}", f"日期{c.visited_at:%Y-%m-%d}{officer}", *_tail(station, office)]
    phone = f"电话{station.contacts[0].phone} " if station.contacts else ""
    minimal = [f"回执 {c.ref}", f"{c.visited_at:%Y-%m-%d} {c.officer}".strip(), f"{phone}{office.hotline}"]
    if urgent_steps(c, c.visited_at):
        # In a normal window the urgent steps displace the date and the officer (they stay
        # on the full receipt): a resident who just lost money needs 110 / 96110 first.
        return [receipt_text(c, station, office), f"回执 {c.ref}\n{URGENT_SHORT}\n{phone}{office.hotline}",
                f"{c.ref}\n{URGENT_SHORT}"]
    return [receipt_text(c, station, office), "\n".join(compact), "\n".join(minimal)]


def receipt_payload(c: Consultation, station: Station, office: Office,
                    max_version: int = SCREEN_MAX_VERSION) -> Payload:
    return fit_first("receipt", receipt_texts(c, station, office), max_version)
