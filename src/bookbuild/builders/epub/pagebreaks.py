"""Page-break markers: where the booklet's pages begin, marked in the EPUB's documents.

The booklet's own layout (``job.follows``, as the plan gives it) says on which word of
which element each printed page begins. The booklet's HTML as it was laid out comes with
it; its words are counted by the page map's own rule (:func:`..pagemap.word_starts`,
:class:`PrintText`); each place is then found in the EPUB's documents (:class:`EpubText`)
and a ``doc-pagebreak`` marker put there.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from lxml import etree

from ...render.typography import SOFT_HYPHEN
from ..base import BuildJob
from ..pagemap import FLOW_TAGS, PageStart, PrintedPages, word_starts
from .documents import Rendered
from .xhtml import EPUB_TYPE, SVG_NS, XHTML_NS, local_name, parse

#: Print pages the content documents do not hold, and the documents that show them
#: instead: the printed cover is the cover page, the printed contents the navigation.
PRINT_ONLY: dict[str, str] = {"cover": "cover.xhtml", "toc": "nav.xhtml"}


def place_page_markers(job: BuildJob, documents: Sequence[Rendered]) -> list[tuple[int, str]]:
    """Mark the booklet's pages in ``documents``; the page-list (none without a booklet).

    A page that begins with the printed cover or contents is listed in the document of
    :data:`PRINT_ONLY`; :func:`mark_page` marks it there once that document is rendered.
    """
    printed = job.follows
    if printed is None or not printed.page_map.starts:
        return []
    return insert_page_markers(printed_root(printed), documents, printed.page_map.starts,
                               PRINT_ONLY)


def mark_page(root: etree._Element, element_id: str, page: int) -> None:
    """Put the marker of ``page`` right before the element ``element_id`` of ``root``.

    Before, not inside: the navigation's ``toc`` nav allows only its heading and list.
    """
    element = next((e for e in root.iter(f"{{{XHTML_NS}}}*") if e.get("id") == element_id),
                   None)
    parent = element.getparent() if element is not None else None
    if element is None or parent is None:
        return
    k = parent.index(element)
    if k == 0:
        _insert_marker(parent, False, len(parent.text or ""), page)
    else:
        _insert_marker(parent[k - 1], True, len(parent[k - 1].tail or ""), page)


# ---------------------------------------------------------------- the booklet


def printed_root(printed: PrintedPages) -> etree._Element:
    """The booklet's HTML as laid out: the later documents' elements put in by id."""
    root = parse(printed.html[0])
    by_id = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str)
             and el.get("id")}
    for html in printed.html[1:]:
        body = next(parse(html).iter(f"{{{XHTML_NS}}}body"))
        for element in body:
            old = by_id.get(element.get("id")) if isinstance(element.tag, str) else None
            if old is not None:
                old.getparent().replace(old, element)
    return root


# ---------------------------------------------------------------- places in the text

HOIST_TAGS = frozenset({"a", "span", "em", "strong", "b", "i", "sup", "sub",
                        "h1", "h2", "h3", "h4", "h5", "h6"})
LIST_TAGS = frozenset({"ol", "ul", "dl", "table", "tbody", "thead", "tr"})

# a place in the text: (element, -1) is the element's text, (element, k) the tail of child k
Slot = tuple[etree._Element, int]


@dataclass(frozen=True)
class Position:
    """A character offset in a text slot of a parsed document."""

    container: etree._Element
    index: int
    offset: int


def _walkable(element: etree._Element) -> bool:
    """Elements whose text is laid out as text (not SVG drawings, comments or PIs)."""
    return isinstance(element.tag, str) and not element.tag.startswith(f"{{{SVG_NS}}}")


def _slot_text(container: etree._Element, index: int) -> str:
    return (container.text if index < 0 else container[index].tail) or ""


def _slots(element: etree._Element) -> Iterator[Slot]:
    """The text slots inside ``element`` in document order."""
    yield element, -1
    for k, child in enumerate(element):
        if _walkable(child):
            yield from _slots(child)
        yield element, k


def _plain_offset(text: str, raw: int) -> int:
    return raw - text[:raw].count(SOFT_HYPHEN)


def _raw_offset(text: str, plain: int) -> int:
    """The index in ``text`` of its ``plain``-th character not counting soft hyphens."""
    seen = 0
    for index, char in enumerate(text):
        if char == SOFT_HYPHEN:
            continue
        if seen == plain:
            return index
        seen += 1
    return len(text)


class PrintText:
    """The booklet's HTML, with the words of each element counted as its page map counts them.

    An element's words are those of its own text: text inside a nested flow element
    that has an id belongs to that element (see ``pagemap._page_starts``).
    """

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self.body = next(root.iter(f"{{{XHTML_NS}}}body"), root)
        self.by_id = {el.get("id"): el for el in self.body.iter() if isinstance(el.tag, str)
                      and el.get("id")}
        self.order = [el.get("id") or "" for el in self.body.iter()
                      if isinstance(el.tag, str) and el.get("id")]
        self.words: dict[str, list[Position]] = {}
        self.ends: dict[str, Position] = {}
        self._count(self.body, "", {})

    def _count(self, element: etree._Element, owner: str, in_word: dict[str, bool]) -> None:
        if local_name(element) in FLOW_TAGS and element.get("id"):
            owner = element.get("id") or ""
        self._visit(element, -1, owner, in_word)
        for k, child in enumerate(element):
            if _walkable(child):
                self._count(child, owner, in_word)
            self._visit(element, k, owner, in_word)

    def _visit(self, container: etree._Element, index: int, owner: str,
               in_word: dict[str, bool]) -> None:
        text = _slot_text(container, index)
        if not owner:
            return
        offsets, in_word[owner] = word_starts(text, in_word.get(owner, False))
        self.words.setdefault(owner, []).extend(
            Position(container, index, offset) for offset in offsets)
        self.ends[owner] = Position(container, index, len(text))

    def position(self, start: PageStart) -> Position | None:
        """Where the booklet's page ``start`` begins, in this HTML."""
        starts = self.words.get(start.element, [])
        if 0 <= start.word < len(starts):
            return starts[start.word]
        return self.ends.get(start.element)

    def following(self, element_id: str) -> Iterator[str]:
        """The ids after ``element_id`` in document order."""
        if element_id in self.by_id:
            yield from self.order[self.order.index(element_id) + 1:]


