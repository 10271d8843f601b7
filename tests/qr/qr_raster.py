"""Turning what the project draws into pictures a real decoder (zxing-cpp) reads.

Half-block text: each character cell is one module wide and two tall; its glyph and
its foreground/background colours decide which half is dark, as a terminal shows it.
"""

from __future__ import annotations

import html
import io
import re
import unicodedata

import zxingcpp
from PIL import Image, ImageDraw

SCALE = 8  # pixels per module
MARGIN = 2  # extra light modules around the picture (the code brings its own 4)

WHITE, BLACK = (255, 255, 255), (0, 0, 0)
# Which half of the cell the glyph's foreground covers: (top, bottom).
FG_HALVES = {" ": (False, False), "▀": (True, False), "▄": (False, True), "█": (True, True)}


def decode(img: Image.Image) -> list[str]:
    """Every QR code zxing-cpp finds, as text. No inversion tried: a resident's
    scanner may not try it either, so a light-on-dark code must fail here."""
    results = zxingcpp.read_barcodes(img.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode, try_invert=False)
    return [r.text for r in results]


def cells_to_image(cells: list[list[tuple[tuple[int, int, int], tuple[int, int, int]]]]) -> Image.Image:
    """cells[row][col] = (top colour, bottom colour) → an RGB picture."""
    width = max(len(r) for r in cells)
    img = Image.new("RGB", ((width + 2 * MARGIN) * SCALE, (2 * len(cells) + 2 * MARGIN) * SCALE), WHITE)
    draw = ImageDraw.Draw(img)
    for y, row in enumerate(cells):
        for x, (top, bottom) in enumerate(row):
            for half, colour in ((0, top), (1, bottom)):
                x0, y0 = (x + MARGIN) * SCALE, (2 * y + half + MARGIN) * SCALE
                draw.rectangle((x0, y0, x0 + SCALE - 1, y0 + SCALE - 1), fill=colour)
    return img


def _cell(ch: str, fg, bg):
    top, bottom = FG_HALVES.get(ch, (False, False))
    return (fg if top else bg, fg if bottom else bg)


def text_to_image(text: str, fg=BLACK, bg=WHITE) -> Image.Image:
    """Plain half-block text as printed on a light background (dark glyphs)."""
    return cells_to_image([[_cell(ch, fg, bg) for ch in line] for line in text.splitlines()])


