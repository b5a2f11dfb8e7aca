"""The print editions, read back from the PDFs: sizes, imposition, indexes, typography, fonts."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from bookbuild.builders.impose import saddle_stitch_order
from bookbuild.errors import Diagnostics
from bookbuild.locale import locale_for
from bookbuild.manuscript import find_project, read_manuscript
from bookbuild.render.book import IndexEntry, build_view
from conftest import REPO

pytestmark = pytest.mark.slow
A5 = (419.53, 595.28)
A4 = (595.28, 841.89)
SLUG = "forradalom-1956"


@pytest.fixture(scope="module")
def booklet(real_build: Path) -> PdfReader:
    return PdfReader(real_build / f"{SLUG}-booklet.pdf")


@pytest.fixture(scope="module")
def page_texts(booklet: PdfReader) -> list[str]:
    return [page.extract_text() for page in booklet.pages]


@pytest.fixture(scope="module")
def anchor_pages(booklet: PdfReader) -> dict[str, int]:
    """Anchor → 1-based page, read from the PDF's own named destinations."""
    return {name.lstrip("/"): booklet.get_destination_page_number(dest) + 1
            for name, dest in booklet.named_destinations.items()}


def size_of(page: object) -> tuple[float, float]:
    box = page.mediabox  # type: ignore[attr-defined]
    return float(box.width), float(box.height)