class EpubText:
    """The EPUB's content documents, addressed by id."""

    def __init__(self, documents: Sequence[Rendered]) -> None:
        self.documents = documents
        self.by_id: dict[str, etree._Element] = {}
        for rendered in documents:
            for element in rendered.root.iter():
                if isinstance(element.tag, str) and element.get("id"):
                    self.by_id.setdefault(element.get("id") or "", element)

    def start_of(self, element: etree._Element) -> Position:
        """Before the first word of ``element`` (or at its start when it has none)."""
        for container, index in _slots(element):
            text = _slot_text(container, index)
            for offset, char in enumerate(text):
                if not char.isspace() and char != SOFT_HYPHEN:
                    return _hoisted(Position(container, index, offset))
        return Position(element, -1, 0)

    def end(self) -> Position:
        """After the last text of the last document."""
        body = next(self.documents[-1].root.iter(f"{{{XHTML_NS}}}body"))
        last = body[-1] if len(body) else body
        return Position(last, len(last) - 1, len(_slot_text(last, len(last) - 1)))

    def translate(self, where: Position) -> Position | None:
        """The place in the EPUB of a place in the booklet's HTML (``None``: not found).

        It is found in the nearest enclosing element with an id that both have, at the
        same character offset in its text (soft hyphens and drawings left out; an index
        entry's page numbers, which differ, count as one unit each). In page numbers,
        the link to the same mention is taken.
        """
        element: etree._Element | None = where.container
        while element is not None and (element.get("id") or "") not in self.by_id:
            element = element.getparent()
        if element is None:
            return None
        target = self.by_id[element.get("id") or ""]
        offset, opaque = 0, 0
        for run in _runs(element):
            if isinstance(run, tuple):
                if run == (where.container, where.index):
                    text = _slot_text(*run)
                    return _seek(target, offset + _plain_offset(text, where.offset))
                offset += len(_slot_text(*run).replace(SOFT_HYPHEN, ""))
                continue
            if _contains(run, where.container):
                return self._locator(run, where, _nth_opaque(target, opaque))
            opaque += 1
        return None

    def _locator(self, printed: etree._Element, where: Position,
                 target: etree._Element | None) -> Position | None:
        """In an index entry's page numbers: before the link to the same mention."""
        if target is None:
            return None
        links = list(printed.iter(f"{{{XHTML_NS}}}a"))
        chosen = next((a for a in links if _contains(a, where.container)
                       or _precedes(where, a)), None)
        fragment = (chosen.get("href") or "").rpartition("#")[2] if chosen is not None else ""
        for link in target.iter(f"{{{XHTML_NS}}}a"):
            if fragment and (link.get("href") or "").endswith(f"#{fragment}"):
                return self.start_of(link)
        return self.start_of(target)


OPAQUE_CLASS = "locators"  # text that differs between the booklet and the EPUB


def _opaque(element: etree._Element) -> bool:
    return OPAQUE_CLASS in (element.get("class") or "").split()


def _runs(element: etree._Element) -> Iterator[Slot | etree._Element]:
    """The text slots inside ``element`` in document order; an opaque element as itself."""
    yield element, -1
    for k, child in enumerate(element):
        if _walkable(child):
            if _opaque(child):
                yield child
            else:
                yield from _runs(child)
        yield element, k


