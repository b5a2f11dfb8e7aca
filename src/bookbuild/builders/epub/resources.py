"""What the documents use besides their text: stylesheets, subset fonts, the cover image's name."""

from __future__ import annotations

import io

from ...render.fonts import FontFace, font_face_css, font_faces
from ..base import BuildJob
from ..fetch import read_confined

COVER_IMAGE = "images/cover.png"
FONT_MEDIA_TYPE = "font/ttf"
FONTS_CSS = "fonts.css"


def stylesheet_names(job: BuildJob) -> list[str]:
    """The edition's stylesheets: the base, the fonts' @font-face rules, the edition's own."""
    names = ["base.css", FONTS_CSS]
    own = f"{job.edition.layout}.css"
    if any((d / "css" / own).is_file() for d in job.layout_dirs):
        names.append(own)
    if not any((d / "css" / "base.css").is_file() for d in job.layout_dirs):
        names.remove("base.css")
    return names


def stylesheets(job: BuildJob) -> list[tuple[str, bytes]]:
    """Each stylesheet's name and bytes: read from the layouts, or written for the fonts."""
    sheets = []
    for name in stylesheet_names(job):
        if name == FONTS_CSS:
            css = font_face_css(lambda face: f"../{font_file(face)}")
            sheets.append((name, (css + "\n").encode()))
            continue
        path = next(d / "css" / name for d in job.layout_dirs if (d / "css" / name).is_file())
        sheets.append((name, read_confined(path, job.layout_dirs)))
    return sheets


def font_file(face: FontFace) -> str:
    return f"fonts/{face.path.name}"


ALWAYS = "".join(chr(c) for c in range(0x20, 0x7F)) + "\u00a0\u2010\u2013\u2014\u2026„”»«"


def subset_fonts(text: str) -> list[tuple[FontFace, bytes]]:
    """Every face of the book, cut down to the characters the EPUB uses."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    chars = sorted({ord(c) for c in text + ALWAYS if not c.isspace() or c in " \u00a0"})
    options = subset.Options()
    options.layout_features = [*options.layout_features, "tnum", "lnum", "onum", "pnum"]
    options.hinting = False
    options.name_legacy = True
    out = []
    for face in font_faces():
        font = TTFont(str(face.path), recalcTimestamp=False, lazy=False)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=chars)
        subsetter.subset(font)
        buffer = io.BytesIO()
        font.save(buffer)
        out.append((face, buffer.getvalue()))
    return out
