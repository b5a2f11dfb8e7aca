"""Figures that do not fit the rest of a page go to the top of the next one, the text after
them filling the page, as page floats would (WeasyPrint has none): a figure pushed over
leaves its place to the next event or demand and is printed after it instead."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from weasyprint.document import Document
from weasyprint.formatting_structure import boxes

from ..manuscript.anchors import figure_anchor
from ..render.book import BookView
from ..render.figureview import FigureView

TOP_SLACK = 24.0  # CSS px: an anchor this close to the page's top margin starts the page
MAX_ROUNDS = 4  # layouts spent on moving figures, at most
MIN_GAP = 60.0  # CSS px (16 mm, some four lines): less left empty is not worth a move


def _order(view: BookView) -> list[str]:
    """Event and demand anchors in reading order, each part's own list apart."""
    out: list[str] = []
    for part in view.parts:
        out.extend(d.anchor for d in part.demands)
        out.extend(e.anchor for e in part.events)
        out.extend(e.anchor for g in part.groups for e in g.events)
        out.append("")  # no figure moves into the next part
    return out


def _positions(document: Document) -> dict[str, tuple[int, float]]:
    where: dict[str, tuple[int, float]] = {}
    for number, page in enumerate(document.pages, start=1):
        for anchor, position in page.anchors.items():
            where.setdefault(anchor, (number, float(position[1])))
    return where


def _top(document: Document, page: int) -> float:
    box = document.pages[page - 1]._page_box  # the content area's top edge
    return float(box.content_box_y())


def _room_left(document: Document, page: int) -> float:
    """How much of the page's content area, in CSS px, is left empty below its text."""
    page_box = document.pages[page - 1]._page_box
    bottom = float(page_box.content_box_y())
    for child in page_box.children:
        if isinstance(child, boxes.MarginBox):
            continue  # running heads and folios
        for box in child.descendants():
            if isinstance(box, boxes.LineBox | boxes.ReplacedBox):
                bottom = max(bottom, float(box.position_y + box.margin_height()))
    return float(page_box.content_box_y() + page_box.height) - bottom


def _pushed(view: BookView, document: Document) -> list[FigureView]:
    """Figures standing at the top of a page while their event or demand begins on the one
    before: the rest of that page was left empty for want of room."""
    where = _positions(document)
    out = []
    for figure in view.figures:
        own, owner = where.get(figure.anchor), where.get(figure.owner)
        if own is None or owner is None or owner[0] != own[0] - 1:
            continue
        if own[1] - _top(document, own[0]) <= TOP_SLACK \
                and _room_left(document, owner[0]) > MIN_GAP:
            out.append(figure)
    return out


def settle_figures(view: BookView, document: Document,
                   relayout: Callable[[BookView], Document]) -> tuple[BookView, Document]:
    """``view`` with every pushed figure moved after the next event or demand, laid out
    again, until the page before it is filled; a move that would put a figure further than
    the page after its own event's is not made."""
    order = _order(view)
    first = _positions(document)
    limit = {f.figure.id: first.get(f.owner, (0, 0.0))[0] + 1 for f in view.figures}
    for _round in range(MAX_ROUNDS):
        moved = {}
        for figure in _pushed(view, document):
            index = order.index(figure.owner) if figure.owner in order else -1
            if 0 <= index < len(order) - 1 and order[index + 1]:
                moved[figure.figure.id] = order[index + 1]
        if not moved:
            break
        candidate = replace(view, figures=tuple(
            replace(f, owner=moved.get(f.figure.id, f.owner)) for f in view.figures))
        laid = relayout(candidate)
        where = _positions(laid)
        if any(where.get(figure_anchor(fid), (10**6, 0.0))[0] > limit[fid] for fid in moved):
            break
        view, document = candidate, laid
    return view, document
