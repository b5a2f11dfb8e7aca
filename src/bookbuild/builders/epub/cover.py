"""The EPUB's cover picture: a PNG drawn from the book's data with the book's own typefaces.

E-reader libraries show a raster cover, so the cover is drawn with Pillow like the
booklet's printed cover: a framed page with the first keyword, the title, the subtitle
and the editors. The same book data, fonts and Pillow version give the same bytes.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from ...locale import locale_for
from ...manuscript.model import BookMeta
from ...render.fonts import FontFace, font_faces
from ...render.typography import unbreakable

WIDTH, HEIGHT = 1600, 2400
INK = (17, 17, 17)
PAPER = (250, 248, 243)
RULE = (120, 120, 120)
MARGIN = 110  # paper around the frame
PADDING = 120  # inside the frame


@cache
def _font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size)


def _face(family: str, weight: int, style: str = "normal") -> Path:
    faces: Sequence[FontFace] = font_faces()
    return next(f.path for f in faces
                if f.family == family and f.weight == weight and f.style == style)


_SPACES = re.compile(r"[ \t\r\n]+")  # where a line may break: not U+00A0


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` (a word longer than that stands alone)
    at its spaces, never at a no-break space ("11 January", "okt. 23.")."""
    lines: list[str] = []
    for word in _SPACES.split(unbreakable(text).strip()):
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _fitted(text: str, path: Path, size: int, width: int, max_lines: int) -> tuple[
        ImageFont.FreeTypeFont, list[str]]:
    """The largest size up to ``size`` at which ``text`` takes at most ``max_lines`` lines."""
    while True:
        font = _font(path, size)
        lines = _wrap(text, font, width)
        if (len(lines) <= max_lines and all(font.getlength(ln) <= width for ln in lines)) \
                or size <= 24:
            return font, lines
        size -= 4


def render_cover(meta: BookMeta, width: int = WIDTH, height: int = HEIGHT) -> bytes:
    """The cover as PNG bytes: deterministic for the same book, fonts and Pillow."""
    image = Image.new("RGB", (width, height), PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((MARGIN, MARGIN, width - MARGIN, height - MARGIN), outline=INK, width=10)
    inner = width - 2 * (MARGIN + PADDING)
    center = width // 2

    blocks: list[tuple[ImageFont.FreeTypeFont, list[str], tuple[int, int, int], int]] = []
    typeset = locale_for(meta.language).typeset
    if meta.keywords:
        kicker = _font(_face("BB Sans", 600), 120)
        blocks.append((kicker, [typeset(meta.keywords[0]).upper()], INK, 90))
    title_font, title_lines = _fitted(typeset(meta.title), _face("BB Sans", 600), 150, inner, 5)
    blocks.append((title_font, title_lines, INK, 80))
    if meta.subtitle:
        sub_font, sub_lines = _fitted(typeset(meta.subtitle), _face("BB Serif", 400, "italic"),
                                      72, inner, 4)
        blocks.append((sub_font, sub_lines, INK, 0))

    heights = [sum(_line_height(f) for _ in lines) + gap for f, lines, _c, gap in blocks]
    y = max(MARGIN + PADDING, (height - sum(heights)) // 2 - 120)
    for number, (font, lines, colour, gap) in enumerate(blocks, start=1):
        for line in lines:
            draw.text((center, y), line, font=font, fill=colour, anchor="ma")
            y += _line_height(font)
        y += gap
        if number < len(blocks):  # a short rule between the blocks
            draw.line((center - 160, y - gap // 2, center + 160, y - gap // 2), fill=RULE,
                      width=6)

    editors = ", ".join(c.name for c in meta.editors)
    if editors:
        ed_font, ed_lines = _fitted(typeset(editors), _face("BB Sans", 400), 64, inner, 3)
        y = height - MARGIN - PADDING - len(ed_lines) * _line_height(ed_font)
        for line in ed_lines:
            draw.text((center, y), line, font=ed_font, fill=INK, anchor="ma")
            y += _line_height(ed_font)

    # ink, paper and the anti-aliasing between them: a 32-colour palette keeps it sharp and
    # less than half the size (median cut without dithering is deterministic)
    palette = image.quantize(colors=32, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    palette.save(out, format="PNG", optimize=False, compress_level=9)
    return out.getvalue()


def _line_height(font: ImageFont.FreeTypeFont) -> int:
    return int(font.size * 1.22)
