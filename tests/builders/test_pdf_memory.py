"""The PDF edition's memory: WeasyPrint's layout (every page's boxes, the largest thing a
build holds) is let go before the written PDF is opened again to put its tags right."""

from __future__ import annotations

import io
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import EPOCH, VALID

pytestmark = pytest.mark.slow


def _walked(value: Any) -> Iterator[Any]:
    """``value`` and everything inside it, through tuples, lists and the walk's nodes."""
    from bookbuild.builders.boxtags import Origin

    yield value
    if isinstance(value, tuple | list):
        for item in value:
            yield from _walked(item)
    elif hasattr(value, "kids") and hasattr(value, "origin"):
        yield from _walked(value.origin)
        yield from _walked(value.kids)
    elif isinstance(value, Origin):
        yield from _walked(value.key)


def test_the_layout_is_gone_when_the_pdf_is_put_right(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When finish_pdf opens the file, no Document and no page box of any layout of the
    edition is alive (not even through what finish_pdf is given), and what it is given
    still traces the file's tags to their boxes, page by page."""
    import pikepdf
    import weasyprint.document
    from weasyprint.formatting_structure import boxes

    from bookbuild.builders import pdftags
    from bookbuild.builders.boxtags import origins
    from bookbuild.builders.pdf import PdfBuilder
    from bookbuild.commands.build import build

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    layouts: list[weakref.ref[Any]] = []
    page_boxes: list[weakref.ref[Any]] = []
    last_pages: list[int] = []
    real_layout, real_finish = PdfBuilder.layout, pdftags.finish_pdf

    def layout(self: PdfBuilder, job: Any, html: str) -> Any:
        document = real_layout(self, job, html)
        layouts.append(weakref.ref(document))
        page_boxes.extend(weakref.ref(page._page_box) for page in document.pages)
        last_pages[:] = [len(document.pages)]
        return document

    seen: list[int] = []

    def finish(path: Path, descriptions: dict[str, str], html: str = "",
               pages: Any = ()) -> None:
        assert layouts and all(ref() is None for ref in layouts), "a layout is still alive"
        assert all(ref() is None for ref in page_boxes), "a page's boxes are still alive"
        given = list(_walked(pages))
        assert not any(isinstance(v, boxes.Box | weasyprint.document.Page) for v in given)
        seen.append(len(pages))
        with pikepdf.open(path) as pdf:
            seen.append(len(origins(pdf, pages)))
        real_finish(path, descriptions, html, pages)

    monkeypatch.setattr(PdfBuilder, "layout", layout)
    monkeypatch.setattr(pdftags, "finish_pdf", finish)
    build(VALID, editions=["booklet"], out=tmp_path / "out", err=io.StringIO(), jobs=1)
    assert len(layouts) >= 2  # placeholders first, then the numbers of that layout
    walks, traced = seen
    assert walks == last_pages[0] > 1  # a walk for every page written
    assert traced > walks  # elements traced to their boxes on the pages


def _booklet(out: Path) -> bytes:
    from bookbuild.commands.build import build

    build(VALID, editions=["booklet"], out=out, err=io.StringIO(), jobs=1)
    return next(out.glob("*-booklet.pdf")).read_bytes()


def test_a_laid_out_document_keeps_no_layout_state_and_prints_the_same(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The timeline (an SVG) kept WeasyPrint's layout context, and with it every element's
    computed styles: released once the document is laid out; the PDF's bytes are those of
    a layout that keeps all (no release, every pseudo-element style kept)."""
    import gc

    from weasyprint.css import StyleFor
    from weasyprint.css.targets import TargetCollector
    from weasyprint.formatting_structure import boxes
    from weasyprint.images import SVGImage

    from bookbuild.builders import layoutstate
    from bookbuild.builders.pdf import PdfBuilder

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    real_layout = PdfBuilder.layout
    kept: list[tuple[int, int]] = []

    def layout(self: PdfBuilder, job: Any, html: str) -> Any:
        document = real_layout(self, job, html)
        svgs = [b for p in document.pages for b in p._page_box.descendants()
                if isinstance(b, boxes.ReplacedBox) and isinstance(b.replacement, SVGImage)]
        gc.collect()
        state = [o for o in gc.get_objects() if isinstance(o, StyleFor | TargetCollector)]
        kept.append((len(svgs), len(state)))
        return document

    monkeypatch.setattr(PdfBuilder, "layout", layout)
    released = _booklet(tmp_path / "released")
    assert kept and all(svgs > 0 and state == 0 for svgs, state in kept), kept
    monkeypatch.setattr(layoutstate, "release_layout_state", lambda document: 0)
    monkeypatch.setattr(layoutstate, "drop_unused_pseudo_styles", lambda style_for, root: 0)
    kept.clear()
    assert _booklet(tmp_path / "kept") == released
    assert kept and all(state > 0 for _svgs, state in kept)  # what is released without it


def test_only_the_pseudo_element_styles_no_box_can_ask_for_are_dropped() -> None:
    """The universal pseudo-elements' styles (::marker, ::footnote-call …) are kept for
    list items (and an element whose ::before is one), footnotes and notes, dropped for
    the rest and inside display: none; the PDF is the one WeasyPrint makes alone."""
    import weasyprint

    from bookbuild.builders import layoutstate
    from bookbuild.render.fonts import font_face_css

    html = (f'<html lang="en"><head><style>{font_face_css()} body {{ font-family: "BB Serif" }}'
            " @page { size: A6 } .fn { float: footnote } .note { position: note(side) }"
            " .item { display: list-item; list-style: square inside }"
            " p.b::before { content: 'x'; display: list-item; list-style: disc inside }"
            " li::marker, p.b::marker { color: red } .fn::footnote-call { color: blue }"
            " .fn::footnote-marker { color: green } .hidden { display: none }</style></head>"
            "<body><ul><li id='k1'>one</li><li id='k2'>two</li></ul>"
            "<div class='item' id='k3'>an item</div><p class='b' id='k4'>before is an item</p>"
            "<p>text<span class='fn' id='k5'>a footnote</span> more</p>"
            "<p>a note<span class='note' id='k6'>the note</span></p>"
            "<div class='hidden'><ul><li>hidden</li></ul></div><p>plain <em>text</em></p>"
            "</body></html>")
    alone = weasyprint.HTML(string=html).write_pdf()
    real = layoutstate.drop_unused_pseudo_styles
    left: list[set[str]] = []

    def drop(style_for: Any, root: Any) -> int:
        dropped = real(style_for, root)
        left.append({str(element.get("id", element.tag)) for element, pseudo
                     in style_for._computed_styles if pseudo in layoutstate.UNIVERSAL_PSEUDO})
        assert dropped > 6 * 10
        return dropped

    try:
        layoutstate.drop_unused_pseudo_styles = drop
        lean = layoutstate.render(html).write_pdf()
    finally:
        layoutstate.drop_unused_pseudo_styles = real
    assert left == [{"k1", "k2", "k3", "k4", "k5", "k6"}]
    assert lean == alone
