"""The page map of a document WeasyPrint laid out: anchors' pages and where pages begin."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from weasyprint.document import Document, Page
from weasyprint.formatting_structure import boxes

from ..render.typography import SOFT_HYPHEN
from .pagemap import FLOW_TAGS, PageMap, PageStart, word_starts


def page_map_of(document: Document) -> PageMap:
    """Where the anchors and the pages of ``document`` fall."""
    pages: dict[str, int] = {}
    for number, page in enumerate(document.pages, start=1):
        for anchor in page.anchors:
            pages.setdefault(anchor, number)
    return PageMap(pages, len(document.pages), tuple(_page_starts(document.pages)))


def page_map_of_boxes(page_boxes: list[boxes.PageBox]) -> PageMap:
    """Where the anchors fall on pages WeasyPrint is still making (no page starts): the
    anchors :func:`page_map_of` finds, as ``Page`` gathers them (``style['anchor']``)."""
    pages: dict[str, int] = {}
    for number, page in enumerate(page_boxes, start=1):
        for anchor in box_anchors(page):
            pages.setdefault(anchor, number)
    return PageMap(pages, len(page_boxes))


def box_anchors(page: boxes.PageBox) -> set[str]:
    """The anchors on one page WeasyPrint made (``style['anchor']``, as ``Page`` has them)."""
    return {box.style["anchor"] for box in walk_boxes(page) if box.style["anchor"]}


def walk_boxes(box: boxes.Box) -> Iterator[boxes.Box]:
    """``box`` and every box under it, footnote areas and out-of-flow boxes included
    (``all_children``, as WeasyPrint gathers anchors), in no particular order."""
    stack = [box]
    while stack:
        box = stack.pop()
        yield box
        stack.extend(box.all_children())


def _page_starts(pages: list[Page]) -> Iterator[PageStart]:
    """For each page, the element and word its text begins with (blank pages: the next one's).

    Words are counted in each element's own text (text inside a nested flow element that
    has an id counts for that element), as the source text has them: generated content
    (``::before``, ``::after``, list markers) is not counted, a line break at a space
    separates words, and a word broken across lines or pages (at a hyphen) counts once.
    """
    words: Counter[str] = Counter()  # words seen so far per element
    last_text: dict[str, str] = {}  # per element, the text of its previous run
    pending: list[int] = []
    for number, page in enumerate(pages, start=1):
        first: tuple[str, int] | None = None
        for owner, text, line_start in _text_runs(page._page_box):
            if not text:
                continue
            continues = _continues(last_text.get(owner, ""), text, line_start)
            if first is None and text.strip():
                first = (owner, words[owner])
            words[owner] += len(word_starts(text, continues)[0])
            last_text[owner] = text
        if first is None:
            pending.append(number)
            continue
        for blank in pending:
            yield PageStart(blank, first[0], first[1])
        pending.clear()
        yield PageStart(number, first[0], first[1])
    for blank in pending:  # trailing blank pages stand after the last text
        yield PageStart(blank, "", -1)


HYPHENS = ("\u2010", "-", "\u2011", SOFT_HYPHEN)
DASHES = ("\u2013", "\u2014")


def _continues(previous: str, text: str, line_start: bool) -> bool:
    """Whether ``text`` goes on with the word ``previous`` ended in."""
    if not previous or previous[-1].isspace() or text[:1].isspace():
        return False
    if not line_start:
        return True
    # a new line: the space it broke at was dropped; only a break after a hyphen, or after
    # a dash glued to its word (1953–55), splits a word
    if previous.endswith(HYPHENS):
        return True
    return previous.endswith(DASHES) and len(previous) > 1 and not previous[-2].isspace()


def _text_runs(box: object, owner: str = "",
               line_start: bool = False) -> Iterator[tuple[str, str, bool]]:
    """(owning flow element id, text, first on its line) of a page's text boxes, in order.

    Generated content (pseudo-elements) and margin boxes are left out.
    """
    if isinstance(box, boxes.MarginBox) or "::" in (getattr(box, "element_tag", "") or ""):
        return
    element = getattr(box, "element", None)
    tag = getattr(box, "element_tag", "")
    if element is not None and tag in FLOW_TAGS and element.get("id"):
        owner = element.get("id")
    if isinstance(box, boxes.TextBox):
        yield owner, box.text.replace(SOFT_HYPHEN, ""), line_start
        return
    first = isinstance(box, boxes.LineBox) or line_start
    for child in getattr(box, "children", ()):
        for run in _text_runs(child, owner, first):
            first = False
            yield run


def printed_page_refs(document: Document) -> dict[str, str]:
    """Link target → the page number the layout printed for it (``attr(data-page)``).

    A link's number counts as printed when generated content of the link (``::before``,
    ``::after``) shows its ``data-page``; a layout that shows none prints no page numbers.
    """
    found: dict[str, str] = {}
    for page in document.pages:
        for box in page._page_box.descendants():
            tag = getattr(box, "element_tag", "") or ""
            if not tag.endswith(("::after", "::before")) or isinstance(box, boxes.TextBox):
                continue
            element = getattr(box, "element", None)
            if element is None:
                continue
            shown = element.get("data-page")
            if shown and shown in _text_of(box):
                found.setdefault(element.get("href", "").removeprefix("#"), shown)
    return found


def _text_of(box: object) -> str:
    if isinstance(box, boxes.TextBox):
        return str(box.text)
    return "".join(_text_of(child) for child in getattr(box, "children", ()))
