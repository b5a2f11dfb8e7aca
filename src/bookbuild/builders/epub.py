"""The EPUB 3 edition: the whole book for e-readers, from the print templates and stylesheet.

The book is split into XHTML documents (front matter, one per part, one per day of a
day-by-day part, one per index), each rendered by ``layouts/<layout>/content.html.j2``
from the same partials as the print editions. Links go across documents; the index
links every mention, labelled with the day and the booklet's page; page-break markers
stand where the booklet's pages begin, read from the booklet's own layout
(``job.booklet_pages``). ebooklib writes the package; the container is then rewritten
so that the same sources and ``SOURCE_DATE_EPOCH`` give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ebooklib import epub
from lxml import etree
from markupsafe import Markup

from ..errors import BookbuildError
from ..manuscript.model import Edition, PartKind
from ..render.book import BookView, IndexEntry, build_view
from ..render.figures import timeline_figure
from ..render.fonts import FontFace, font_face_css, font_faces
from ..render.html import PageContext, render_page
from ..render.inline import Linker
from ..render.labels import LABELS_HU
from .base import BuildJob, BuildResult, Output
from .cover import render_cover
from .epubzip import rewrite_container
from .pagemap import FLOW_TAGS, PageMap, PageStart
from .schedule import booklet_of

XHTML_NS = "http://www.w3.org/1999/xhtml"
OPS_NS = "http://www.idpf.org/2007/ops"
SVG_NS = "http://www.w3.org/2000/svg"
EPUB_TYPE = f"{{{OPS_NS}}}type"
SOFT_HYPHEN = "\u00ad"

COVER_IMAGE = "images/cover.png"
FONT_MEDIA_TYPE = "font/ttf"

LABELS: dict[str, object] = {
    **LABELS_HU,
    "cover": "Borító",
    "landmarks": "Tájékozódási pontok",
    "page_list": "Oldalszámok (a nyomtatott füzet szerint)",
    "mention": "említés",
    "booklet": "nyomtatott füzet",
}

ACCESSIBILITY_SUMMARY = (
    "A kiadvány teljes szövege elérhető szövegként: a tartalomjegyzék, a címsorok és a "
    "mutatók hivatkozásai segítik a tájékozódást; az oldaltörés-jelölők és az oldallista a "
    "nyomtatott füzet oldalszámait követik; az idővonal ábrája mellett szöveges lista áll."
)

MARC_RELATORS = {"editor": "edt", "author": "aut", "translator": "trl",
                 "illustrator": "ill", "contributor": "ctb"}
CREATOR_ROLES = frozenset({"author", "editor"})


# ---------------------------------------------------------------- the documents


@dataclass(frozen=True)
class Document:
    """One XHTML content document of the package."""

    kind: str  # front | part | opener | day | index
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
            docs += [Document("day", f"{g.anchor}.xhtml", g.heading, {"part": part, "g": g})
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
        return _serialise(self.root)


# ---------------------------------------------------------------- the builder


class EpubBuilder:
    """Builds ``<slug>.epub`` for an edition of format epub."""

    def build(self, job: BuildJob) -> BuildResult:
        started = time.perf_counter()
        view = build_view(job.manuscript, job.edition)
        docs = plan_documents(view)
        pages = job.booklet_pages
        note_numbers = {n.note.id: n.number for n in view.notes}
        figure = timeline_figure(view)

        # pass 1: where every id stands, so that links can name the document
        probe = Linker(link_mentions=True, note_numbers=note_numbers)
        located = [self._render(job, view, doc, probe, _no_locators, figure) for doc in docs]
        file_of: dict[str, str] = {}
        for rendered in located:
            for anchor in rendered.ids():
                file_of.setdefault(anchor, rendered.doc.name)
        href = _href_in(file_of)

        # pass 2: the documents with cross-document links
        linker = Linker(href=href, link_mentions=True, hyphenate=True, note_numbers=note_numbers)
        locators = mention_locators(view, pages, href)
        rendered_docs = [self._render(job, view, doc, linker, locators, figure) for doc in docs]
        for rendered in rendered_docs:
            add_semantics(rendered.root, rendered.doc.kind)

        page_list: list[tuple[int, str]] = []
        booklet = booklet_edition(job)
        if pages is not None and pages.starts and booklet is not None:
            print_root = _parse(_booklet_html(job, booklet, pages))
            page_list = insert_page_markers(print_root, rendered_docs, pages.starts)
        timings = {"render": time.perf_counter() - started}

        nav = self._nav(job, view, linker, docs, page_list)
        cover_page = self._cover_page(job, view, linker)
        contents = [(r.doc, r.serialise()) for r in rendered_docs]
        text = "".join(_text_of(data) for data in [nav, cover_page, *(c for _d, c in contents)])
        fonts = subset_fonts(text)
        stylesheets = self._stylesheets(job)

        book = self._package(job, view, docs, contents, nav, cover_page, fonts, stylesheets,
                             bool(page_list))
        modified = modification_time(job.build_date)
        buffer = io.BytesIO()
        writer = _Writer(buffer, book, {"mtime": modified, "epub3_pages": False,
                                        "epub3_landmark": False, "raise_exceptions": True})
        writer.process()
        writer.write()
        target = job.staging / f"{job.slug}.epub"
        rewrite_container(buffer.getvalue(), target, _epoch_time())
        timings["total"] = time.perf_counter() - started
        return BuildResult((Output.of(target, job.staging, job.edition.name, "epub"),),
                           None, timings)

    # -------------------------------------------------------------- rendering

    def _context(self, job: BuildJob, linker: Linker,
                 locators: Callable[[IndexEntry], Markup], extra: dict[str, object]) -> PageContext:
        return PageContext(
            edition=job.edition,
            build_date=job.build_date,
            linker=linker,
            stylesheets=tuple(f"css/{name}" for name in stylesheet_names(job)),
            font_faces="",
            locators=locators,
            extra={"labels": LABELS, **extra},
        )

    def _render(self, job: BuildJob, view: BookView, doc: Document, linker: Linker,
                locators: Callable[[IndexEntry], Markup], figure: object) -> Rendered:
        context = self._context(job, linker, locators,
                                {"doc": doc, "timeline_figure": figure, **doc.values})
        html = render_page(job.env, f"{job.edition.layout}/content.html.j2", view, context)
        return Rendered(doc, etree.ElementTree(_parse(html)))

    def _nav(self, job: BuildJob, view: BookView, linker: Linker, docs: list[Document],
             page_list: list[tuple[int, str]]) -> bytes:
        first_part = next((d for d in docs if d.kind in ("part", "opener", "day")), docs[0])
        first_index = next((d for d in docs if d.kind == "index"), None)
        landmarks = [
            {"type": "cover", "href": "cover.xhtml", "title": LABELS["cover"]},
            {"type": "toc", "href": "nav.xhtml#toc", "title": LABELS["contents"]},
            {"type": "bodymatter", "href": first_part.name, "title": first_part.title},
        ]
        if first_index is not None:
            landmarks.append({"type": "index", "href": first_index.name,
                              "title": first_index.title})
        pages = [{"href": f"{name}#page-{page}", "label": str(page)} for page, name in page_list]
        context = self._context(job, linker, _no_locators,
                                {"landmarks": landmarks, "page_list": pages})
        html = render_page(job.env, f"{job.edition.layout}/nav.html.j2", view, context)
        root = _parse(html)
        add_semantics(root, "nav")
        return _serialise(root)

    def _cover_page(self, job: BuildJob, view: BookView, linker: Linker) -> bytes:
        context = self._context(job, linker, _no_locators, {"cover_image": COVER_IMAGE})
        html = render_page(job.env, f"{job.edition.layout}/cover.html.j2", view, context)
        return _serialise(_parse(html))

    def _stylesheets(self, job: BuildJob) -> list[tuple[str, bytes]]:
        sheets = []
        for name in stylesheet_names(job):
            if name == FONTS_CSS:
                css = font_face_css(lambda face: f"../{_font_file(face)}")
                sheets.append((name, (css + "\n").encode()))
                continue
            path = next(d / "css" / name for d in job.layout_dirs if (d / "css" / name).is_file())
            sheets.append((name, path.read_bytes()))
        return sheets

    # -------------------------------------------------------------- the package

    def _package(self, job: BuildJob, view: BookView, docs: list[Document],
                 contents: list[tuple[Document, bytes]], nav: bytes, cover_page: bytes,
                 fonts: list[tuple[FontFace, bytes]], stylesheets: list[tuple[str, bytes]],
                 paginated: bool) -> Any:
        meta = view.meta
        book = epub.EpubBook()
        book.set_identifier(meta.identifier)
        book.set_title(meta.title)
        book.set_language(meta.language)
        _contributors(book, view)
        if meta.description:
            book.add_metadata("DC", "description", meta.description)
        for keyword in meta.keywords:
            book.add_metadata("DC", "subject", keyword)
        if meta.rights:
            book.add_metadata("DC", "rights", meta.rights)
        book.add_metadata("DC", "date", job.build_date.isoformat())
        _accessibility(book, job, paginated)

        for name, data in stylesheets:
            book.add_item(epub.EpubItem(uid=f"css-{name.removesuffix('.css')}",
                                        file_name=f"css/{name}", media_type="text/css",
                                        content=data))
        for face, data in fonts:
            book.add_item(epub.EpubItem(uid="font-" + face.path.stem.lower(),
                                        file_name=_font_file(face),
                                        media_type=FONT_MEDIA_TYPE, content=data))
        book.set_cover(COVER_IMAGE, render_cover(meta), create_page=False)

        cover = _Xhtml(uid="x-cover", file_name="cover.xhtml", title=str(LABELS["cover"]))
        cover.content = cover_page
        book.add_item(cover)
        nav_item = epub.EpubNav(uid="nav", file_name="nav.xhtml", title=str(LABELS["contents"]))
        nav_item.content = nav
        book.add_item(nav_item)
        items: dict[str, Any] = {}
        for doc, data in contents:
            item = _Xhtml(uid=doc.uid, file_name=doc.name, title=doc.title)
            item.content = data
            if b"<svg" in data:
                item.properties.append("svg")
            book.add_item(item)
            items[doc.name] = item
        book.add_item(epub.EpubNcx())

        front = items["front.xhtml"]
        body = [items[d.name] for d in docs if d.kind != "front"]
        book.spine = [cover, front, nav_item, *body]
        book.toc = _toc(view, docs)
        first = next((d for d in docs if d.kind != "front"), docs[0])
        book.guide = [
            {"type": "cover", "href": "cover.xhtml", "title": str(LABELS["cover"])},
            {"type": "toc", "href": "nav.xhtml", "title": str(LABELS["contents"])},
            {"type": "text", "href": first.name, "title": first.title},
        ]
        return book


class _Xhtml(epub.EpubHtml):  # type: ignore[misc]
    """A content document written as rendered: ebooklib's HTML re-parsing is bypassed."""

    def get_content(self, default: object = None) -> bytes:
        return bytes(self.content)


