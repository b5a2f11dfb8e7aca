"""The paths each edition writes into the output folder: the one home of the output names."""

from __future__ import annotations

from collections.abc import Callable

from ..manuscript.model import Edition, OutputFormat

HTML_FOLDER = "html"


def pdf_name(slug: str, edition: str) -> str:
    return f"{slug}-{edition}.pdf"


def imposed_name(slug: str, edition: str) -> str:
    return f"{slug}-{edition}-print.pdf"


def epub_name(slug: str) -> str:
    return f"{slug}.epub"


def _pdf(edition: Edition, slug: str) -> tuple[str, ...]:
    names = [pdf_name(slug, edition.name)]
    if edition.impose:
        names.append(imposed_name(slug, edition.name))
    return tuple(names)


_NAMES: dict[OutputFormat, Callable[[Edition, str], tuple[str, ...]]] = {
    OutputFormat.PDF: _pdf,
    OutputFormat.EPUB: lambda edition, slug: (epub_name(slug),),
    OutputFormat.HTML: lambda edition, slug: (HTML_FOLDER + "/",),
}


def output_names(edition: Edition, slug: str) -> tuple[str, ...]:
    """What ``edition`` writes: file names, and folders (ending in ``/``) it fills."""
    return _NAMES[edition.format](edition, slug)


def overlaps(first: str, second: str) -> bool:
    """Two outputs that would write the same path (a folder holds everything below it)."""
    return (first == second or (first.endswith("/") and second.startswith(first))
            or (second.endswith("/") and first.startswith(second)))
