"""The content documents: which there are, each rendered and parsed, the links between them.

The book is split into XHTML documents (front matter, one per part, one per day of a
day-by-day part, one per index). Links go across documents; the index links every
mention, labelled with the day and the booklet's page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace

from lxml import etree
from markupsafe import Markup

from ...errors import BookbuildError
from ...manuscript.model import PartKind
from ...render.book import BookView, IndexEntry
from ..pagemap import PageMap
from .xhtml import serialise


@dataclass(frozen=True)
class Document:
    """One XHTML content document of the package."""

    kind: str  # front | part | opener | day | notes | index
    name: str  # file name inside the package folder
    title: str
    values: dict[str, object] = field(default_factory=dict, compare=False)

    @property
    def uid(self) -> str:
        return "x-" + self.name.removesuffix(".xhtml")


def plan_documents(view: BookView) -> list[Document]:
    """The content documents in reading order."""
    docs = [Document("front", "front.xhtml", view.meta.title)]
    for part in view.parts:
        if part.part.kind is PartKind.DAYS and part.groups:
            opener = replace(part, groups=())
            docs.append(Document("opener", f"{part.anchor}.xhtml", part.part.title,
                                 {"part": opener}))
            docs += [Document("day", f"{g.anchor}.xhtml", g.heading, {"day": g})
                     for g in part.groups]
        else:
            docs.append(Document("part", f"{part.anchor}.xhtml", part.part.title,
                                 {"part": part}))
    docs += [Document("index", f"{s.anchor}.xhtml", s.title, {"section": s})
             for s in view.indexes]
    return docs


@dataclass
class Rendered:
    """A document rendered and parsed, ready for page markers and serialisation."""

    doc: Document
    tree: etree._ElementTree

    @property
    def root(self) -> etree._Element:
        return self.tree.getroot()

    def ids(self) -> Iterator[str]:
        for element in self.root.iter():
            if isinstance(element.tag, str) and element.get("id"):
                yield element.get("id") or ""

    def serialise(self) -> bytes:
        return serialise(self.root)


# ---------------------------------------------------------------- links and the index


def href_in(documents: Iterable[Rendered]) -> Callable[[str], str]:
    """Links that name the document holding their target (the first, for an id in several)."""
    file_of: dict[str, str] = {}
    for rendered in documents:
        for anchor in rendered.ids():
            file_of.setdefault(anchor, rendered.doc.name)

    def href(anchor: str) -> str:
        name = file_of.get(anchor)
        if name is None:
            raise BookbuildError(f"a link points to '#{anchor}', which the EPUB does not contain",
                                 "link only to events, demands and notes of the edition's parts")
        return f"{name}#{anchor}"

    return href


def no_locators(entry: IndexEntry) -> Markup:
    return Markup("")


def mention_locators(view: BookView, pages: PageMap | None,
                     href: Callable[[str], str]) -> Callable[[IndexEntry], Markup]:
    """Every mention of an entry as a link labelled with its day (and time) and booklet page.

    A second mention in the same event gets a short link (``[2]``) named in full for
    screen readers, so that the list stays readable.
    """
    references = {e.anchor: e.reference for e in view.events}
    locale = view.locale

    def locators(entry: IndexEntry) -> Markup:
        out = Markup("")
        previous, count = "", 0
        for mention in entry.mentions:
            label = references.get(mention.owner, mention.label)
            page = pages.page_of(mention.anchor) if pages else 0
            if page:
                label = f"{label} ({locale.page_ref(page)})"
            count = count + 1 if mention.owner == previous else 1
            previous = mention.owner
            if count == 1:
                out += Markup('{}<a href="{}">{}</a>').format(
                    ", " if out else "", href(mention.anchor), label)
            else:
                out += Markup(' <a href="{}" aria-label="{}">[{}]</a>').format(
                    href(mention.anchor), f"{label}, {locale.mention_label(count)}", count)
        return out

    return locators
