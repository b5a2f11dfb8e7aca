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
    """For each page, the element and word its text begins with (blank pages: the next one's)."""
    words: Counter[str] = Counter()  # words seen so far per element
    pending: list[int] = []
    for number, page in enumerate(pages, start=1):
        first: tuple[str, int] | None = None
        ended_in_word: dict[str, bool] = {}
        for owner, text in _text_runs(page._page_box):  # type: ignore[attr-defined]
            continues = ended_in_word.get(owner, False) and not text[:1].isspace()
            count = _word_starts(text) - (1 if continues and text.strip() else 0)
            if first is None and text.strip():
                first = (owner, words[owner])
            words[owner] += max(count, 0)
            ended_in_word[owner] = bool(text) and not text[-1].isspace()
        if first is None:
            pending.append(number)
            continue
        for blank in pending:
            yield PageStart(blank, first[0], first[1])
        pending.clear()
        yield PageStart(number, first[0], first[1])
    for blank in pending:  # trailing blank pages stand after the last text
        yield PageStart(blank, "", -1)


def _word_starts(text: str) -> int:
    return len(text.split())


def _text_runs(box: object, owner: str = "") -> Iterator[tuple[str, str]]:
    """(owning flow element id, text) of every text box in a page's flow, in order."""
    if isinstance(box, boxes.MarginBox):
        return
    element = getattr(box, "element", None)
    tag = getattr(box, "element_tag", "")
    if element is not None and tag in FLOW_TAGS and element.get("id"):
        owner = element.get("id")
    if isinstance(box, boxes.TextBox):
        yield owner, box.text.replace("\u00ad", "")
        return
    for child in getattr(box, "children", ()):
        yield from _text_runs(child, owner)
