"""Figures of the manuscript: ``figures.yaml`` read and checked, and each image file found
inside ``manuscript/images/``, bounded in size and (an SVG) made safe."""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from ..errors import Diagnostics, Location
from .anchors import figure_anchor
from .fields import records, suggest
from .model import (
    PAGE_SIZES,
    Edition,
    Figure,
    FigurePlacement,
    FigureSize,
    Manuscript,
    PartKind,
)
from .svg import UnsafeSvg, sanitise_svg
from .yamlsource import YNode, YScalar

FIGURES_FILE = "figures.yaml"
IMAGES_DIR = "images"
FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".svg": "SVG"}
MAX_IMAGE_BYTES = 16 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000  # a 40-megapixel photograph; more is refused, not decoded
MIN_PRINT_DPI = 200
COLUMN_MARGINS_MM = 34.0  # the bundled print layouts' inner and outer margins together
PRINTED_FORMAT = "pdf"  # the editions whose figures are printed on paper


class ImageRefused(Exception):
    """An image file a build may not use, with where the problem stands."""

    def __init__(self, location: Location, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.location = location
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class ImageFile:
    """A checked image: its path, format and (raster) pixel size."""

    path: Path
    format: str  # JPEG, PNG or SVG
    width: int = 0
    height: int = 0


def images_dir(manuscript_dir: Path) -> Path:
    return manuscript_dir / IMAGES_DIR


def image_files(manuscript_dir: Path) -> list[Path]:
    """The image files a build may read (for the build record), in a stable order."""
    folder = images_dir(manuscript_dir)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in FORMATS and p.is_file()
                  and not p.is_symlink())


def open_image(manuscript_dir: Path, name: str, where: Location,
               shown: Callable[[Path], str]) -> ImageFile:
    """The image ``name`` of ``manuscript/images/``, or :class:`ImageRefused`.

    Only a plain relative path below the folder is accepted; links are followed
    and must stay inside it. Raster files are checked by their content (Pillow),
    an SVG by :func:`sanitise_svg`.
    """
    folder = images_dir(manuscript_dir)
    pure = PurePosixPath(name)
    if not name or pure.is_absolute() or ".." in pure.parts or "\\" in name or ":" in name:
        raise ImageRefused(where, f"image '{name}' is not a path inside {IMAGES_DIR}/",
                           f"put the file into manuscript/{IMAGES_DIR}/ and write its name "
                           "relative to that folder, without '..'")
    suffix = pure.suffix.lower()
    if suffix not in FORMATS:
        raise ImageRefused(where, f"image '{name}' is not a JPEG, PNG or SVG file",
                           "use a .jpg, .png or .svg file")
    path = folder.joinpath(*pure.parts)
    real = Path(os.path.realpath(path))
    root = Path(os.path.realpath(folder))
    if Path(os.path.realpath(manuscript_dir)) not in root.parents:
        raise ImageRefused(where, f"manuscript/{IMAGES_DIR}/ is a symbolic link leading out of "
                                  f"the manuscript, to {root}",
                           "make it a real folder: a build reads only the project's own files")
    if not path.exists():
        raise ImageRefused(where, f"image '{name}' is not in manuscript/{IMAGES_DIR}/",
                           "check the file name")
    if root not in real.parents:
        raise ImageRefused(where, f"image '{name}' is a symbolic link leading out of "
                                  f"manuscript/{IMAGES_DIR}/, to {real}",
                           "copy the file into the folder: a build reads only the project's "
                           "own files")
    if not real.is_file():
        raise ImageRefused(where, f"image '{name}' is not a regular file")
    size = real.stat().st_size
    if size > MAX_IMAGE_BYTES:
        raise ImageRefused(where, f"image '{name}' is {size / 2**20:.1f} MiB; the limit is "
                                  f"{MAX_IMAGE_BYTES // 2**20} MiB",
                           "scale the image down or save it with more compression")
    data = real.read_bytes()
    if FORMATS[suffix] == "SVG":
        try:
            sanitise_svg(data)
        except UnsafeSvg as exc:
            raise ImageRefused(Location(shown(path), exc.problem.line, 1),
                               f"SVG refused: {exc.problem.message}",
                               "save the drawing as plain SVG (shapes, text, internal "
                               "references only), or as PNG") from None
        return ImageFile(real, "SVG")
    return _raster(real, data, FORMATS[suffix], name, where)


