"""What the documents use besides their text: stylesheets, font files, the cover image's name."""

from __future__ import annotations

from ...render.fonts import FontFace, font_face_css, subset_fonts
from ..base import BuildJob

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
    from ..fetch import read_confined  # imports WeasyPrint: not to plan a build

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


__all__ = ["COVER_IMAGE", "FONTS_CSS", "FONT_MEDIA_TYPE", "font_file", "stylesheet_names",
           "stylesheets", "subset_fonts"]