class _Writer(epub.EpubWriter):  # type: ignore[misc]
    """ebooklib's writer with the navigation document rendered from the templates."""

    def _get_nav(self, item: Any) -> bytes:
        return bytes(item.content)


def _toc(view: BookView, docs: list[Document]) -> list[Any]:
    """The NCX's table of contents: parts (a day-by-day part with its days) and indexes."""
    entries: list[Any] = [epub.Link("front.xhtml", view.meta.title, "toc-front")]
    for doc in docs:
        link = epub.Link(doc.name, doc.title, f"toc-{doc.uid}")
        if doc.kind in ("part", "index"):
            entries.append(link)
        elif doc.kind == "opener":
            entries.append((epub.Section(doc.title, doc.name), []))
        elif doc.kind == "day" and entries and isinstance(entries[-1], tuple):
            entries[-1][1].append(link)
    return entries


def _contributors(book: Any, view: BookView) -> None:
    """dc:creator for authors and editors, dc:contributor for the others, with MARC roles."""
    for number, person in enumerate(view.meta.editors, start=1):
        role = MARC_RELATORS.get(person.role, "ctb")
        if person.role in CREATOR_ROLES:
            uid = f"creator{number}"
            book.add_metadata("DC", "creator", person.name, {"id": uid})
        else:
            uid = f"contributor{number}"
            book.add_metadata("DC", "contributor", person.name, {"id": uid})
        book.add_metadata(None, "meta", role, {"refines": f"#{uid}", "property": "role",
                                               "scheme": "marc:relators"})