def _contains(ancestor: etree._Element, element: etree._Element) -> bool:
    node: etree._Element | None = element
    while node is not None:
        if node is ancestor:
            return True
        node = node.getparent()
    return False


def _nth_opaque(element: etree._Element, n: int) -> etree._Element | None:
    found = [run for run in _runs(element) if not isinstance(run, tuple)]
    return found[n] if n < len(found) else None


def _seek(element: etree._Element, offset: int) -> Position:
    """The place ``offset`` characters into the text of ``element`` (as :func:`_runs` reads it)."""
    last: Position | None = None
    for run in _runs(element):
        if not isinstance(run, tuple):
            continue
        text = _slot_text(*run)
        length = len(text.replace(SOFT_HYPHEN, ""))
        if offset < length:
            return _hoisted(Position(run[0], run[1], _raw_offset(text, offset)))
        offset -= length
        last = Position(run[0], run[1], len(text))
    return last if last is not None else Position(element, -1, 0)


def _precedes(where: Position, element: etree._Element) -> bool:
    """Whether ``where`` is a text slot of ``element``'s parent that stands before it."""
    parent = element.getparent()
    return parent is not None and where.container is parent \
        and where.index < parent.index(element)


def _blank(text: str) -> bool:
    return not text.replace(SOFT_HYPHEN, "").strip()


def _hoisted(position: Position) -> Position:
    """Move a place at the very start of a heading or inline element to just before it.

    A marker inside a heading would become part of its name, and one inside a link
    part of the link; a block (paragraph, list item) keeps the marker at its start.
    """
    while position.index < 0 and _blank(_slot_text(position.container, -1)[:position.offset]):
        element = position.container
        parent = element.getparent()
        if (local_name(element) not in HOIST_TAGS or parent is None
                or local_name(parent) in LIST_TAGS):
            break
        k = parent.index(element)
        if k == 0:
            position = Position(parent, -1, len(parent.text or ""))
        else:
            position = Position(parent, k - 1, len(parent[k - 1].tail or ""))
    return position


def insert_page_markers(print_root: etree._Element, documents: Sequence[Rendered],
                        starts: Sequence[PageStart],
                        elsewhere: dict[str, str] | None = None) -> list[tuple[int, str]]:
    """Put a page-break marker where each booklet page begins; the page-list, in page order.

    A page that begins with an element of ``elsewhere`` (id → document) is listed in
    that document and not marked here. Any other page whose text the EPUB does not have
    goes to the start of the first element after it that the EPUB has.
    """
    printed = PrintText(print_root)
    book = EpubText(documents)
    elsewhere = elsewhere or {}
    places: list[tuple[int, Position]] = []
    listed: dict[int, str] = {}
    for start in sorted(starts, key=lambda s: s.page):
        if start.element in elsewhere and start.element not in book.by_id:
            listed[start.page] = elsewhere[start.element]
            continue
        places.append((start.page, _place(printed, book, start)))
    owner = {id(r.root): r.doc.name for r in documents}
    page_list = sorted([(page, owner[id(where.container.getroottree().getroot())])
                        for page, where in places] + list(listed.items()))
    # a tail is addressed by its element, not by its index: markers shift the indices
    groups: dict[tuple[int, bool], list[tuple[int, int, etree._Element, bool]]] = {}
    for page, where in places:
        tail = where.index >= 0
        node = where.container[where.index] if tail else where.container
        groups.setdefault((id(node), tail), []).append((where.offset, page, node, tail))
    for group in groups.values():
        for offset, page, node, tail in sorted(group, key=lambda g: (g[0], g[1]), reverse=True):
            _insert_marker(node, tail, offset, page)
    return page_list


def _place(printed: PrintText, book: EpubText, start: PageStart) -> Position:
    if not start.element:
        return book.end()
    if start.element in book.by_id:
        where = printed.position(start)
        found = book.translate(where) if where is not None else None
        return found if found is not None else book.start_of(book.by_id[start.element])
    for following in printed.following(start.element):
        if following in book.by_id:
            return book.start_of(book.by_id[following])
    return book.end()


def _insert_marker(node: etree._Element, tail: bool, offset: int, page: int) -> None:
    """Insert the marker of ``page`` at ``offset`` in the text or the tail of ``node``."""
    marker = etree.Element(f"{{{XHTML_NS}}}span", {
        EPUB_TYPE: "pagebreak", "role": "doc-pagebreak", "id": f"page-{page}",
        "aria-label": str(page)})
    marker.text = ""  # <span></span>: never a self-closing span, which HTML parsers misread
    text = (node.tail if tail else node.text) or ""
    marker.tail = text[offset:] or None
    if tail:
        node.tail = text[:offset] or None
        parent = node.getparent()
        assert parent is not None
        parent.insert(parent.index(node) + 1, marker)
    else:
        node.text = text[:offset] or None
        node.insert(0, marker)
