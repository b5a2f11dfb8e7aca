"""The page numbers a layout prints, written into its own boxes while WeasyPrint paginates.

The contents and cross-references (``attr(data-page)``) and the index print the pages of
the layout they stand in. Laying the whole book out again with the numbers a first layout
found costs a second layout, and a third when a number changes a line. Instead the book
is laid out from a *skeleton* (:meth:`PageSlots.skeleton`: every number slot marked, every
index entry with a link for each of its mentions), and between WeasyPrint's pagination
rounds the numbers of the pages just made are written into the box tree: a link's
generated text gets its page, an index entry keeps the links of its page ranges; and
before each page is made, the numbers whose targets stand on the pages made before it
(references back, the index at the end) are written in, so that page prints them right
the first time. Only the pages holding a number changed after they were made are made
again — WeasyPrint's own page re-making, the
one it uses for ``target-counter()`` — and a page whose end moves makes the next one
again. When a round changes no number, every page prints the pages of the layout itself:
the pages a fresh layout of the numbered HTML gives.

A slot this cannot write (generated text that shows the placeholder more than once)
raises :class:`CannotFill` before anything is laid out; the builder then lays the
numbered HTML out again until it settles, as without this module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import weasyprint.layout as _layout
import weasyprint.layout.page as _page
from weasyprint.formatting_structure import boxes

from ..render.book import IndexEntry
from ..render.pagerefs import PLACEHOLDER, SLOT_ATTR, page_label
from .pagemap import PageMap, PageRange, entry_ranges

__all__ = ["CannotFill", "PageFiller", "filling"]


class CannotFill(Exception):
    """A page-number slot the layout shows in a way its boxes cannot be rewritten."""


@dataclass(eq=False)
class _Run:
    """A run of a parent box's children that prints page numbers."""

    start: int
    end: int
    make: Callable[[PageMap | None], tuple[boxes.Box, ...]]
    shown: tuple[boxes.Box, ...] | None = None  # what it shows now (None: not yet filled)
    targets: frozenset[str] = frozenset()  # the anchors whose pages it prints
    locator: int | None = None  # the locator slot it prints, for an index entry


@dataclass(eq=False)
class _Parent:
    """A box whose children hold runs, with its children as the skeleton built them."""

    box: boxes.ParentBox
    original: tuple[boxes.Box, ...]
    runs: list[_Run] = field(default_factory=list)

    def rebuild(self) -> None:
        children: list[boxes.Box] = []
        at = 0
        for run in sorted(self.runs, key=lambda r: r.start):
            children.extend(self.original[at:run.start])
            children.extend(run.shown or ())
            at = run.end
        children.extend(self.original[at:])
        self.box.children = tuple(children)


