"""Drawing a Payload as a module matrix and as terminal text.

Terminal text uses half blocks: one character cell holds two modules stacked (top,
bottom), and since a cell is about twice as tall as wide, modules come out square.
A glyph marks the DARK modules (█ both, ▀ top, ▄ bottom, space none), so the text is
a dark-on-light code when printed, shown in an editor, or drawn with the explicit
black-on-white colours that `ansi_lines` and the TUI add. Never leave the colours to
the terminal theme: on a dark theme the code would come out inverted, which many
phone scanners (WeChat's included) do not read reliably.
"""

from __future__ import annotations

import qrcode

from .payloads import Payload

QUIET = 4  # modules of light margin on every side, as ISO/IEC 18004 requires

GLYPHS = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}
# 256-colour black (16) on white (231): fixed RGB in the xterm cube, unlike the 16
# ANSI colours that themes remap (Solarized's "white" is beige-grey).
ANSI_ON = "\x1b[38;5;16;48;5;231m"
ANSI_OFF = "\x1b[0m"


def matrix(payload: Payload, quiet: int = QUIET) -> list[list[bool]]:
    """Rows of modules (True = dark), including `quiet` light modules on each side."""
    qr = qrcode.QRCode(version=payload.version, error_correction=payload.ecc, border=0)
    qr.add_data(payload.text.encode("utf-8"))
    qr.make(fit=False)
    core = qr.get_matrix()
    width = len(core) + 2 * quiet
    blank = [False] * width
    rows = [list(blank) for _ in range(quiet)]
    rows += [[False] * quiet + list(r) + [False] * quiet for r in core]
    rows += [list(blank) for _ in range(quiet)]
    return rows


def half_block_lines(m: list[list[bool]]) -> list[str]:
    """Two module rows per text line; an odd last row pairs with a light one (the
    quiet zone only grows)."""
    lines = []
    for y in range(0, len(m), 2):
        top = m[y]
        bottom = m[y + 1] if y + 1 < len(m) else [False] * len(top)
        lines.append("".join(GLYPHS[t, b] for t, b in zip(top, bottom, strict=True)))
    return lines


def text_size(payload: Payload, quiet: int = QUIET) -> tuple[int, int]:
    """(columns, lines) the half-block code takes, quiet zone included."""
    n = payload.modules + 2 * quiet
    return n, (n + 1) // 2


def terminal_text(payload: Payload, *, colour: bool) -> str:
    """The code for stdout: with `colour`, each line black on white whatever the
    theme; without, plain glyphs (dark-on-light on paper or a light background)."""
    lines = half_block_lines(matrix(payload))
    if colour:
        lines = [f"{ANSI_ON}{line}{ANSI_OFF}" for line in lines]
    return "\n".join(lines) + "\n"


def max_version_for(cols: int, rows: int, quiet: int = QUIET) -> int:
    """The largest version whose half-block code, quiet zone included, fits in
    `cols` × `rows` character cells; 0 when not even version 1 does."""
    modules = min(cols, 2 * rows) - 2 * quiet
    return min(40, (modules - 17) // 4) if modules >= 21 else 0
