"""The figures' image files for each kind of output; every image is read through the
confinement of ``manuscript/images/``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import BookbuildError, Diagnostic, Severity
from ..manuscript.figures import ImageRefused, open_image, resolution_problem
from ..manuscript.model import Figure
from ..render.book import BookView
from ..render.figurecontext import FigureContext, ImageRef
from ..render.images import PRINT_MAX_SIDE, SCREEN_MAX_SIDE, SMALL_SIDE, ImageData, prepared
from .base import BuildJob

if TYPE_CHECKING:
    from weasyprint.document import Document
    from weasyprint.formatting_structure.boxes import ReplacedBox

SCHEME = "bookbuild-figure"
MM_PER_PX = 25.4 / 96  # WeasyPrint lays out in CSS px


def figures_of(view: BookView, *, cover: bool = True) -> list[Figure]:
    """Every figure an edition shows, its cover too (unless not ``cover``), each once."""
    seen: dict[str, Figure] = {}
    for item in (*view.figures, *view.key_figures):
        seen.setdefault(item.figure.id, item.figure)
    if cover and view.cover is not None:
        seen.setdefault(view.cover.id, view.cover)
    return list(seen.values())


def image_of(job: BuildJob, figure: Figure, *, max_side: int, greyscale: bool = False
             ) -> ImageData:
    """The figure's image, re-read through the confinement and re-encoded."""
    manuscript_dir = job.project.manuscript_dir
    try:
        found = open_image(manuscript_dir, figure.file, figure.location, job.project.shown)
    except ImageRefused as exc:
        raise BookbuildError(exc.message, exc.hint, exc.location) from None
    return prepared(found.path, max_side=max_side, greyscale=greyscale)


def print_refs(job: BuildJob, view: BookView) -> dict[str, ImageRef]:
    """The print edition's images, as URLs that :class:`FigureFetcher` serves."""
    refs: dict[str, ImageRef] = {}
    for figure in figures_of(view):
        image = print_image(job, figure)
        refs[figure.id] = ImageRef(f"{SCHEME}:{figure.id}{image.suffix}", image.width,
                                   image.height)
    return refs


def print_image(job: BuildJob, figure: Figure) -> ImageData:
    return image_of(job, figure, max_side=PRINT_MAX_SIDE, greyscale=job.edition.greyscale)


def screen_files(job: BuildJob, view: BookView, *, sizes: tuple[int, ...], lazy: bool,
                 cover: bool) -> tuple[dict[str, ImageRef], list[tuple[str, ImageData]]]:
    """Refs and files (``images/<id>-<size><suffix>``) for the EPUB and the web edition."""
    refs: dict[str, ImageRef] = {}
    files: list[tuple[str, ImageData]] = []
    for figure in figures_of(view, cover=cover):
        made: list[tuple[str, ImageData]] = []
        for side in sizes:
            image = image_of(job, figure, max_side=side, greyscale=job.edition.greyscale)
            name = f"images/{figure.id}{image.suffix}" if len(sizes) == 1 or \
                image.format == "SVG" else f"images/{figure.id}-{image.width}{image.suffix}"
            if made and made[-1][0] == name:
                continue
            made.append((name, image))
        files.extend(made)
        largest = made[-1][1]
        srcset = ", ".join(f"{name} {image.width}w" for name, image in made) \
            if len(made) > 1 else ""
        refs[figure.id] = ImageRef(made[-1][0], largest.width, largest.height, srcset,
                                   "(min-width: 48rem) 40rem, 100vw" if srcset else "",
                                   lazy=lazy)
    return refs, files


def epub_files(job: BuildJob, view: BookView
               ) -> tuple[dict[str, ImageRef], list[tuple[str, ImageData]]]:
    return screen_files(job, view, sizes=(SCREEN_MAX_SIDE,), lazy=False, cover=True)


def web_files(job: BuildJob, view: BookView
              ) -> tuple[dict[str, ImageRef], list[tuple[str, ImageData]]]:
    return screen_files(job, view, sizes=(SMALL_SIDE, SCREEN_MAX_SIDE), lazy=True,
                        cover=False)


def figure_context(view: BookView, images: dict[str, ImageRef]) -> FigureContext:
    """What the layout's figure filters see: the placed figures (none in an edition that
    groups them) and the images."""
    return FigureContext(view.figures, images)


def printed_resolution(job: BuildJob, view: BookView, document: Document
                       ) -> tuple[Diagnostic, ...]:
    """A warning for each raster image the laid-out edition prints below MIN_PRINT_DPI,
    measured at the width it has on the page, located at the figure's ``file:``."""
    from weasyprint.formatting_structure import boxes

    by_src = {f"{SCHEME}:{f.id}": f for f in figures_of(view)}
    widest: dict[str, float] = {}
    for page in document.pages:
        for box in page._page_box.descendants():
            if not isinstance(box, boxes.ReplacedBox) or box.element is None:
                continue
            figure = by_src.get(str(box.element.get("src", "")).rsplit(".", 1)[0])
            if figure is not None:
                width = _drawn_width(box) * MM_PER_PX
                widest[figure.id] = max(widest.get(figure.id, 0.0), width)
    out: list[Diagnostic] = []
    for figure in figures_of(view):
        problem = resolution_problem(figure, widest.get(figure.id, 0.0),
                                     f"prints in edition '{job.edition.name}' at")
        if problem is not None:
            out.append(Diagnostic(figure.file_location, Severity.WARNING, *problem))
    return tuple(out)


def _drawn_width(box: ReplacedBox) -> float:
    """The width, in CSS px, the image is drawn at inside its box: ``object-fit: contain``
    draws it narrower than the box when its height is limited (``max-height``)."""
    width, height = float(box.width), float(box.height)
    ratio = box.replacement.get_intrinsic_size(1, 1)[2]
    if ratio and height > 0:
        return min(width, height * float(ratio))
    return width
