"""Turning what the project draws into pictures a real decoder (zxing-cpp) reads.

Half-block text: each character cell is one module wide and two tall; its glyph and
its foreground/background colours decide which half is dark, as a terminal shows it.
"""

from __future__ import annotations

import io

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


def _rgb(colour, default):
    if colour is None:
        return default
    t = colour.get_truecolor()
    return (t.red, t.green, t.blue)


def strips_to_image(strips) -> Image.Image:
    """Textual strips (a widget's render_lines, or the compositor's whole screen) with
    each cell in its real foreground / background colour."""
    rows = []
    for strip in strips:
        row = []
        for seg in strip:
            style = seg.style
            fg = _rgb(style.color if style else None, (200, 200, 200))
            bg = _rgb(style.bgcolor if style else None, (30, 30, 30))
            if style and style.reverse:
                fg, bg = bg, fg
            row += [_cell(ch, fg, bg) for ch in seg.text]
        rows.append(row)
    return cells_to_image(rows)


def png_to_image(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def svg_to_image(svg_text: str) -> Image.Image:
    """Rasterise with cairosvg (Cairo, independent of our SVG writer) at 150 dpi."""
    import cairosvg

    return Image.open(io.BytesIO(cairosvg.svg2png(bytestring=svg_text.encode("utf-8"), dpi=150,
                                                  output_width=1240, background_color="white")))
