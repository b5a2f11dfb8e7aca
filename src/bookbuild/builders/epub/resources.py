"""What the documents use besides their text: stylesheets, font files, the cover image's name."""

from __future__ import annotations

from ...render.fonts import FontFace, font_face_css, subset_fonts
from ..base import BuildJob
from .cssvars import custom_properties, resolve_custom_properties

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
    """Each stylesheet's name and bytes: read from the layouts, or written for the fonts.

    The layouts' custom properties are written out (:mod:`.cssvars`): reading systems
    that do not know ``var()`` would drop the declarations that use one.
    """
    from ..confine import read_confined

    texts: list[tuple[str, str]] = []
    for name in stylesheet_names(job):
        if name == FONTS_CSS:
            texts.append((name, font_face_css(lambda face: f"../{font_file(face)}") + "\n"))
            continue
        path = next(d / "css" / name for d in job.layout_dirs if (d / "css" / name).is_file())
        texts.append((name, read_confined(path, job.layout_dirs).decode("utf-8")))
    values = custom_properties(css for _name, css in texts)
    return [(name, resolve_custom_properties(css, values).encode()) for name, css in texts]


def font_file(face: FontFace) -> str:
    return f"fonts/{face.path.name}"


__all__ = ["COVER_IMAGE", "FONTS_CSS", "FONT_MEDIA_TYPE", "font_file", "stylesheet_names",
           "stylesheets", "subset_fonts"]
