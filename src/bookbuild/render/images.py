"""Images as the outputs carry them: re-encoded with Pillow, without any metadata, scaled,
greyscale for photocopies; the same file and settings always give the same bytes."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..manuscript.svg import sanitise_svg

MEDIA_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "SVG": "image/svg+xml"}
SUFFIXES = {"JPEG": ".jpg", "PNG": ".png", "SVG": ".svg"}
JPEG_QUALITY = 88
PRINT_MAX_SIDE = 2400  # ~300 dpi across an A4 text column
SCREEN_MAX_SIDE = 1600  # e-readers and the web edition's large size
SMALL_SIDE = 800  # the web edition's small size


@dataclass(frozen=True)
class ImageData:
    """One image file of an output."""

    format: str  # JPEG, PNG or SVG
    data: bytes
    width: int  # pixels (an SVG: its own units)
    height: int

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.format]

    @property
    def suffix(self) -> str:
        return SUFFIXES[self.format]


def format_of(path: Path) -> str:
    return {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".svg": "SVG"}[path.suffix.lower()]


def prepared(path: Path, *, max_side: int, greyscale: bool = False) -> ImageData:
    """``path`` re-encoded for an output: at most ``max_side`` pixels on its long side."""
    stat = path.stat()
    return _prepared(path, stat.st_mtime_ns, stat.st_size, max_side, greyscale)


@lru_cache(maxsize=64)
def _prepared(path: Path, _mtime: int, _size: int, max_side: int, greyscale: bool) -> ImageData:
    data = path.read_bytes()
    fmt = format_of(path)
    if fmt == "SVG":
        clean = sanitise_svg(data)
        width, height = svg_size(clean)
        return ImageData("SVG", clean, width, height)
    return _raster(data, fmt, max_side, greyscale)


def _raster(data: bytes, fmt: str, max_side: int, greyscale: bool) -> ImageData:
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as source:
        image = ImageOps.exif_transpose(source)  # the picture as the camera meant it
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if greyscale:
        mode = "LA" if has_alpha and fmt == "PNG" else "L"
    else:
        mode = "RGBA" if has_alpha and fmt == "PNG" else (
            "L" if image.mode in ("L", "1", "I", "I;16") else "RGB")
    image = image.convert(mode)
    if max(image.size) > max_side:
        scale = max_side / max(image.size)
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        image = image.resize(size, Image.Resampling.LANCZOS)
    # a new image from the pixels alone: no EXIF, XMP, ICC, text chunks or comments
    clean = Image.frombytes(image.mode, image.size, image.tobytes())
    out = io.BytesIO()
    if fmt == "JPEG":
        clean.save(out, "JPEG", quality=JPEG_QUALITY, optimize=False, progressive=False,
                   subsampling="4:2:0")
    else:
        clean.save(out, "PNG", optimize=False, compress_level=9)
    return ImageData(fmt, out.getvalue(), clean.width, clean.height)


_NUMBER = re.compile(r"^\s*([0-9.]+)\s*(px)?\s*$")


def svg_size(data: bytes) -> tuple[int, int]:
    """An SVG's width and height: its attributes in px, else its viewBox, else 300×150."""
    from lxml import etree

    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    width, height = root.get("width", ""), root.get("height", "")
    w, h = _NUMBER.match(width), _NUMBER.match(height)
    if w and h:
        return round(float(w.group(1))), round(float(h.group(1)))
    box = (root.get("viewBox") or "").replace(",", " ").split()
    if len(box) == 4:
        try:
            return round(float(box[2])), round(float(box[3]))
        except ValueError:
            pass
    return 300, 150
