"""The page numbers a printed edition prints (``anchor|page_attr``, index locators), as slots:
the book is rendered once, and numbered from a page map (:meth:`PageSlots.fill`) or laid
out as a skeleton whose slots the layout writes itself (:meth:`PageSlots.skeleton`,
:mod:`bookbuild.builders.pagefill`).

A layout prints a link's page with ``content: attr(data-page)`` (in ``::after``), showing
it once; the builder gives it the page of its own layout, so that WeasyPrint lays each
page out once instead of re-laying pages until ``target-counter()`` settles. Outside a
printed rendering (web, EPUB) ``page_attr`` writes nothing.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from markupsafe import Markup

from .book import IndexEntry
from .current import RenderState

#: Printed for every link before the first layout has said where anything stands: two
#: digits, as wide as most page numbers are.
PLACEHOLDER = "00"

#: The attribute marking a slot in a skeleton (:meth:`PageSlots.skeleton`).
SLOT_ATTR = "data-bb-slot"


@dataclass
class PageSlots:
    """The places of one rendering that print pages: link pages and index locators.

    A slot is a token with a random part no manuscript text can guess; :meth:`fill`
    replaces every token by what a page map says.
    """

    anchors: list[str] = field(default_factory=list)  # a link slot: the page of its target
    entries: list[IndexEntry] = field(default_factory=list)  # an index slot: its locators
    nonce: str = field(default_factory=lambda: secrets.token_hex(8))

    def _token(self, kind: str, number: int) -> str:
        return f"bb-{self.nonce}-{kind}{number}-"

    def page_attr(self, anchor: str) -> Markup:
        self.anchors.append(anchor.removeprefix("#"))
        return Markup(' data-page="{}"').format(self._token("p", len(self.anchors) - 1))

    def locators(self, entry: IndexEntry) -> Markup:
        self.entries.append(entry)
        return Markup(self._token("l", len(self.entries) - 1))

    def indexed(self) -> frozenset[str]:
        """The anchors whose pages the index slots print."""
        return frozenset(m.anchor for e in self.entries for m in e.mentions)

    def fill(self, html: str, pages: Mapping[str, int] | None,
             locators: Callable[[IndexEntry], Markup]) -> str:
        """``html`` with its slots filled: ``pages`` None gives placeholders and empty
        locators (before the first layout); an anchor no page holds shows nothing."""

        def page(anchor: str) -> str:
            return PLACEHOLDER if pages is None else page_label(pages.get(anchor, 0))

        def slot(match: re.Match[str]) -> str:
            number = int(match.group(2))
            if match.group(1) == "p":
                return page(self.anchors[number])
            return str(locators(self.entries[number])) if pages is not None else ""

        return re.sub(rf"bb-{self.nonce}-([pl])(\d+)-", slot, html)

    def skeleton(self, html: str, mentions: Callable[[IndexEntry, str], Markup]) -> str:
        """``html`` with its slots marked for a layout that writes the pages into its
        boxes (:mod:`bookbuild.builders.pagefill`): a link shows :data:`PLACEHOLDER`
        and names its slot in :data:`SLOT_ATTR`; an index slot holds ``mentions(entry,
        slot)``, the entry's locators with a link for each mention."""

        def link(match: re.Match[str]) -> str:
            return f' data-page="{PLACEHOLDER}" {SLOT_ATTR}="p{match.group(1)}"'

        def entry(match: re.Match[str]) -> str:
            number = int(match.group(1))
            return str(mentions(self.entries[number], f"l{number}"))

        html = re.sub(rf' data-page="bb-{self.nonce}-p(\d+)-"', link, html)
        return re.sub(rf"bb-{self.nonce}-l(\d+)-", entry, html)


def page_label(number: int) -> str:
    """What a link prints for a target on page ``number`` (0: no page holds it: nothing)."""
    return str(number) if number > 0 else ""


_CURRENT: RenderState[PageSlots | None] = RenderState("page_slots", None)
current_page_slots = _CURRENT.using


def _page_attr(anchor: str) -> Markup:
    """`` data-page="…"`` for a link to ``anchor`` in print; nothing elsewhere."""
    slots = _CURRENT.get()
    return slots.page_attr(anchor) if slots is not None else Markup("")


PAGE_FILTERS: dict[str, Callable[..., object]] = {"page_attr": _page_attr}
