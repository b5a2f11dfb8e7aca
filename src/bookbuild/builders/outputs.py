"""The paths each edition writes into the output folder: the one home of the output names.

Each builder says which of them an edition of its format writes (``Builder.outputs``).
"""

from __future__ import annotations

from ..manuscript.model import Edition

HTML_FOLDER = "html"


def pdf_name(slug: str, edition: str) -> str:
    return f"{slug}-{edition}.pdf"


def imposed_name(slug: str, edition: str) -> str:
    return f"{slug}-{edition}-print.pdf"


def epub_name(slug: str) -> str:
    return f"{slug}.epub"


def output_names(edition: Edition, slug: str) -> tuple[str, ...]:
    """What ``edition`` writes: file names, and folders (ending in ``/``) it fills."""
    from .registry import builder_class

    return builder_class(edition.format).outputs(edition, slug)


def overlaps(first: str, second: str) -> bool:
    """Two outputs that would write the same path (a folder holds everything below it)."""
    return (first == second or (first.endswith("/") and second.startswith(first))
            or (second.endswith("/") and first.startswith(second)))