def png_to_image(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def svg_to_image(svg_text: str) -> Image.Image:
    """Rasterise with cairosvg (Cairo, independent of our SVG writer) at 150 dpi."""
    import cairosvg

    return Image.open(io.BytesIO(cairosvg.svg2png(bytestring=svg_text.encode("utf-8"), dpi=150,
                                                  output_width=1240, background_color="white")))


# --- the screen as Textual exports it (App.export_screenshot, public API) ----------
# Rich's SVG export draws each run of text as a <rect> for its background and a
# <text> whose CSS class gives the foreground, positioned in cells of a fixed size:
# reading those back gives every cell's glyph and colours, as the terminal shows them.

_SVG_RECT = re.compile(r'<rect fill="(#[0-9a-fA-F]{6})" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="[\d.]+" '
                       r'shape-rendering="crispEdges"/>')
_SVG_TEXT = re.compile(r'<text class="([\w-]+)" x="([\d.]+)" y="([\d.]+)" textLength="[\d.]+" [^>]*>([^<]*)</text>')
_SVG_CLASS = re.compile(r"\.([\w-]+) \{ ([^}]*) \}")
CHAR_H = 20  # rich.console.Console.export_svg
LINE_H = CHAR_H * 1.22


def _hex(value: str) -> tuple[int, int, int]:
    return tuple(int(value[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def screenshot_cells(svg_text: str, width: int, height: int):
    """cells[row][col] = (glyph, fg, bg) read back from `app.export_screenshot()`."""
    char_w = CHAR_H * 0.61
    cells = [[[" ", (200, 200, 200), (0, 0, 0)] for _ in range(width)] for _ in range(height)]
    for fill, x, y, w in _SVG_RECT.findall(svg_text):
        row = round((float(y) - 1.5) / LINE_H)
        col0, n = round(float(x) / char_w), round(float(w) / char_w)
        for col in range(col0, min(col0 + n, width)):
            if 0 <= row < height:
                cells[row][col][2] = _hex(fill)
    fills = {}
    for name, css in _SVG_CLASS.findall(svg_text):
        m = re.search(r"fill: (#[0-9a-fA-F]{6})", css)
        fills[name] = _hex(m.group(1)) if m else (200, 200, 200)
    for cls, x, y, content in _SVG_TEXT.findall(svg_text):
        row = round((float(y) - CHAR_H) / LINE_H)
        col = round(float(x) / char_w)
        for ch in html.unescape(content).replace("\xa0", " "):  # Rich writes spaces as &#160;
            if 0 <= row < height and col < width:
                cells[row][col][0] = ch
                cells[row][col][1] = fills.get(cls, (200, 200, 200))
            col += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    return cells


def screenshot_to_image(svg_text: str, width: int, height: int) -> Image.Image:
    return cells_to_image([[_cell(ch, fg, bg) for ch, fg, bg in row]
                           for row in screenshot_cells(svg_text, width, height)])


def screenshot_text(svg_text: str, width: int, height: int) -> str:
    """The characters on the screen, one line per row (wide characters once)."""
    out = []
    for row in screenshot_cells(svg_text, width, height):
        line, skip = "", 0
        for ch, _, _ in row:
            if skip:
                skip -= 1
                continue
            line += ch
            skip = 1 if unicodedata.east_asian_width(ch) in "WF" else 0
        out.append(line)
    return "\n".join(out)


# --- the screen as tmux holds it (capture-pane -p -e) --------------------------------

_SGR = re.compile(r"\x1b\[([\d;]*)m")


def _xterm256(n: int) -> tuple[int, int, int]:
    base = [(0, 0, 0), (128, 0, 0), (0, 128, 0), (128, 128, 0), (0, 0, 128), (128, 0, 128), (0, 128, 128),
            (192, 192, 192), (128, 128, 128), (255, 0, 0), (0, 255, 0), (255, 255, 0), (0, 0, 255),
            (255, 0, 255), (0, 255, 255), (255, 255, 255)]
    if n < 16:
        return base[n]
    if n < 232:
        n -= 16
        steps = (0, 95, 135, 175, 215, 255)
        return steps[n // 36], steps[n // 6 % 6], steps[n % 6]
    v = 8 + 10 * (n - 232)
    return v, v, v


def ansi_to_image(captured: str) -> Image.Image:
    """`tmux capture-pane -p -e -N` output (SGR colours, half-block glyphs; -N keeps
    trailing spaces) → a picture. Cells with the terminal's default colours are taken
    as light grey on near-black. Colours carry over from line to line, as tmux writes
    them only where they change."""
    default_fg, default_bg = (200, 200, 200), (20, 20, 20)
    fg, bg, reverse = default_fg, default_bg, False
    rows = []
    for line in captured.splitlines():
        row, pos = [], 0
        for m in list(_SGR.finditer(line)) + [None]:
            text = line[pos:m.start()] if m else line[pos:]
            for ch in text:
                f, b = (bg, fg) if reverse else (fg, bg)
                row.append(_cell(ch, f, b))
                if unicodedata.east_asian_width(ch) in "WF":
                    row.append(_cell(" ", f, b))
            if m is None:
                break
            pos = m.end()
            codes = [int(c) if c else 0 for c in m.group(1).split(";")] or [0]
            i = 0
            while i < len(codes):
                c = codes[i]
                if c == 0:
                    fg, bg, reverse = default_fg, default_bg, False
                elif c == 7:
                    reverse = True
                elif c == 27:
                    reverse = False
                elif c in (38, 48) and i + 2 < len(codes) and codes[i + 1] == 5:
                    colour = _xterm256(codes[i + 2])
                    fg, bg = (colour, bg) if c == 38 else (fg, colour)
                    i += 2
                elif c in (38, 48) and i + 4 < len(codes) and codes[i + 1] == 2:
                    colour = tuple(codes[i + 2:i + 5])
                    fg, bg = (colour, bg) if c == 38 else (fg, colour)
                    i += 4
                elif 30 <= c <= 37 or 90 <= c <= 97:
                    fg = _xterm256(c - 30 if c < 90 else c - 82)
                elif 40 <= c <= 47 or 100 <= c <= 107:
                    bg = _xterm256(c - 40 if c < 100 else c - 92)
                elif c == 39:
                    fg = default_fg
                elif c == 49:
                    bg = default_bg
                i += 1
        rows.append(row)
    return cells_to_image(rows)