class PageFiller:
    """Writes a page map's numbers into the skeleton's boxes; says which pages to remake.

    ``anchors[n]`` is the target of link slot ``n``, ``entries[n]`` the index entry of
    locator slot ``n`` (:class:`PageSlots`); ``first`` is the page map the first layout
    prints (where the pages stood last time; None: placeholders and empty locators).
    """

    def __init__(self, anchors: Sequence[str], entries: Sequence[IndexEntry],
                 first: PageMap | None) -> None:
        self.anchors = anchors
        self.entries = entries
        self.first = first
        self.parents: dict[int, _Parent] = {}
        self.printed: PageMap | None = first  # the page map the boxes print now
        self.settled = False
        # the round being made: the pages of the round before, the pages made so far,
        # the anchors on the pages before the one being made, the parents changed (at
        # which page)
        self._before: list[boxes.PageBox] = []
        self._made: dict[int, boxes.PageBox] = {}
        self._known: dict[str, int] = {}
        self._folded = 0
        self._changed_at: dict[_Parent, int] = {}
        self._waiting: dict[str, list[tuple[_Parent, _Run]]] = {}  # anchor → runs printing it

    # ------------------------------------------------------------------ the skeleton

    def start(self, root: boxes.Box) -> None:
        """Find the slots in the box tree and write the first numbers."""
        marked: set[int] = set()
        for box in _parent_boxes(root):
            self._find_runs(box)
            slot = box.element.get(SLOT_ATTR, "") if box.element is not None else ""
            if slot.startswith("l"):
                marked.add(self._slot(slot, len(self.entries)))
        written = {run.locator for parent in self.parents.values() for run in parent.runs}
        if marked - written:  # the skeleton's placeholders would stay in the index
            raise CannotFill("an index entry's locators are not inline links")
        self.fill(self.first)

    def _find_runs(self, box: boxes.ParentBox) -> None:
        element = box.element
        slot = element.get(SLOT_ATTR) if element is not None else None
        tag = box.element_tag or ""
        if slot and slot.startswith("p") and tag.endswith(("::before", "::after")):
            self._link_run(box, self.anchors[self._slot(slot, len(self.anchors))])
        links: dict[int, list[int]] = {}
        for index, child in enumerate(box.children):
            name = child.element.get(SLOT_ATTR) if child.element is not None else None
            if (isinstance(child, boxes.InlineBox) and name and name.startswith("l")
                    and child.element_tag == "a"):
                links.setdefault(self._slot(name, len(self.entries)), []).append(index)
        for number, at in links.items():
            self._locator_run(box, number, at[0], at[-1] + 1)

    @staticmethod
    def _slot(name: str, count: int) -> int:
        """The number of slot ``name`` (``p3``, ``l12``); a name no rendering made (a
        layout writing the attribute itself) cannot be written."""
        number = name[1:]
        if not (number.isascii() and number.isdigit()) or int(number) >= count:
            raise CannotFill(f"a slot named '{name[:20]}' that the rendering did not make")
        return int(number)

    def _parent(self, box: boxes.ParentBox) -> _Parent:
        if id(box) not in self.parents:
            self.parents[id(box)] = _Parent(box, tuple(box.children))
        return self.parents[id(box)]

    def _link_run(self, box: boxes.ParentBox, anchor: str) -> None:
        """A link's generated text: the one text box showing the placeholder, once."""
        shows = [item for item in box.style["content"] or ()
                 if isinstance(item, tuple) and item[0] == "attr()"
                 and item[1][0] == "data-page"]
        if not shows:  # another box of the pseudo-element (a leader), or no number shown
            return
        found = [(i, c) for i, c in enumerate(box.children)
                 if isinstance(c, boxes.TextBox) and PLACEHOLDER in c.text]
        if len(shows) != 1 or len(found) != 1 or found[0][1].text.count(PLACEHOLDER) != 1:
            raise CannotFill(f"{box.element_tag} does not show its page number once")
        index, text = found[0]
        before, after = text.text.split(PLACEHOLDER)
        element = box.element

        def make(pages: PageMap | None) -> tuple[boxes.Box, ...]:
            shown = PLACEHOLDER if pages is None else page_label(pages.page_of(anchor))
            element.set("data-page", shown)
            if not before + shown + after:
                return ()
            return (text.copy_with_text(before + shown + after),)

        self._parent(box).runs.append(_Run(index, index + 1, make, targets=frozenset({anchor})))

    def _locator_run(self, box: boxes.ParentBox, number: int, start: int, end: int) -> None:
        """An index entry's locators: a link per mention, ", " between them."""
        entry = self.entries[number]
        children = box.children[start:end]
        links = {c.element.get("href", "").removeprefix("#"): c for c in children[::-1]
                 if isinstance(c, boxes.InlineBox)}
        separators = [c for c in children if isinstance(c, boxes.TextBox)]
        if any(len(c.children) != 1 or not isinstance(c.children[0], boxes.TextBox)
               for c in links.values()) or len(separators) != len(children) // 2:
            raise CannotFill("an index entry's locators are not links with text between")
        separator = separators[0] if separators else None

        def make(pages: PageMap | None) -> tuple[boxes.Box, ...]:
            ranges = entry_ranges(entry, pages) if pages is not None else []
            made: list[boxes.Box] = []
            for number, page_range in enumerate(ranges):
                if number and separator is not None:
                    made.append(separator.copy())
                made.append(_labelled(links[page_range.anchor], page_range))
            return tuple(made)

        self._parent(box).runs.append(_Run(start, end, make, targets=frozenset(
            m.anchor for m in entry.mentions), locator=number))

    # ------------------------------------------------------------------ the rounds

    def fill(self, pages: PageMap | None,
             runs: Sequence[tuple[_Parent, _Run]] | None = None) -> set[_Parent]:
        """Write the numbers of ``pages`` (into ``runs`` only, if given); the parents
        whose children changed."""
        if runs is None:
            runs = [(parent, run) for parent in self.parents.values() for run in parent.runs]
            self.printed = pages
        changed: set[_Parent] = set()
        for parent, run in runs:
            made = run.make(pages)
            if run.shown is None or _texts(made) != _texts(run.shown):
                run.shown = made
                changed.add(parent)
        for parent in changed:
            parent.rebuild()
        return changed

    def start_round(self, pages: list[boxes.PageBox]) -> None:
        """A pagination round begins; ``pages``: those of the round before."""
        if not self._waiting:
            for parent in self.parents.values():
                for run in parent.runs:
                    for anchor in run.targets:
                        self._waiting.setdefault(anchor, []).append((parent, run))
        self._before = pages
        self._made = {}
        self._known = {}
        self._folded = 0
        self._changed_at = {}

    def before_page(self, index: int) -> None:
        """Page ``index`` is to be made: the runs whose targets all stand on the pages
        made before it get their numbers now (a page is not made again for a number
        that points back)."""
        from .boxpages import box_anchors

        ready: dict[int, tuple[_Parent, _Run]] = {}
        for number in range(self._folded, index):
            page = self._made.get(number) or self._before[number]
            for anchor in box_anchors(page):
                if anchor not in self._known:
                    self._known[anchor] = number + 1
                    for parent, run in self._waiting.get(anchor, ()):
                        if run.targets <= self._known.keys():
                            ready[id(run)] = parent, run
        self._folded = max(self._folded, index)
        if ready:
            for parent in self.fill(PageMap(self._known, index), list(ready.values())):
                self._changed_at.setdefault(parent, index)

    def page_made(self, index: int, page: boxes.PageBox) -> None:
        self._made[index] = page

    def after_round(self, context: Any, made: list[boxes.PageBox]) -> None:
        """The pages of a round made: write their numbers, mark the pages to make again:
        those holding a number changed after they were made."""
        from .boxpages import page_map_of_boxes

        for parent in self.fill(page_map_of_boxes(made)):
            self._changed_at.setdefault(parent, len(made))
        holding = _pages_holding(made, {p.box.element for p in self._changed_at})
        again: set[int] = set()
        for parent, since in self._changed_at.items():
            again |= {n for n in holding.get(parent.box.element, ()) if n < since}
        for number in again:
            context.page_maker[number][-1]["content_changed"] = True
        self.settled = not again