def _accessibility(book: Any, job: BuildJob, paginated: bool) -> None:
    """EPUB Accessibility 1.1 discovery metadata, and the source of the page-list."""
    features = ["tableOfContents", "index", "readingOrder", "structuralNavigation",
                "alternativeText", "ARIA", "displayTransformability"]
    if paginated:
        features += ["pageBreakMarkers", "pageNavigation", "printPageNumbers"]
    entries = [("schema:accessMode", "textual"), ("schema:accessMode", "visual"),
               ("schema:accessModeSufficient", "textual"),
               *(("schema:accessibilityFeature", f) for f in features),
               ("schema:accessibilityHazard", "none"),
               ("schema:accessibilitySummary", ACCESSIBILITY_SUMMARY),
               ("dcterms:conformsTo", "EPUB Accessibility 1.1 - WCAG 2.1 Level AA")]
    for prop, value in entries:
        book.add_metadata(None, "meta", value, {"property": prop})
    if paginated:
        source = booklet_identity(job)
        book.add_metadata("DC", "source", source, {"id": "page-source"})
        book.add_metadata(None, "meta", "pagination",
                          {"refines": "#page-source", "property": "source-of"})
        book.add_metadata(None, "meta", source, {"property": "pageBreakSource"})


def booklet_identity(job: BuildJob) -> str:
    """How the page-list names its print source: the booklet of the same book and build."""
    booklet = booklet_edition(job)
    name, size = (booklet.name, booklet.page_size) if booklet else ("booklet", "A5")
    meta = job.manuscript.meta
    return (f"{meta.title}, {LABELS['booklet']} ({size}, {job.slug}-{name}.pdf, "
            f"{job.build_date.isoformat()}); {meta.identifier}")