def _raster(path: Path, data: bytes, expected: str, name: str, where: Location) -> ImageFile:
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                actual = image.format
                if width * height > MAX_IMAGE_PIXELS:
                    raise ImageRefused(
                        where, f"image '{name}' has {width}×{height} pixels; the limit is "
                               f"{MAX_IMAGE_PIXELS // 1_000_000} megapixels",
                        "scale the image down")
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRefused(where, f"image '{name}' has too many pixels to decode safely",
                           "scale the image down") from None
    except UnidentifiedImageError:  # Pillow's message names its buffer object
        raise ImageRefused(where, f"image '{name}' cannot be read as {expected}: its "
                                  "content is not an image", "save it again from an image "
                                  f"program, as {expected}") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageRefused(where, f"image '{name}' cannot be read as {expected}: {exc}",
                           "save it again from an image program") from None
    if actual != expected:
        raise ImageRefused(where, f"image '{name}' is a {actual} file with a "
                                  f"{path.suffix} name", "rename it or convert it")
    return ImageFile(path, expected, width, height)


def load_figures(node: YNode | None, manuscript_dir: Path, shown: Callable[[Path], str],
                 diagnostics: Diagnostics,
                 texts: list[tuple[str, YScalar]] | None = None) -> list[Figure]:
    """Every figure of ``figures.yaml``; problems, image files' too, go to ``diagnostics``.

    Each caption's source is added to ``texts`` (for the unmarked-mention check).
    """
    out: list[Figure] = []
    sizes = [s.value for s in FigureSize]
    for item in records(node, "figure", diagnostics):
        item.check_known(["id", "file", "caption", "alt", "decorative", "credit", "licence",
                          "size", "key"])
        figure_id = item.identifier()
        file_node = item.scalar("file", required=True)
        caption, scalar = item.rich("caption", required=True, owner=figure_anchor(figure_id))
        if scalar is not None and texts is not None and figure_id:
            texts.append((figure_anchor(figure_id), scalar))
        decorative = item.boolean("decorative")
        alt_node = item.scalar("alt")
        alt = alt_node.value.strip() if alt_node is not None else ""
        if alt_node is not None:
            item.refuse_html(alt_node, alt, "alt")
        if not alt and not decorative:
            diagnostics.error(
                item.node.key_location("alt") if alt_node is not None else item.location,
                f"figure '{figure_id}' has no alternative text",
                "write what the image shows in 'alt: …' (an empty alt only with "
                "'decorative: true')")
        size_text = item.text("size", default=FigureSize.COLUMN.value)
        if size_text not in sizes:
            diagnostics.error(item.node.key_location("size"), f"unknown figure size "
                              f"'{size_text}'", suggest(size_text, sizes)
                              or f"use one of {', '.join(sizes)}")
            size_text = FigureSize.COLUMN.value
        figure = Figure(
            id=figure_id,
            file=file_node.value.strip() if file_node is not None else "",
            caption=caption,
            alt=alt,
            credit=item.text("credit"),
            licence=item.text("licence"),
            decorative=decorative,
            size=FigureSize(size_text),
            key=item.boolean("key"),
            location=item.location,
        )
        if file_node is not None:
            try:
                image = open_image(manuscript_dir, figure.file, file_node.location, shown)
            except ImageRefused as exc:
                diagnostics.error(exc.location, exc.message, exc.hint)
            else:
                figure = replace(figure, pixel_width=image.width,
                                 file_location=file_node.location)
        out.append(figure)
    return out


