"""The poster as a PNG (Pillow), drawn from the same layout as the SVG.

Pillow draws Chinese only with a CJK font, and stock Debian/CI images have none
(DejaVu only). Rather than print a poster of empty boxes, `png` refuses with
NoCjkFont naming the fix (`apt-get install fonts-noto-cjk`, $LIAISON_CJK_FONT, or
the SVG poster, which the viewer's or printer's own fonts draw).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from .poster import PAGE_H, PAGE_W, Layout

DPI = 200  # A4 at 200 dpi: 1654 × 2339 px, crisp text on an office printer
ENV_VAR = "LIAISON_CJK_FONT"
KNOWN_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)


class NoCjkFont(RuntimeError):
    def __init__(self) -> None:
        super().__init__(
            "PNG 海报需要中文字体，本机未找到；请安装（apt-get install fonts-noto-cjk）、设置 "
            f"${ENV_VAR} 为字体文件路径，或改用 --svg 海报。\n"
            "the PNG poster needs a Chinese (CJK) font and none was found: install one "
            f"(apt-get install fonts-noto-cjk), point ${ENV_VAR} at a font file, or use --svg.")


def find_cjk_font() -> tuple[str, int] | None:
    """(font file, face index) with Chinese glyphs: $LIAISON_CJK_FONT, fontconfig's
    choice for zh-cn (checked: with no CJK font fc-match still answers, with DejaVu),
    or a well-known path."""
    env = os.environ.get(ENV_VAR)
    if env and Path(env).is_file():
        return env, 0
    if shutil.which("fc-match") and shutil.which("fc-list"):
        try:
            best = _run(["fc-match", "-f", "%{file}|%{index}", "sans-serif:lang=zh-cn"])
            zh = {line.split(":")[0].strip() for line in _run(["fc-list", ":lang=zh-cn", "file"]).splitlines()}
        except (OSError, subprocess.SubprocessError):
            best, zh = "", set()
        path, _, index = best.partition("|")
        if path in zh:
            return path, int(index or 0)
        if zh:
            return sorted(zh)[0], 0
    return next(((p, 0) for p in KNOWN_FONTS if Path(p).is_file()), None)


def _run(cmd: list[str]) -> str:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout


def png(lay: Layout, font: tuple[str, int] | None = None) -> bytes:
    from io import BytesIO

    from PIL import Image, ImageDraw, ImageFont

    font = font or find_cjk_font()
    if font is None:
        raise NoCjkFont()
    px = DPI / 25.4  # pixels per mm
    img = Image.new("L", (round(PAGE_W * px), round(PAGE_H * px)), 255)
    draw = ImageDraw.Draw(img)
    # Whole pixels per module: a fractional module size blurs edges into grey.
    n = len(lay.code)
    mod = max(1, int(lay.code_mm * px / n))
    x0 = round(lay.code_x * px + (lay.code_mm * px - mod * n) / 2)
    y0 = round(lay.code_y * px)
    for y, row in enumerate(lay.code):
        for x, dark in enumerate(row):
            if dark:
                draw.rectangle((x0 + x * mod, y0 + y * mod, x0 + (x + 1) * mod - 1, y0 + (y + 1) * mod - 1), fill=0)
    faces: dict[int, ImageFont.FreeTypeFont] = {}
    for t in lay.texts:
        size = round(t.size * px)
        face = faces.get(size) or faces.setdefault(size, ImageFont.truetype(font[0], size, index=font[1]))
        draw.text((t.x * px, t.y * px), t.text, fill=0, font=face, anchor="ms" if t.centre else "ls",
                  stroke_width=1 if t.bold else 0, stroke_fill=0)
    buf = BytesIO()
    img.save(buf, "PNG", dpi=(DPI, DPI))
    return buf.getvalue()