# ---------------------------------------------------------------- links and the index


def _href_in(file_of: dict[str, str]) -> Callable[[str], str]:
    def href(anchor: str) -> str:
        name = file_of.get(anchor)
        if name is None:
            raise BookbuildError(f"a link points to '#{anchor}', which the EPUB does not contain",
                                 "link only to events, demands and notes of the edition's parts")
        return f"{name}#{anchor}"

    return href


def _no_locators(entry: IndexEntry) -> Markup:
    return Markup("")


def mention_locators(view: BookView, pages: PageMap | None,
                     href: Callable[[str], str]) -> Callable[[IndexEntry], Markup]:
    """Every mention of an entry as a link labelled with its day (and time) and booklet page.

    A second mention in the same event gets a short link (``[2]``) named in full for
    screen readers, so that the list stays readable.
    """
    references = {e.anchor: e.reference for e in view.events}
    suffix = str(LABELS["page_suffix"]).replace(" ", "\u00a0")

    def locators(entry: IndexEntry) -> Markup:
        out = Markup("")
        previous, count = "", 0
        for mention in entry.mentions:
            label = references.get(mention.owner, mention.label)
            page = pages.page_of(mention.anchor) if pages else 0
            if page:
                label = f"{label} ({page}{suffix})"
            count = count + 1 if mention.owner == previous else 1
            previous = mention.owner
            if count == 1:
                out += Markup('{}<a href="{}">{}</a>').format(
                    ", " if out else "", href(mention.anchor), label)
            else:
                out += Markup(' <a href="{}" aria-label="{}">[{}]</a>').format(
                    href(mention.anchor), f"{label}, {count}. {LABELS['mention']}", count)
        return out

    return locators


