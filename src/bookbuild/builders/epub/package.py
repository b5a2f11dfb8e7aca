"""The package: ebooklib's book with its metadata, items, spine and table of contents, written.

ebooklib writes the package; the container is then rewritten (:mod:`.container`) so that
the same sources and ``SOURCE_DATE_EPOCH`` give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path
from typing import Any

from ebooklib import epub

from ...render.book import BookView, book_locale
from ...render.fonts import FontFace
from ...render.images import ImageData
from ..base import BuildJob
from .container import rewrite_container
from .cover import render_cover
from .documents import Document
from .resources import COVER_IMAGE, FONT_MEDIA_TYPE, font_file

MARC_RELATORS = {"editor": "edt", "author": "aut", "translator": "trl",
                 "illustrator": "ill", "contributor": "ctb"}
CREATOR_ROLES = frozenset({"author", "editor"})


def assemble_book(job: BuildJob, view: BookView, docs: list[Document],
                  contents: list[tuple[Document, bytes]], nav: bytes, cover_page: bytes,
                  fonts: list[tuple[FontFace, bytes]], stylesheets: list[tuple[str, bytes]],
                  paginated: bool, images: list[tuple[str, ImageData]] | None = None,
                  cover_image: str = COVER_IMAGE) -> Any:
    """The ebooklib book: metadata, stylesheets, fonts, cover, documents, spine, toc, guide."""
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
                                    file_name=font_file(face),
                                    media_type=FONT_MEDIA_TYPE, content=data))
    for name, image in images or []:
        if name != cover_image:
            book.add_item(epub.EpubItem(uid="img-" + Path(name).stem, file_name=name,
                                        media_type=image.media_type, content=image.data))
    cover_data = next((image.data for name, image in images or [] if name == cover_image),
                      None)
    book.set_cover(cover_image, cover_data or render_cover(meta), create_page=False)

    words = view.locale
    cover = _Xhtml(uid="x-cover", file_name="cover.xhtml", title=words.word("cover"))
    cover.content = cover_page
    book.add_item(cover)
    nav_item = epub.EpubNav(uid="nav", file_name="nav.xhtml", title=words.word("contents"))
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
        {"type": "cover", "href": "cover.xhtml", "title": words.word("cover")},
        {"type": "toc", "href": "nav.xhtml", "title": words.word("contents")},
        {"type": "text", "href": first.name, "title": first.title},
    ]
    return book


def write_book(book: Any, build_date: dt.date, target: Path) -> None:
    """Write ``book`` to ``target`` as a reproducible EPUB."""
    modified = modification_time(build_date)
    buffer = io.BytesIO()
    writer = _Writer(buffer, book, {"mtime": modified, "epub3_pages": False,
                                    "epub3_landmark": False, "raise_exceptions": True})
    writer.process()
    writer.write()
    rewrite_container(buffer.getvalue(), target, _epoch_time())


class _Xhtml(epub.EpubHtml):  # type: ignore[misc]
    """A content document written as rendered: ebooklib's HTML re-parsing is bypassed."""

    def get_content(self, default: object = None) -> bytes:
        return bytes(self.content)


class _Writer(epub.EpubWriter):  # type: ignore[misc]
    """ebooklib's writer with the navigation document rendered from the templates, and the
    package's language said on ``<package>`` itself (``xml:lang``)."""

    def _write_opf_file(self, root: Any) -> None:
        root.set("{http://www.w3.org/XML/1998/namespace}lang", self.book.language)
        super()._write_opf_file(root)

    def _get_nav(self, item: Any) -> bytes:
        return bytes(item.content)


def _toc(view: BookView, docs: list[Document]) -> list[Any]:
    """The NCX's table of contents: parts (a day-by-day part with its days) and indexes."""
    entries: list[Any] = [epub.Link("front.xhtml", view.meta.title, "toc-front")]
    for doc in docs:
        link = epub.Link(doc.name, doc.title, f"toc-{doc.uid}")
        if doc.kind in ("part", "notes", "index"):
            entries.append(link)
        elif doc.kind == "opener":
            entries.append((epub.Section(doc.title, doc.name), []))
        elif doc.kind == "day" and entries and isinstance(entries[-1], tuple):
            entries[-1][1].append(link)
    return entries


# ---------------------------------------------------------------- metadata


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
               ("schema:accessibilitySummary",
                book_locale(job.manuscript).word("accessibility_summary")),
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
    booklet = job.follows.edition if job.follows else None
    name, size = (booklet.name, booklet.page_size or "A5") if booklet else ("booklet", "A5")
    meta = job.manuscript.meta
    booklet_word = book_locale(job.manuscript).word("booklet")
    return (f"{meta.title}, {booklet_word} ({size}, {job.slug}-{name}.pdf, "
            f"{job.build_date.isoformat()}); {meta.identifier}")


# ---------------------------------------------------------------- time


def _epoch_time() -> dt.datetime | None:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    return None


def modification_time(build_date: dt.date) -> dt.datetime:
    """dcterms:modified: SOURCE_DATE_EPOCH when set, else midnight UTC of the build date."""
    return _epoch_time() or dt.datetime.combine(build_date, dt.time(), tzinfo=dt.UTC)