def _texts(made: tuple[boxes.Box, ...]) -> tuple[tuple[str, str], ...]:
    """What a run shows, comparable between rounds: each box's link target and text."""
    out = []
    for box in made:
        if isinstance(box, boxes.TextBox):
            out.append(("", box.text))
        else:
            out.append((box.element.get("href", ""), "".join(
                c.text for c in box.children if isinstance(c, boxes.TextBox))))
    return tuple(out)


def _labelled(link: boxes.InlineBox, page_range: PageRange) -> boxes.InlineBox:
    made = link.copy()
    made.children = (link.children[0].copy_with_text(page_range.label),)
    return made


def _parent_boxes(root: boxes.Box) -> Iterator[boxes.ParentBox]:
    stack = [root]
    while stack:
        box = stack.pop()
        if isinstance(box, boxes.ParentBox):
            yield box
            stack.extend(box.children)


def _pages_holding(pages: list[boxes.PageBox], elements: set[Any]) -> dict[Any, set[int]]:
    """For each of ``elements``, the indexes of the pages on which a box of it stands
    (one walk of the pages, whatever the number of elements)."""
    from .boxpages import walk_boxes

    found: dict[Any, set[int]] = {}
    if not elements:
        return found
    for number, page in enumerate(pages):
        for box in walk_boxes(page):
            if box.element in elements:
                found.setdefault(box.element, set()).add(number)
    return found


# ---------------------------------------------------------------- the WeasyPrint hook

_FILLER: ContextVar[PageFiller | None] = ContextVar("page_filler", default=None)
_MAKE_ALL_PAGES = _layout.make_all_pages
_REMAKE_PAGE = _page.remake_page


def _make_all_pages(context: Any, root_box: boxes.Box, html: Any,
                    pages: list[boxes.PageBox]) -> list[boxes.PageBox]:
    """WeasyPrint's pagination round, with the filler's numbers written after it."""
    filler = _FILLER.get()
    if filler is None:
        return list(_MAKE_ALL_PAGES(context, root_box, html, pages))
    if not pages:
        filler.start(root_box)
    filler.start_round(pages)
    made = list(_MAKE_ALL_PAGES(context, root_box, html, pages))
    filler.after_round(context, made)
    return made


def _remake_page(index: int, context: Any, root_box: boxes.Box,
                 html: Any) -> tuple[boxes.PageBox, Any]:
    """WeasyPrint's making of one page, with the numbers known by then written first."""
    filler = _FILLER.get()
    made: tuple[boxes.PageBox, Any]
    if filler is None:
        made = _REMAKE_PAGE(index, context, root_box, html)
        return made
    filler.before_page(index)
    made = _REMAKE_PAGE(index, context, root_box, html)
    filler.page_made(index, made[0])
    return made


@contextmanager
def filling(filler: PageFiller) -> Iterator[PageFiller]:
    """Within: WeasyPrint's layouts write ``filler``'s numbers between their rounds."""
    _layout.make_all_pages = _make_all_pages  # layout_document calls it each round
    _page.remake_page = _remake_page  # make_all_pages calls it for each page it makes
    token = _FILLER.set(filler)
    try:
        yield filler
    finally:
        _FILLER.reset(token)