# ---------------------------------------------------------------- semantics

# (tag, class, epub:type, ARIA role): what the print markup means, said for e-readers
SEMANTICS: tuple[tuple[str, str, str, str], ...] = (
    ("section", "titlepage", "titlepage", ""),
    ("section", "imprint", "imprint", ""),
    ("section", "notes", "endnotes", "doc-endnotes"),
    ("section", "part", "chapter", "doc-chapter"),
    ("section", "day", "chapter", "doc-chapter"),
    ("section", "index", "index", "doc-index"),
    ("nav", "toc", "toc", "doc-toc"),
)


def add_semantics(root: etree._Element, kind: str) -> None:
    """epub:type and ARIA roles on the print markup (which stays free of EPUB attributes)."""
    for element in root.iter(f"{{{XHTML_NS}}}*"):
        classes = (element.get("class") or "").split()
        tag = etree.QName(element).localname
        for want_tag, want_class, epub_type, role in SEMANTICS:
            if tag != want_tag or want_class not in classes:
                continue
            if kind == "opener" and want_class == "part":
                epub_type, role = "part", "doc-part"
            if epub_type:
                element.set(EPUB_TYPE, epub_type)
            if role:
                element.set("role", role)
    for link in root.iterfind(f".//{{{XHTML_NS}}}sup[@class='noteref']/{{{XHTML_NS}}}a"):
        link.set(EPUB_TYPE, "noteref")
        link.set("role", "doc-noteref")
    # the notes' items carry no type: epub:type endnote and role doc-endnote are deprecated,
    # the section around them says what they are
    _close_heading_gaps(root)


HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def _close_heading_gaps(root: etree._Element) -> None:
    """Renumber headings that skip a level (an event's h3 right under a part's h1).

    Print sets every event title as h3, under a day's h2 or straight under the part's
    h1; a reader's navigation and a screen reader need the levels in order.
    """
    stack: list[tuple[int, int]] = []  # (level as written, level given)
    for heading in [e for e in root.iter(f"{{{XHTML_NS}}}*") if _tag(e) in HEADINGS]:
        level = int(_tag(heading)[1])
        while stack and stack[-1][0] >= level:
            stack.pop()
        given = stack[-1][1] + 1 if stack else level
        stack.append((level, given))
        if given != level:
            heading.tag = f"{{{XHTML_NS}}}h{given}"


# ---------------------------------------------------------------- page-break markers

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


