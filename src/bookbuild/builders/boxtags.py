"""Which box of WeasyPrint's layout each element of its PDF tag tree stands for.

WeasyPrint tags each page on its own: it walks the page's boxes and makes one structure
element per box (``weasyprint.pdf.tags``). The file does not say which HTML element an
element came from, so a paragraph split over two pages is two unrelated ``P`` elements.
The layout does say it: both halves are boxes of the same HTML element. Here the page's
boxes are walked the way WeasyPrint walks them, side by side with the elements it wrote,
and every element gets its :class:`Origin`. Where the two walks disagree (a WeasyPrint
that tags differently) the page gets no origins, and nothing is corrected on it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pikepdf
from weasyprint.formatting_structure import boxes
from weasyprint.layout.absolute import AbsolutePlaceholder
from weasyprint.pdf.tags import _get_pdf_tag

__all__ = ["Origin", "PageElements", "origins", "page_elements"]


@dataclass(frozen=True, slots=True)
class Origin:
    """The box a structure element was made from."""

    key: tuple[int, str]  # the HTML element (by identity) and the box's tag ("a::after")
    tag: str  # the HTML tag the box lays out: "p", "dt", "a::after" …
    leader: bool = False  # a ``leader()`` of generated content (dots before a page number)
    run: bool = False  # the Span WeasyPrint makes for one text run (one line of a box)


@dataclass(slots=True)
class _Node:
    """An element WeasyPrint makes for a box (``origin`` is None for a widget's Form)."""

    s: str
    origin: Origin | None
    kids: list[_Node] = field(default_factory=list)


PageElements = tuple[_Node, ...]  # the elements WeasyPrint makes for one page's boxes


def page_elements(pages: Sequence[Any]) -> tuple[PageElements, ...]:
    """For each laid-out page (``Document.pages``), the elements WeasyPrint tags it with,
    each with the box it stands for: what :func:`origins` needs of the layout, no box."""
    return tuple(tuple(_walk(page._page_box, "Document")) for page in pages)


def origins(pdf: pikepdf.Pdf, pages: Sequence[PageElements]
            ) -> dict[tuple[int, int], Origin]:
    """Structure element (object number) → the box it stands for, on every page.

    ``pages`` are the walks of the laid-out pages that were written (:func:`page_elements`).
    """
    root = pdf.Root.get("/StructTreeRoot")
    if root is None or len(pages) != len(pdf.pages):
        return {}
    document = root.K[0] if isinstance(root.K, pikepdf.Array) else root.K
    page_of: dict[Any, int] = {
        page.objgen: number for number, page in enumerate(pdf.pages)}
    written: list[list[pikepdf.Dictionary]] = [[] for _ in pages]
    for kid in _elements(document.get("/K")):
        number = page_of.get(kid.Pg.objgen) if "/Pg" in kid else None
        if number is not None:
            written[number].append(kid)
    found: dict[tuple[int, int], Origin] = {}
    for laid, elements in zip(pages, written, strict=True):
        matched: dict[tuple[int, int], Origin] = {}
        if _match(laid, elements, matched):
            found.update(matched)
    return found


def _elements(k: object) -> Iterator[pikepdf.Dictionary]:
    """The structure elements among the kids ``k`` (not marked content, not OBJR)."""
    items = k if isinstance(k, pikepdf.Array) else [k]
    for item in items:
        if isinstance(item, pikepdf.Dictionary) and "/S" in item:
            yield item


def _match(laid: Sequence[_Node], written: list[pikepdf.Dictionary],
           out: dict[tuple[int, int], Origin]) -> bool:
    if len(laid) != len(written):
        return False
    for node, element in zip(laid, written, strict=True):
        if str(element.S) != f"/{node.s}":
            return False
        if node.origin is not None:
            out[element.objgen] = node.origin
        if not _match(node.kids, list(_elements(element.get("/K"))), out):
            return False
    return True


def _origin(box: Any) -> Origin:
    tag = box.element_tag or ""
    return Origin((id(box.element), tag), tag, bool(getattr(box, "is_leader", False)))


def _walk(box: Any, parent: str) -> Iterator[_Node]:
    """The elements WeasyPrint's ``_build_box_tree`` makes for ``box``, in its order."""
    if isinstance(box, AbsolutePlaceholder):
        box = box._box
    element_tag = None if box.element is None else box.element_tag
    s = _get_pdf_tag(element_tag)
    if element_tag in ("html", "body") or isinstance(box, boxes.PageBox):
        if isinstance(box, boxes.ParentBox) and not isinstance(box, boxes.LineBox):
            for child in box.children:
                yield from _walk(child, parent)
            return
    elif isinstance(box, boxes.MarginBox):
        return  # tagged, but hung outside the tree
    elif s in ("TD", "TH"):
        if parent in ("TD", "TH"):
            s = "NonStruct"
    elif s == "LI":
        no_bullet = box.element_tag == "li" and (
            "list-item" not in box.style["display"] or box.style["list_style_type"] == "none")
        if parent == "LI":
            s = "LBody"
        elif parent == "LBody":
            s = "NonStruct"
        elif box.element_tag in ("dt", "dd") or no_bullet:
            yield _Node("LI", _origin(box), list(_walk(box, "LI")))
            return
    node = _Node(s, _origin(box))
    children = list(box.children) if isinstance(box, boxes.ParentBox) else []
    if s == "Table" and box.is_table_wrapper:
        table = box.get_wrapped_table()
        if table:
            children = [c for child in box.children
                        for c in (child.children if child is table else [child])]
    if box.widget_annotation:
        node.kids.append(_Node("Form", None))
    moved: list[_Node] = []  # a list nested in a list item belongs to the outer list
    for child in children:
        for grandchild in child.children if isinstance(child, boxes.LineBox) else [child]:
            if isinstance(grandchild, boxes.TextBox):
                if s != "Link":  # a link owns its text; other boxes get a Span per run
                    node.kids.append(_Node("Span", Origin((id(grandchild), "::text"), "",
                                                          run=True)))
            elif grandchild.element_tag in ("ul", "ol") and s == "LI":
                moved.extend(_walk(grandchild, parent))
            else:
                node.kids.extend(_walk(grandchild, s))
    yield node
    yield from moved

