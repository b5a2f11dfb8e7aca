"""Which page each anchor stands on and where each page begins; index locators.

Pure data, without WeasyPrint: the EPUB reads it in a process that lays nothing out.
:mod:`.boxpages` reads it from a laid-out document. What counts as a word of an
element's text for the page starts (:func:`word_starts`) is defined here only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup

from ..manuscript.model import Edition
from ..render.typography import SOFT_HYPHEN

if TYPE_CHECKING:  # the renderer is imported to build, not to plan a build
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

    def page_of(self, anchor: str) -> int:
        return self.pages.get(anchor, 0)




def word_starts(text: str, inside: bool = False) -> tuple[list[int], bool]:
    """Where words begin in ``text`` (offsets), and whether its end is inside a word.

    The one rule of page starts: a word is a run of characters other than white space;
    soft hyphens are not characters of the text. ``inside``: ``text`` goes on with the
    word the text before it ended in.
    """
    starts: list[int] = []
    for offset, char in enumerate(text):
        if char == SOFT_HYPHEN:
            continue
        if char.isspace():
            inside = False
        elif not inside:
            starts.append(offset)
            inside = True
    return starts, inside


@dataclass(frozen=True)
class PrintedPages:
    """An edition as laid out, for the editions that follow its pages (the EPUB).

    ``html``: the documents laid out, in order; an element of a later one replaces the
    element of the same id in the first (the index, laid out on its own). The words of
    ``page_map.starts`` are counted in this text.
    """

    edition: Edition
    page_map: PageMap
    html: tuple[str, ...]


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
        return LOCATOR_SEPARATOR.join(
            locator_link(r.anchor, r.label) for r in entry_ranges(entry, page_map))

    return locators


LOCATOR_SEPARATOR = Markup(", ")


def locator_link(anchor: str, label: str) -> Markup:
    """One locator of an index entry: a link to a mention."""
    return Markup('<a href="#{}">{}</a>').format(anchor, label)


def mention_locators(entry: IndexEntry, slot: str) -> Markup:
    """An index entry's locators before its pages are known: a link to each mention,
    marked with its slot, for the layout that writes the pages in (:mod:`.pagefill`)."""
    from ..render.pagerefs import PLACEHOLDER, SLOT_ATTR

    return LOCATOR_SEPARATOR.join(
        Markup('<a href="#{}" {}="{}">{}</a>').format(m.anchor, SLOT_ATTR, slot, PLACEHOLDER)
        for m in entry.mentions)