def close(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return abs(a[0] - b[0]) < 0.6 and abs(a[1] - b[1]) < 0.6


def test_outputs_and_manifest(real_build: Path) -> None:
    manifest = json.loads((real_build / "manifest.json").read_text(encoding="utf-8"))
    names = {o["name"]: o for o in manifest["outputs"]}
    for name in (f"{SLUG}-booklet.pdf", f"{SLUG}-booklet-print.pdf", f"{SLUG}-handout.pdf"):
        assert name in names
        entry = names[name]
        data = (real_build / name).read_bytes()
        assert entry["size"] == len(data) and len(entry["sha256"]) == 64
        assert entry["pages"] == len(PdfReader(real_build / name).pages)


def test_page_sizes(real_build: Path, booklet: PdfReader) -> None:
    assert all(close(size_of(p), A5) for p in booklet.pages)
    imposed = PdfReader(real_build / f"{SLUG}-booklet-print.pdf")
    assert all(close(size_of(p), (A4[1], A4[0])) for p in imposed.pages)
    handout = PdfReader(real_build / f"{SLUG}-handout.pdf")
    assert all(close(size_of(p), A4) for p in handout.pages)
    assert 1 <= len(handout.pages) <= 4


def page_number_of(text: str) -> int | None:
    """The printed folio of a booklet page: a number alone on the first or last line."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    for line in (lines[-1:] + lines[:1]) if lines else []:
        if line.isdigit() and len(line) <= 3:  # a folio, not a year
            return int(line)
    return None


def placed_pages(side: object) -> list[tuple[float, bytes]]:
    """(x offset, content bytes) of each page drawn on an imposed sheet side."""
    from pypdf.generic import ContentStream

    forms = side["/Resources"]["/XObject"]  # type: ignore[index]
    content = ContentStream(side.get_contents(), side.pdf)  # type: ignore[attr-defined]
    placed, matrix = [], None
    for operands, operator in content.operations:
        if operator == b"cm":
            matrix = [float(v) for v in operands]
        elif operator == b"Do":
            form = forms[operands[0]].get_object()
            placed.append((matrix[4] if matrix else 0.0, form.get_data()))
    return placed


def test_imposition_sheet_by_sheet(real_build: Path, booklet: PdfReader) -> None:
    imposed = PdfReader(real_build / f"{SLUG}-booklet-print.pdf")
    count = len(booklet.pages)
    order = saddle_stitch_order(count)
    assert len(imposed.pages) == 2 * len(order) == 2 * ((count + 3) // 4)
    sources = [page.get_contents().get_data() for page in booklet.pages]  # type: ignore[union-attr]
    sides = [side for sheet in order for side in sheet]
    middle = A4[1] / 2
    for index, (left, right) in enumerate(sides):
        placed = placed_pages(imposed.pages[index])
        on_left = [data for x, data in placed if x < middle]
        on_right = [data for x, data in placed if x >= middle]
        assert on_left == ([] if left is None else [sources[left]]), f"side {index}, left"
        assert on_right == ([] if right is None else [sources[right]]), f"side {index}, right"
    # sheet 1 front holds the last (padded) page on the left and page 1 on the right
    assert sides[0][1] == 0


def test_folios_are_the_page_order(page_texts: list[str]) -> None:
    folios = {i + 1: page_number_of(t) for i, t in enumerate(page_texts)}
    numbered = {page: folio for page, folio in folios.items() if folio is not None}
    assert len(numbered) > len(page_texts) / 2
    assert all(page == folio for page, folio in numbered.items())


@pytest.fixture(scope="module")
def view():  # type: ignore[no-untyped-def]
    manuscript = read_manuscript(find_project(REPO), Diagnostics())
    booklet = manuscript.edition("booklet")
    return build_view(manuscript, booklet)


def ranges(pages: list[int]) -> str:
    out: list[list[int]] = []
    for page in sorted(set(pages)):
        if out and out[-1][1] == page - 1:
            out[-1][1] = page
        else:
            out.append([page, page])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in out)


def index_text(page_texts: list[str], title: str, next_title: str | None) -> str:
    text = "\n".join(page_texts)
    start = text.rindex(title)
    end = text.index(next_title, start) if next_title and next_title in text[start:] else None
    body = text[start:end]
    return re.sub(r"-\n", "", body).replace("\n", " ").replace("\xa0", " ")


def test_index_pages_are_the_pages_of_the_mentions(view, page_texts: list[str],  # type: ignore[no-untyped-def]
                                                    anchor_pages: dict[str, int]) -> None:
    titles = [s.title for s in view.indexes]
    checked = 0
    for position, section in enumerate(view.indexes):
        following = titles[position + 1] if position + 1 < len(titles) else None
        body = re.sub(r"\s+", " ", index_text(page_texts, section.title, following))
        for row in section.rows:
            if not isinstance(row, IndexEntry) or not row.mentions:
                continue
            pages = [anchor_pages[m.anchor] for m in row.mentions]
            expected = ranges(pages)
            name = row.entity.name
            windows = [body[m.start(): m.start() + len(name) + 400]
                       for m in re.finditer(re.escape(name), body)]
            assert any(w.startswith(name) and expected in w for w in windows), (name, expected)
            checked += 1
            # the page really holds the mention's words
            for mention in row.mentions[:3]:
                page_text = re.sub(r"-\n|\s+", "", page_texts[anchor_pages[mention.anchor] - 1])
                assert page_text, mention.anchor
    assert checked > 100


def test_index_is_in_hungarian_order(view, page_texts: list[str]) -> None:  # type: ignore[no-untyped-def]
    people = next(s for s in view.indexes if s.kind == "people")
    names = [row.entity.name if isinstance(row, IndexEntry) else row.form
             for row in people.rows]
    assert names == sorted(names, key=locale_for("hu").sort_key)
    body = index_text(page_texts, people.title, view.indexes[1].title)
    cursor = 0
    for name in names:  # each name is found after the previous one
        found = body.find(name, cursor)
        assert found >= 0, f"{name} is not printed after the entry before it"
        cursor = found + len(name)
    assert names.index("Gerő Ernő") < names.index("Gimes Miklós")  # e before i
    assert names.index("Szőnyi Tibor") < names.index("Szuszlov, Mihail Andrejevics")


def words_of_html(html: str) -> set[str]:
    """The words of the HTML WeasyPrint was given, without its soft hyphens."""
    text = unescape(re.sub(r"<[^>]+>", " ", html.split("<body", 1)[1])).replace("\xad", "")
    return set(re.findall(r"[\w-]+", text))


def page_bodies(page_texts: list[str]) -> list[str]:
    """The pages' text without folios and running heads (set in capitals)."""

    def furniture(line: str) -> bool:
        line = line.strip()
        return line.isdigit() or (line == line.upper() and any(c.isalpha() for c in line))

    bodies = []
    for text in page_texts:
        lines = text.strip().splitlines()
        while lines and furniture(lines[-1]):
            lines = lines[:-1]
        while lines and furniture(lines[0]):
            lines = lines[1:]
        bodies.append("\n".join(lines))
    return bodies


def hyphenated_breaks(page_texts: list[str]) -> list[tuple[str, list[str]]]:
    """(left part, candidate right parts) of every line that ends in a hyphen.

    Within a page the right part is the next line's first word; across pages it
    may be any of the next page's first words (a margin time may come first).
    """
    bodies = page_bodies(page_texts)
    found: list[tuple[str, list[str]]] = []
    for number, body in enumerate(bodies):
        # an added hyphen is a soft one in the text layer (U+00AD), a real one U+002D
        for match in re.finditer(r"([\w-]*\w)[-\u2010\u00ad]\s*\n(\w[\w-]*)", body):
            found.append((match.group(1), [match.group(2)]))
        tail = re.search(r"([\w-]*\w)[-\u2010\u00ad]\s*$", body)
        if tail and number + 1 < len(bodies):
            found.append((tail.group(1), re.findall(r"\w[\w-]*", bodies[number + 1])[:12]))
    return found


def test_every_hyphenated_break_joins_back_to_a_word(real_build: Path,
                                                     page_texts: list[str]) -> None:
    words = words_of_html((real_build / "html" / "index.html").read_text(encoding="utf-8"))
    words |= {w.lower() for w in words}
    breaks = hyphenated_breaks(page_texts)
    for left, rights in breaks:
        # the word joins back, or the line ends at a real hyphen of the text ("párt- és")
        assert any(f"{left}{r}" in words or f"{left}-{r}" in words
                   or (f"{left}-" in words and r in words) for r in rights), (left, rights)
    assert len(breaks) > 20, "hyphenation should be active in the booklet"


def test_no_wrong_split_of_double_digraphs(page_texts: list[str]) -> None:
    for left, rights in hyphenated_breaks(page_texts):
        right = rights[0] if rights else ""
        joined = left + right
        for cluster in ("ssz", "ggy", "tty", "lly", "nny", "ccs", "zzs"):
            at = joined.find(cluster)
            assert at < 0 or not (at < len(left) < at + 3), (left, right)


def test_hungarian_quotes_and_dashes(page_texts: list[str]) -> None:
    body = "\n".join(page_texts)
    assert "„" in body and "”" in body and "–" in body
    assert '"' not in body
    assert "“" not in body
    assert "1956. október 23., kedd" in body
    assert re.search(r"Nagy Imre\s*–\s*akit", body)


def test_fonts_are_embedded_and_from_the_font_packages(real_build: Path) -> None:
    for name in (f"{SLUG}-booklet.pdf", f"{SLUG}-handout.pdf", f"{SLUG}-booklet-print.pdf"):
        with pikepdf.open(real_build / name) as pdf:
            fonts = {}
            for page in pdf.pages:
                for font in page.Resources.get("/Font", {}).values():
                    fonts[str(font.get("/BaseFont"))] = font
                for xobj in page.Resources.get("/XObject", {}).values():
                    for font in xobj.get("/Resources", {}).get("/Font", {}).values():
                        fonts[str(font.get("/BaseFont"))] = font
            assert fonts, name
            for base, font in fonts.items():
                # only the book's own faces (BB Serif/Sans from the font packages): no system
                # font was substituted anywhere
                assert re.match(r"/[A-Z]{6}\+BB-(Serif|Sans)", base), base
                descendant = font.get("/DescendantFonts", [font])[0]
                descriptor = descendant.get("/FontDescriptor")
                assert descriptor is not None and (
                    "/FontFile2" in descriptor or "/FontFile3" in descriptor
                    or "/FontFile" in descriptor), base


def test_metadata_outline_and_structure(real_build: Path, booklet: PdfReader) -> None:
    meta = booklet.metadata
    assert meta is not None and meta.title == "Az 1956-os forradalom és szabadságharc"
    assert meta.author and meta.subject and "1956" in (meta.get("/Keywords") or "")
    with pikepdf.open(real_build / f"{SLUG}-booklet.pdf") as pdf:
        assert str(pdf.Root.get("/Lang")) == "hu"
        assert "/StructTreeRoot" in pdf.Root  # tagged PDF
        assert "pdfuaid:part=\"1\"" in str(pdf.open_metadata())  # WeasyPrint's PDF/UA-1
        assert pdf.check_pdf_syntax() == []  # qpdf's structural check
        with pdf.open_outline() as outline:
            # titles are typeset: a no-break space keeps "16 pontja" together
            titles = [item.title.replace("\u00a0", " ") for item in outline.root]
            days = [child.title.replace("\u00a0", " ") for item in outline.root
                    for child in item.children]
    assert "A MEFESZ 16 pontja" in titles and "Személynévmutató" in titles
    assert "1956. október 23., kedd" in days
    assert titles.count("Az 1956-os forradalom és szabadságharc") == 0


def test_handout_is_photocopy_friendly(real_build: Path) -> None:
    handout = PdfReader(real_build / f"{SLUG}-handout.pdf")
    sizes: list[float] = []

    def visit(text: str, cm: object, tm: object, font: object, size: float) -> None:
        if text.strip():
            scale = abs(tm[0] * cm[0]) or 1  # type: ignore[index]
            sizes.append(size * scale)

    texts = []
    for page in handout.pages:
        texts.append(page.extract_text(visitor_text=visit))
    assert min(sizes) >= 8.95, f"smallest text {min(sizes):.2f} pt"
    text = "\n".join(texts).replace("\u00a0", " ")  # no-break spaces of the typography
    assert "A MEFESZ 16 pontja" in text and "Ki kicsoda?" in text
    assert "Nagy Imre" in text and "1896–1958" in text


def test_contents_page_numbers_are_where_the_sections_start(
        page_texts: list[str], anchor_pages: dict[str, int], view) -> None:  # type: ignore[no-untyped-def]
    toc = next(t for t in page_texts if "Tartalom" in t)
    entries = dict(re.findall(r"^(.+?)\s*\.{3,}\s*(\d+)\s*$", toc, flags=re.M))
    wanted = {part.part.title: part.anchor for part in view.parts}
    wanted.update({section.title: section.anchor for section in view.indexes})
    for title, anchor in wanted.items():
        title = title.replace("\u00a0", " ")  # the contents page as pdftotext reads it
        assert title in entries, title
        assert int(entries[title]) == anchor_pages[anchor], title


def test_cross_reference_page_numbers_are_the_pages_of_their_targets(
        page_texts: list[str], anchor_pages: dict[str, int], view) -> None:  # type: ignore[no-untyped-def]
    """Demands name the pages of their events, events those of their demands: the numbers
    come from the booklet's own page map, laid out once (no target-counter())."""
    text = re.sub(r"\s+", " ", " ".join(page_texts).replace("\u00a0", " "))
    refs = [(ref.label, ref.event.anchor) for part in view.parts for d in part.demands
            for g in d.event_groups for ref in g.refs]
    refs += [(ref.label, ref.demand.id) for part in view.parts
             for ev in [*part.events, *(e for g in part.groups for e in g.events)]
             for g in ev.demand_groups for ref in g.refs]
    assert len(refs) > 40
    locale = locale_for("hu")
    for label, anchor in refs:
        shown = f"→ {label} ({locale.page_ref(anchor_pages[anchor])})".replace("\u00a0", " ")
        assert re.sub(r"\s+", " ", shown) in text, shown


def test_running_heads_and_folios_on_the_outer_corners(booklet: PdfReader,
                                                       page_texts: list[str]) -> None:
    from pdftext import text_runs

    heads = {i + 1: re.sub(r"\s+", " ", t) for i, t in enumerate(page_texts)}
    assert any("1956. OKTÓBER 23., KEDD" in t for t in heads.values())  # a day, on the right
    assert any("A FORRADALOM NAPRÓL NAPRA" in t for t in heads.values())  # a part, on the left
    width = A5[0]
    checked = 0
    for number, page in enumerate(booklet.pages, start=1):
        runs = [(text, x) for text, x, y in text_runs(page) if text == str(number) and y < 60]
        if not runs:
            continue
        _, x = runs[0]
        assert (x > width / 2) == (number % 2 == 1), f"page {number}: folio at x={x:.0f}"
        checked += 1
    assert checked > 15


def test_timeline_figure_is_drawn_from_the_data(page_texts: list[str], view) -> None:  # type: ignore[no-untyped-def]
    text = "\n".join(page_texts)
    assert "A forradalom napjai és legfontosabb eseményei" in text
    for label in ("okt. 23.", "okt. 30.", "nov. 4."):
        assert label in text
    key_titles = [e.event.title for e in view.key_events if e.event.date.start.month in (10, 11)
                  and e.event.date.start.year == 1956 and e.event.date.start.day >= 1]
    assert sum(title in text for title in key_titles) >= len(key_titles) // 2


@pytest.mark.parametrize("edition", ["booklet", "handout"])
def test_no_words_are_printed_over_each_other(real_build: Path, edition: str) -> None:
    from pdfgeom import overlapping_words

    path = real_build / f"{SLUG}-{edition}.pdf"
    for number in range(1, len(PdfReader(path).pages) + 1):
        assert overlapping_words(path, number) == [], number