def _tag(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


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
        if _tag(element) in FLOW_TAGS and element.get("id"):
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
        starts = self.words.setdefault(owner, [])
        inside = in_word.get(owner, False)
        for offset, char in enumerate(text):
            if char == SOFT_HYPHEN:
                continue
            if char.isspace():
                inside = False
            elif not inside:
                starts.append(Position(container, index, offset))
                inside = True
        in_word[owner] = inside
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
        if _tag(element) not in HOIST_TAGS or parent is None or _tag(parent) in LIST_TAGS:
            break
        k = parent.index(element)
        if k == 0:
            position = Position(parent, -1, len(parent.text or ""))
        else:
            position = Position(parent, k - 1, len(parent[k - 1].tail or ""))
    return position


def insert_page_markers(print_root: etree._Element, documents: Sequence[Rendered],
                        starts: Sequence[PageStart]) -> list[tuple[int, str]]:
    """Put a page-break marker where each booklet page begins; the page-list, in page order.

    A page whose text the EPUB does not have (the printed cover or table of contents)
    goes to the start of the first element after it that the EPUB has.
    """
    printed = PrintText(print_root)
    book = EpubText(documents)
    places: list[tuple[int, Position]] = []
    for start in sorted(starts, key=lambda s: s.page):
        places.append((start.page, _place(printed, book, start)))
    owner = {id(r.root): r.doc.name for r in documents}
    page_list = [(page, owner[id(where.container.getroottree().getroot())])
                 for page, where in places]
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


# ---------------------------------------------------------------- the booklet


def booklet_edition(job: BuildJob) -> Edition | None:
    """The edition whose pages the page-list gives: the one the orchestrator lays out."""
    return booklet_of(job.manuscript)


def _booklet_html(job: BuildJob, booklet: Edition, pages: PageMap) -> str:
    from .pdf import render_html

    booklet_job = replace(job, edition=booklet)
    return render_html(booklet_job, build_view(job.manuscript, booklet), pages)


# ---------------------------------------------------------------- resources

FONTS_CSS = "fonts.css"


def stylesheet_names(job: BuildJob) -> list[str]:
    """The edition's stylesheets: the base, the fonts' @font-face rules, the edition's own."""
    names = ["base.css", FONTS_CSS]
    own = f"{job.edition.layout}.css"
    if any((d / "css" / own).is_file() for d in job.layout_dirs):
        names.append(own)
    if not any((d / "css" / "base.css").is_file() for d in job.layout_dirs):
        names.remove("base.css")
    return names


def _font_file(face: FontFace) -> str:
    return f"fonts/{face.path.name}"


ALWAYS = "".join(chr(c) for c in range(0x20, 0x7F)) + "\u00a0\u2010\u2013\u2014\u2026„”»«"


def subset_fonts(text: str) -> list[tuple[FontFace, bytes]]:
    """Every face of the book, cut down to the characters the EPUB uses."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    chars = sorted({ord(c) for c in text + ALWAYS if not c.isspace() or c in " \u00a0"})
    options = subset.Options()
    options.layout_features = [*options.layout_features, "tnum", "lnum", "onum", "pnum"]
    options.hinting = False
    options.name_legacy = True
    out = []
    for face in font_faces():
        font = TTFont(str(face.path), recalcTimestamp=False, lazy=False)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=chars)
        subsetter.subset(font)
        buffer = io.BytesIO()
        font.save(buffer)
        out.append((face, buffer.getvalue()))
    return out


def _text_of(data: bytes) -> str:
    return "".join(etree.fromstring(data, _parser()).itertext())


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True,
                           huge_tree=False)


VOID_TAGS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
                       "meta", "source", "track", "wbr"})


def _serialise(root: etree._Element) -> bytes:
    """XHTML bytes; an empty element is written ``<span></span>``, never ``<span/>``.

    A self-closing ``span`` is well-formed XML, but a reading system that parses the
    document as HTML would leave it open and swallow the text after it.
    """
    for element in root.iter(f"{{{XHTML_NS}}}*"):
        if element.text is None and not len(element) and _tag(element) not in VOID_TAGS:
            element.text = ""
    data: bytes = etree.tostring(etree.ElementTree(root), encoding="utf-8",
                                 xml_declaration=True, doctype="<!DOCTYPE html>")
    return data


def _parse(html: str) -> etree._Element:
    """A rendered template as an XML tree; a template that is not well-formed XHTML fails."""
    try:
        return etree.fromstring(html.encode("utf-8"), _parser())
    except etree.XMLSyntaxError as exc:
        raise BookbuildError(f"a layout template produced malformed XHTML: {exc}",
                             "EPUB templates must be well-formed XML (close every element)") \
            from exc


# ---------------------------------------------------------------- time


def _epoch_time() -> dt.datetime | None:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    return None


def modification_time(build_date: dt.date) -> dt.datetime:
    """dcterms:modified: SOURCE_DATE_EPOCH when set, else midnight UTC of the build date."""
    return _epoch_time() or dt.datetime.combine(build_date, dt.time(), tzinfo=dt.UTC)
