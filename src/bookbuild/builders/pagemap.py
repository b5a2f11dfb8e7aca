"""Which page each anchor stands on, read from a laid-out document, and index locators."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from markupsafe import Markup
from weasyprint.formatting_structure import boxes

from ..render.book import IndexEntry

# Elements whose words are counted for page starts (mentions and links are inside them).
FLOW_TAGS = frozenset({"p", "h1", "h2", "h3", "h4", "li", "dt", "dd", "figcaption",
                       "section", "article", "nav", "figure", "header", "footer"})


@dataclass(frozen=True)
class PageStart:
    """Where a page begins in the text: before word ``word`` of element ``element``."""

    page: int
    element: str
    word: int


@dataclass(frozen=True)
class PageMap:
    """Anchor id → 1-based page number, the page count, and where each page begins."""

    pages: dict[str, int]
    page_count: int
    starts: tuple[PageStart, ...] = ()

    @classmethod
    def from_document(cls, document: object) -> PageMap:
        pages: dict[str, int] = {}
        doc_pages = document.pages  # type: ignore[attr-defined]
        for number, page in enumerate(doc_pages, start=1):
            for anchor in page.anchors:
                pages.setdefault(anchor, number)
        return cls(pages, len(doc_pages), tuple(_page_starts(doc_pages)))

    def page_of(self, anchor: str) -> int:
        return self.pages.get(anchor, 0)


@dataclass(frozen=True)
class PageRange:
    first: int
    last: int
    anchor: str  # the first mention on the first page

    @property
    def label(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first}–{self.last}"


def entry_ranges(entry: IndexEntry, page_map: PageMap) -> list[PageRange]:
    """The pages an entity is mentioned on, merged into ranges where consecutive."""
    first_anchor: dict[int, str] = {}
    for mention in entry.mentions:
        page = page_map.page_of(mention.anchor)
        if page:
            first_anchor.setdefault(page, mention.anchor)
    ranges: list[PageRange] = []
    for page in sorted(first_anchor):
        if ranges and ranges[-1].last == page - 1:
            ranges[-1] = PageRange(ranges[-1].first, page, ranges[-1].anchor)
        else:
            ranges.append(PageRange(page, page, first_anchor[page]))
    return ranges


def page_locators(page_map: PageMap) -> Callable[[IndexEntry], Markup]:
    """A function the index template calls: an entry's page ranges as linked HTML."""

    def locators(entry: IndexEntry) -> Markup:
        return Markup(", ").join(
            Markup('<a href="#{}">{}</a>').format(r.anchor, r.label)
            for r in entry_ranges(entry, page_map)
        )

    return locators


def _page_starts(pages: list[object]) -> Iterator[PageStart]:
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
        for owner, text, line_start in _text_runs(page._page_box):  # type: ignore[attr-defined]
            if not text:
                continue
            continues = _continues(last_text.get(owner, ""), text, line_start)
            count = _word_starts(text) - (1 if continues and text.strip() else 0)
            if first is None and text.strip():
                first = (owner, words[owner])
            words[owner] += max(count, 0)
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


HYPHENS = ("\u2010", "-", "\u2011", "\u00ad")
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


def _word_starts(text: str) -> int:
    return len(text.split())


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
        yield owner, box.text.replace("\u00ad", ""), line_start
        return
    first = isinstance(box, boxes.LineBox) or line_start
    for child in getattr(box, "children", ()):
        for run in _text_runs(child, owner, first):
            first = False
            yield run