def resolution_problem(figure: Figure, width_mm: float, prints: str = "prints at"
                       ) -> tuple[str, str] | None:
    """The message and hint when the figure's raster image, printed ``width_mm`` wide, has
    fewer than MIN_PRINT_DPI pixels to the inch (None when it has enough, or is an SVG);
    ``prints`` says where and how surely (``would print in edition 'x' at about``)."""
    if not figure.pixel_width or width_mm <= 0:
        return None
    inches = width_mm / 25.4
    dpi = figure.pixel_width / inches
    if dpi >= MIN_PRINT_DPI:
        return None
    return (f"image '{figure.file}' {prints} {dpi:.0f} dpi ({figure.pixel_width} px across "
            f"{width_mm:.0f} mm); below {MIN_PRINT_DPI} dpi it looks blurred on paper",
            f"use an image at least {round(inches * MIN_PRINT_DPI)} px wide, or 'size: half'")


def estimated_width_mm(figure: Figure, edition: Edition) -> float:
    """How wide a PDF edition prints the figure, as ``check`` estimates it (0: not at all):
    the text column of the edition's page size (A5 without one) less the bundled layouts'
    side margins, half of it for a ``half`` figure or in an edition that groups its (key)
    figures two to a row. The build measures the laid-out width instead."""
    grouped = edition.figures is FigurePlacement.GROUPED
    if grouped and not figure.key:
        return 0.0
    page_width = PAGE_SIZES.get(edition.page_size or "A5", PAGE_SIZES["A5"])[0]
    column = page_width - COLUMN_MARGINS_MM
    return column / 2 if grouped or figure.size is FigureSize.HALF else column


def _shown_in(manuscript: Manuscript, edition: Edition) -> set[str]:
    """The ids of the figures placed in the parts the edition prints."""
    parts = set(edition.parts) or {p.id for p in manuscript.parts}
    out = {f for p in manuscript.parts if p.id in parts for f in p.figures}
    out.update(f for e in manuscript.events if e.part in parts for f in e.figures)
    if any(p.kind is PartKind.DEMANDS for p in manuscript.parts if p.id in parts):
        out.update(f for d in manuscript.demands for f in d.figures)
    return out


def check_resolution(manuscript: Manuscript, diagnostics: Diagnostics) -> None:
    """A raster image too small for the widest place a PDF edition prints it: a warning
    naming the file and the edition where it would print at the lowest resolution."""
    printed = [e for e in manuscript.editions if e.format == PRINTED_FORMAT]
    shown = {e.name: _shown_in(manuscript, e) for e in printed}
    for figure in manuscript.figures:
        widths = [(estimated_width_mm(figure, e), e.name) for e in printed
                  if figure.id in shown[e.name]]
        if not widths:
            continue
        width, name = max(widths)
        problem = resolution_problem(figure, width, f"would print in edition '{name}' at about")
        if problem is not None:
            diagnostics.warning(figure.file_location, *problem)


def check_placements(manuscript: Manuscript, diagnostics: Diagnostics) -> None:
    """Every figure id used where it is declared; each figure placed at most once."""
    book = Location("manuscript/book.yaml")
    places: list[tuple[str, Location, tuple[str, ...]]] = [
        *((f"part '{p.id}'", book, p.figures) for p in manuscript.parts),
        *((f"demand {d.label}", d.location, d.figures) for d in manuscript.demands),
        *((f"event '{e.id}'", e.location, e.figures) for e in manuscript.events),
    ]
    declared = [f.id for f in manuscript.figures if f.id]
    cover = manuscript.meta.cover_image
    if cover and cover not in declared:
        diagnostics.error(book, f"unknown figure '{cover}' as cover_image",
                          suggest(cover, declared) or f"declare it in {FIGURES_FILE}")
    seen: dict[str, str] = {}
    for owner, location, ids in places:
        for figure_id in ids:
            if figure_id not in declared:
                diagnostics.error(location, f"unknown figure '{figure_id}' in {owner}",
                                  suggest(figure_id, declared)
                                  or f"declare it in {FIGURES_FILE}")
            elif figure_id in seen:
                diagnostics.error(location, f"figure '{figure_id}' is placed twice (also in "
                                            f"{seen[figure_id]})", "place each figure once")
            else:
                seen[figure_id] = owner
