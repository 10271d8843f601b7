"""The A4 poster for the wall of the station: title, the code large, the service list
with its explanations, where and when, the hotline, and the date of the list.

`layout` places everything in millimetres once; `svg` and `liaison.qr.png` draw the
same layout, so the two posters cannot drift apart. Lines are wrapped here, with a
CJK character counted 1 em and anything else 0.55 em: SVG has no text wrapping, and a
fixed estimate keeps the SVG and PNG line breaks identical.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date
from xml.sax.saxutils import escape

from ..domain.station import Office, Station
from .payloads import HOTLINE_LABEL, Payload
from .render import matrix

PAGE_W, PAGE_H = 210.0, 297.0  # A4 portrait, mm
MARGIN = 16.0
CODE_MM = 100.0  # the whole symbol with its quiet zone; ~1.4 mm modules at version 12
TEXT_W = PAGE_W - 2 * MARGIN
FONT_FAMILY = ("Noto Sans CJK SC, Source Han Sans SC, WenQuanYi Micro Hei, PingFang SC, "
               "Microsoft YaHei, SimHei, sans-serif")


@dataclass(frozen=True, slots=True)
class Text:
    x: float  # mm; the left edge, or the centre when `centre`
    y: float  # mm; the baseline
    size: float  # mm (em height)
    text: str
    centre: bool = False
    bold: bool = False


@dataclass
class Layout:
    code: list[list[bool]]
    code_x: float
    code_y: float
    code_mm: float
    texts: list[Text] = field(default_factory=list)

    @property
    def module_mm(self) -> float:
        return self.code_mm / len(self.code)


def text_width(text: str, size: float) -> float:
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else 0.55 * size for ch in text)


def wrap(text: str, size: float, width: float) -> list[str]:
    lines, line = [], ""
    for ch in text:
        if line and text_width(line + ch, size) > width:
            lines.append(line)
            line = "" if ch == " " else ch
        else:
            line += ch
    return lines + ([line] if line else [])


def title_lines(name: str, size: float) -> list[str]:
    """The station name on one line, or broken after its '·' (枫桥远坊·行政争议…)
    rather than mid-word when it is too wide."""
    if text_width(name, size) <= TEXT_W or "·" not in name:
        return wrap(name, size, TEXT_W)
    head, tail = name.split("·", 1)
    return [head] + wrap(tail, size, TEXT_W)


def layout(station: Station, office: Office, payload: Payload, day: date, *, receipt: bool = False) -> Layout:
    """The service-list poster, or with `receipt` a receipt sheet: the same page with
    the receipt's own (privacy-safe) lines under the code instead of the services."""
    y = MARGIN
    texts: list[Text] = []

    def add(text: str, size: float, *, gap: float = 0.45, centre: bool = False, bold: bool = False,
            indent: float = 0.0) -> None:
        nonlocal y
        for line in (title_lines(text, size) if bold and size >= 8 else wrap(text, size, TEXT_W - indent)):
            y += size
            x = PAGE_W / 2 if centre else MARGIN + indent
            texts.append(Text(x, y, size, line, centre, bold))
            y += size * gap

    add(station.name, 9.0, centre=True, bold=True, gap=0.35)
    add("咨询回执 · 微信扫码保存" if receipt else "法治服务清单 · 微信扫码保存", 5.5, centre=True, gap=0.8)
    code_y = y
    y += CODE_MM + 1
    if receipt:
        for line in payload.text.splitlines()[1:]:
            add(line, 5.0, gap=0.5)
        add(f"打印日期：{day.isoformat()}", 3.6, gap=0.0)
        return Layout(matrix(payload), (PAGE_W - CODE_MM) / 2, code_y, CODE_MM, texts)
    add(payload.text if payload.kind == "url" else "扫码即可保存以下服务清单", 4.2, centre=True, gap=1.0)
    for i, s in enumerate(station.services, 1):
        add(f"{i}. {s.title}", 5.0, bold=True, gap=0.3)
        add(s.line, 4.2, indent=6.0, gap=0.5)
    y += 2
    add(f"地点：{station.place}", 4.2, gap=0.35)
    when = station.schedule if station.hours in station.schedule else f"{station.schedule}（{station.hours}）"
    add(f"时间：{when}", 4.2, gap=0.35)
    phones = "；".join(f"{c.role} {c.phone}" for c in station.contacts)
    if phones:
        add(f"电话：{phones}", 4.2, gap=0.35)
    add(f"{HOTLINE_LABEL}：{office.hotline}（{office.short_name}）", 4.2, gap=0.35, bold=True)
    add(f"清单日期：{day.isoformat()}", 3.6, gap=0.0)
    return Layout(matrix(payload), (PAGE_W - CODE_MM) / 2, code_y, CODE_MM, texts)


def svg(lay: Layout) -> str:
    """A standalone SVG sized in millimetres: prints at the same size from a browser."""
    m = lay.module_mm
    # One path of unit squares, in module units, scaled once: the shapes join without
    # the hairline gaps that per-module rects in millimetres leave in some viewers.
    squares = "".join(f"M{x} {y}h1v1h-1z" for y, row in enumerate(lay.code) for x, dark in enumerate(row) if dark)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{PAGE_W}mm" height="{PAGE_H}mm" '
        f'viewBox="0 0 {PAGE_W} {PAGE_H}">',
        f'<rect width="{PAGE_W}" height="{PAGE_H}" fill="#ffffff"/>',
        f'<g id="qr" transform="translate({lay.code_x:.3f} {lay.code_y:.3f}) scale({m:.5f})" shape-rendering="crispEdges">',
        f'<rect width="{len(lay.code)}" height="{len(lay.code)}" fill="#ffffff"/>',
        f'<path fill="#000000" d="{squares}"/>',
        "</g>",
        f'<g font-family="{FONT_FAMILY}" fill="#000000">',
    ]
    for t in lay.texts:
        attrs = f'x="{t.x:.2f}" y="{t.y:.2f}" font-size="{t.size}"'
        if t.centre:
            attrs += ' text-anchor="middle"'
        if t.bold:
            attrs += ' font-weight="bold"'
        out.append(f"<text {attrs}>{escape(t.text)}</text>")
    out += ["</g>", "</svg>"]
    return "\n".join(out) + "\n"
