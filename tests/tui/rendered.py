"""What the terminal shows, read from `app.export_screenshot()` (Textual's public
screenshot, an SVG that Rich writes from the screen's rendered segments): each run of
text with its foreground and background colour, by row and column."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from rich.cells import cell_len

CHAR_W, LINE_H = 12.2, 24.4  # Rich's export_svg grid (font size 20)

_CLASS = re.compile(r"\.(terminal-[\w-]*?r\d+) \{ fill: (#[0-9a-f]{6})")
_TEXT = re.compile(r'<text class="(terminal-[\w-]*?r\d+)" x="([\d.]+)" y="([\d.]+)" textLength="[\d.]+"[^>]*>([^<]*)</text>')
_RECT = re.compile(r'<rect fill="(#[0-9a-f]{6})" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="[\d.]+" '
                   r'shape-rendering="crispEdges"/>')


@dataclass
class Run:
    row: int
    col: int
    text: str
    fg: str
    bg: str


def runs(svg: str) -> list[Run]:
    fills = dict(_CLASS.findall(svg))
    bg: dict[tuple[int, int], str] = {}
    for fill, x, y, w in _RECT.findall(svg):
        row, col = round((float(y) - 1.5) / LINE_H), round(float(x) / CHAR_W)
        for c in range(col, col + round(float(w) / CHAR_W)):
            bg[row, c] = fill
    out = []
    for cls, x, y, text in _TEXT.findall(svg):
        row, col = round((float(y) - 20) / LINE_H), round(float(x) / CHAR_W)
        out.append(Run(row, col, html.unescape(text).replace("\xa0", " ").rstrip("\n"), fills.get(cls, "#000000"),
                       bg.get((row, col), "#000000")))
    return out


def lines(svg: str) -> list[str]:
    """The screen as text, one string per row (wide characters take two columns)."""
    rows: dict[int, list[Run]] = {}
    for r in runs(svg):
        rows.setdefault(r.row, []).append(r)
    out = []
    for row in range(max(rows, default=-1) + 1):
        line = ""
        for r in sorted(rows.get(row, []), key=lambda r: r.col):
            line += " " * max(0, r.col - cell_len(line)) + r.text
        out.append(line)
    return out


def _luminance(hex_colour: str) -> float:
    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(fg: str, bg: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""
    a, b = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)
