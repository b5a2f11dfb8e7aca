"""Saddle-stitch imposition: two A5 pages per side of an A4 landscape sheet.

The booklet PDF (one A5 page per PDF page, read order 1..N) becomes a PDF of
A4 landscape sheet sides in print order: sheet 1 front, sheet 1 back, sheet 2
front, ... Printed duplex with "flip on short edge", stacked and folded in the
middle, the sheets read 1..N. The back sides are not rotated: with short-edge
flipping the printer turns them itself.

Page numbers here are 0-based PDF page indexes; ``None`` is a blank padding
page (the book is padded at the end, after its last page, to a multiple of
four pages).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from typing import cast

from pypdf import PageObject, PdfReader, PdfWriter, Transformation
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    EncodedStreamObject,
    FloatObject,
    IndirectObject,
    NameObject,
    PdfObject,
    StreamObject,
)

__all__ = [
    "A4_LANDSCAPE",
    "A5_PORTRAIT",
    "MM",
    "ImpositionError",
    "SheetSides",
    "impose_saddle_stitch",
    "saddle_stitch_order",
]

MM = 72 / 25.4
"""One millimetre in PDF points."""

A4_LANDSCAPE: tuple[float, float] = (297 * MM, 210 * MM)
"""A4 landscape (width, height) in points: 841.89 x 595.28."""

A5_PORTRAIT: tuple[float, float] = (148 * MM, 210 * MM)
"""A5 portrait (width, height) in points: 419.53 x 595.28."""

Pair = tuple[int | None, int | None]
SheetSides = tuple[Pair, Pair]
"""One sheet: ((front-left, front-right), (back-left, back-right))."""

# Source pages within this many points of the half sheet are placed 1:1.
_SIZE_TOLERANCE = 1.0


class ImpositionError(ValueError):
    """The source PDF cannot be imposed (unreadable, empty, encrypted...)."""


def saddle_stitch_order(page_count: int) -> list[SheetSides]:
    """The pages on each sheet of a saddle-stitched booklet of ``page_count`` pages.

    For each sheet (outermost first) returns ``((front_left, front_right),
    (back_left, back_right))`` as 0-based page indexes, ``None`` for a blank
    padding page. The book is padded at the end to ``N``, a multiple of four;
    sheet ``i`` then carries ``(N-1-2i, 2i)`` on its front and ``(2i+1, N-2-2i)``
    on its back. Zero pages give no sheets.
    """
    if page_count < 0:
        raise ValueError(f"page_count must not be negative, got {page_count}")
    padded = -(-page_count // 4) * 4

    def page(index: int) -> int | None:
        return index if index < page_count else None

    return [
        (
            (page(padded - 1 - 2 * i), page(2 * i)),
            (page(2 * i + 1), page(padded - 2 - 2 * i)),
        )
        for i in range(padded // 4)
    ]


def impose_saddle_stitch(
    src: bytes | Path,
    *,
    sheet: tuple[float, float] = A4_LANDSCAPE,
    title: str | None = None,
) -> bytes:
    """Impose the booklet PDF ``src`` for saddle stitching; return the new PDF's bytes.

    ``sheet`` is the (width, height) of a sheet side in points; each half holds
    one source page. Source pages the size of a half sheet (A5 on A4) are placed
    1:1; others (after their /Rotate) are scaled uniformly to fit the half and
    centred. The source's document information (/Title, /Author, ...) is kept;
    ``title`` replaces /Title. Links and other annotations are dropped.

    Each source page becomes one form XObject drawn on its sheet side, so its
    content stream is neither parsed nor duplicated, and fonts and images stay
    shared. The output is deterministic: the same input gives the same bytes.
    """
    sheet_width, sheet_height = float(sheet[0]), float(sheet[1])
    if not (sheet_width > 0 and sheet_height > 0):
        raise ValueError(f"sheet size must be positive, got {sheet!r}")
    half_width = sheet_width / 2

    data = _without_structure(src.read_bytes() if isinstance(src, Path) else src)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ImpositionError("the source PDF is encrypted")
        pages = list(reader.pages)
    except ImpositionError:
        raise
    except Exception as exc:  # pypdf raises a variety of errors on broken input
        raise ImpositionError(f"cannot read the source PDF: {exc}") from exc
    if not pages:
        raise ImpositionError("the source PDF has no pages")

    writer = PdfWriter()
    writer.pdf_header = reader.pdf_header
    for front, back in saddle_stitch_order(len(pages)):
        for left, right in (front, back):
            side = writer.add_blank_page(sheet_width, sheet_height)
            xobjects = DictionaryObject()
            content: list[str] = []
            for slot, index in enumerate((left, right)):
                if index is None:
                    continue
                name = f"/Page{index + 1}"
                form, ctm = _as_form(
                    writer, pages[index], slot * half_width, half_width, sheet_height
                )
                xobjects[NameObject(name)] = form
                matrix = " ".join(_number(v) for v in ctm)
                content.append(f"q {matrix} cm {name} Do Q")
            if content:
                side[NameObject("/Resources")] = DictionaryObject(
                    {NameObject("/XObject"): xobjects}
                )
                side.replace_contents(_flate("\n".join(content).encode("ascii")))

    _set_metadata(writer, reader.metadata or {}, title)
    # Objects reached from several pages are cloned once already; this also merges
    # identical copies (e.g. equal /ExtGState dictionaries) and drops orphans.
    writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)

    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# what the imposed sheets do not keep: the tags, the outline, links and named targets
_DROPPED_FROM_ROOT = ("/StructTreeRoot", "/MarkInfo", "/Outlines", "/Names", "/Dests",
                      "/Metadata", "/ViewerPreferences")
_DROPPED_FROM_PAGES = ("/StructParents", "/Annots", "/Tabs")


def _without_structure(data: bytes) -> bytes:
    """The PDF without what imposition drops anyway, its objects out of object streams.

    A tagged PDF holds thousands of structure objects in object streams, which pypdf
    parses all at once, in Python; qpdf (pikepdf) removes them in a fraction of that
    time, and the pages, their resources and the document information stay as they
    are (streams are copied, not decoded). Input qpdf cannot read is passed on as it is,
    for pypdf to report.
    """
    import pikepdf

    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            if pdf.is_encrypted:
                return data
            for key in _DROPPED_FROM_ROOT:
                if key in pdf.Root:
                    del pdf.Root[key]
            for page in pdf.pages:
                for key in _DROPPED_FROM_PAGES:
                    if key in page.obj:
                        del page.obj[key]
            out = io.BytesIO()
            pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.disable,
                     stream_decode_level=pikepdf.StreamDecodeLevel.none,
                     normalize_content=False, compress_streams=False, deterministic_id=True)
            return out.getvalue()
    except pikepdf.PdfError:
        return data


def _as_form(
    writer: PdfWriter, page: PageObject, x0: float, width: float, height: float
) -> tuple[IndirectObject, tuple[float, float, float, float, float, float]]:
    """``page`` as a form XObject in ``writer``, and the matrix placing it in a box.

    The box is ``width`` x ``height`` at ``(x0, 0)``. The page's crop box (the
    visible page, turned by its /Rotate) is placed 1:1 when it is the size of
    the box, otherwise scaled uniformly to fit and centred.
    """
    box = page.cropbox
    left, bottom, right, top = (float(v) for v in (box.left, box.bottom, box.right, box.top))
    turn = Transformation().rotate(-(page.rotation % 360))  # /Rotate turns clockwise
    corners = [turn.apply_on((x, y)) for x in (left, right) for y in (bottom, top)]
    xs = [x for x, _ in corners]
    ys = [y for _, y in corners]
    page_width, page_height = max(xs) - min(xs), max(ys) - min(ys)
    if not (page_width > 0 and page_height > 0):
        raise ImpositionError("a source page has an empty crop box")

    fits = (
        abs(page_width - width) <= _SIZE_TOLERANCE and abs(page_height - height) <= _SIZE_TOLERANCE
    )
    scale = 1.0 if fits else min(width / page_width, height / page_height)
    dx = x0 + (width - page_width * scale) / 2
    dy = (height - page_height * scale) / 2
    ctm = turn.translate(-min(xs), -min(ys)).scale(scale, scale).translate(dx, dy).ctm

    contents = page.get("/Contents")
    parts = contents.get_object() if contents is not None else None
    streams = parts if isinstance(parts, ArrayObject) else [parts] if parts is not None else []
    data = b"\n".join(cast(StreamObject, s.get_object()).get_data() for s in streams)
    form = _flate(data)
    form.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject(FloatObject(v) for v in (left, bottom, right, top)),
        }
    )
    resources = page.get("/Resources")
    if resources is not None:
        # Cloning goes through the writer's table of cloned objects, so a font
        # used on every page is written once.
        form[NameObject("/Resources")] = resources.clone(writer)
    if "/Group" in page:
        form[NameObject("/Group")] = page["/Group"].clone(writer)
    # pypdf has no public call that adds a new indirect object to a writer.
    return writer._add_object(form), ctm


def _flate(data: bytes) -> EncodedStreamObject:
    """A new Flate-compressed stream holding ``data``."""
    stream = DecodedStreamObject()
    stream.set_data(data)
    return stream.flate_encode()


def _number(value: float) -> str:
    """``value`` for a content stream: fixed-point, no exponent, no trailing zeros."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _set_metadata(writer: PdfWriter, info: Mapping[str, object], title: str | None) -> None:
    """Copy the source's document information (text entries); ``title`` replaces /Title.

    Nothing is added from the clock, so the output stays deterministic.
    """
    entries: dict[str, str] = {"/Producer": "pypdf"}
    for key, raw in info.items():
        value = raw.get_object() if isinstance(raw, PdfObject) else raw
        if isinstance(value, str) and value:
            entries[key] = value
    if title is not None:
        entries["/Title"] = title
    writer.metadata = entries
