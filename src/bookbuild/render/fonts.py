"""The book's typefaces: shipped by the project's own dependencies, embedded, never the system's."""

from __future__ import annotations

import importlib.util
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from ..errors import BookbuildError

SERIF_PACKAGE = "font_source_serif_pro"
SANS_PACKAGE = "font_source_sans_pro"


@dataclass(frozen=True)
class FontFace:
    family: str  # the name the stylesheets use
    path: Path
    weight: int = 400
    style: str = "normal"


_FACES = (
    ("BB Serif", SERIF_PACKAGE, "SourceSerifPro-Regular.ttf", 400, "normal"),
    ("BB Serif", SERIF_PACKAGE, "SourceSerifPro-It.ttf", 400, "italic"),
    ("BB Serif", SERIF_PACKAGE, "SourceSerifPro-Semibold.ttf", 600, "normal"),
    ("BB Serif", SERIF_PACKAGE, "SourceSerifPro-Bold.ttf", 700, "normal"),
    ("BB Sans", SANS_PACKAGE, "SourceSansPro-Regular.ttf", 400, "normal"),
    ("BB Sans", SANS_PACKAGE, "SourceSansPro-It.ttf", 400, "italic"),
    ("BB Sans", SANS_PACKAGE, "SourceSansPro-Semibold.ttf", 600, "normal"),
    ("BB Sans", SANS_PACKAGE, "SourceSansPro-Bold.ttf", 700, "normal"),
)


def package_dir(package: str) -> Path:
    """The installed folder of a font package, or a clear error when it is missing."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise BookbuildError(
            f"the font package '{package.replace('_', '-')}' is not installed",
            "reinstall bookbuild (pip install .) so that its font dependencies come with it",
        )
    return Path(next(iter(spec.submodule_search_locations))) / "files"


@lru_cache(maxsize=1)
def font_faces() -> tuple[FontFace, ...]:
    faces = []
    for family, package, filename, weight, style in _FACES:
        path = package_dir(package) / filename
        if not path.is_file():
            raise BookbuildError(f"font file missing: {path}",
                                 "reinstall the font package: pip install --force-reinstall "
                                 + package.replace("_", "-"))
        faces.append(FontFace(family, path, weight, style))
    return tuple(faces)


@cache
def private_fontconfig() -> Path:
    """Give fontconfig (WeasyPrint's Pango) a configuration holding the bundled font
    packages only, so that no font of the machine (system, user, or a package's that
    happens to share a family name) can change a build; returns the configuration file.

    Set in the environment before the first layout: fontconfig reads
    ``FONTCONFIG_FILE`` whenever WeasyPrint loads a configuration (once per document).
    Forked workers inherit it.
    """
    import atexit
    import os
    import shutil
    import tempfile
    from xml.sax.saxutils import escape

    folder = Path(tempfile.mkdtemp(prefix="bookbuild-fontconfig-"))
    owner = os.getpid()

    def remove() -> None:
        if os.getpid() == owner:  # not from a forked worker: the parent still builds
            shutil.rmtree(folder, ignore_errors=True)

    atexit.register(remove)
    dirs = "".join(f"  <dir>{escape(str(d))}</dir>\n" for d in font_dirs())
    conf = folder / "fonts.conf"
    conf.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
                    f"<fontconfig>\n{dirs}  <cachedir>{escape(str(folder / 'cache'))}"
                    "</cachedir>\n</fontconfig>\n", encoding="utf-8")
    os.environ["FONTCONFIG_FILE"] = str(conf)
    os.environ.pop("FONTCONFIG_PATH", None)
    return conf


def font_dirs() -> tuple[Path, ...]:
    """Folders a build may read fonts from."""
    return tuple(sorted({face.path.parent for face in font_faces()}))


def font_face_css(url_for: object = None) -> str:
    """``@font-face`` rules; ``url_for(face)`` gives the URL (default: a file: URL)."""
    rules = []
    for face in font_faces():
        url = url_for(face) if callable(url_for) else face.path.as_uri()
        rules.append(
            f'@font-face {{ font-family: "{face.family}"; src: url("{url}"); '
            f"font-weight: {face.weight}; font-style: {face.style}; }}"
        )
    return "\n".join(rules)


@cache
def _cmap(path: Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap())


def missing_glyphs(text: str) -> list[str]:
    """Characters of ``text`` that the regular text face cannot print."""
    regular = next(f for f in font_faces() if f.family == "BB Serif" and f.style == "normal")
    cmap = _cmap(regular.path)
    ignorable = {0x20, 0x0A, 0x09, 0xAD}

    def printable(ch: str) -> bool:
        if ord(ch) in cmap or ord(ch) in ignorable or unicodedata.category(ch) == "Cf":
            return True  # format characters print nothing
        # a precomposed letter the face lacks (ǵ) is shaped from its base and marks (g + ́)
        decomposed = unicodedata.normalize("NFD", ch)
        return decomposed != ch and all(ord(c) in cmap for c in decomposed)

    return sorted({ch for ch in set(text) if not printable(ch)})


ALWAYS = "".join(chr(c) for c in range(0x20, 0x7F)) + "\u00a0\u2010\u2013\u2014\u2026„”»«"


def subset_fonts(text: str) -> list[tuple[FontFace, bytes]]:
    """Every face of the book, cut down to the characters ``text`` uses (and basic Latin).

    HarfBuzz's subsetter (uharfbuzz) keeps the layout features (kerning,
    ligatures, figures) and drops hinting; it takes milliseconds where
    fontTools' took seconds.
    """
    import uharfbuzz as hb

    # with the decomposed forms: a letter the face has no precomposed glyph for is shaped
    # from its base letter and combining marks
    text = text + unicodedata.normalize("NFD", text)
    chars = sorted({ord(c) for c in text + ALWAYS if not c.isspace() or c in " \u00a0"})
    out = []
    for face in font_faces():
        subset_input = hb.SubsetInput()
        subset_input.unicode_set.update(chars)
        subset_input.flags = hb.SubsetFlags.NO_HINTING
        font = hb.subset(hb.Face(hb.Blob.from_file_path(str(face.path))), subset_input)
        out.append((face, bytes(font.blob.data)))
    return out


def visible_text(html: str) -> str:
    """The characters a page shows: its markup removed, entities decoded."""
    import html as html_lib
    import re

    return html_lib.unescape(re.sub(r"<[^>]+>", " ", html.split("<body", 1)[-1]))
