"""The PDFs' text layer and tag tree, read back with pikepdf, pypdf and pdftotext.

What a screen reader, a search box and a copy-paste get from the booklet, the handout and
the imposed print file: ligatures as their letters, running heads and folios as
artifacts, links described in words, headings with text, the print file identified.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
import weasyprint
from pypdf import PdfReader

from bookbuild.builders.pdftags import finish_imposed, finish_pdf, ligature_texts
from bookbuild.render.fonts import font_face_css, font_faces
from conftest import FIXTURE_BOOKS

pytestmark = pytest.mark.slow

LIGATURE_WORDS = ["Offenheit", "Hoffnungen", "geöffnet", "Chefideologe", "fliegen",
                  "Pálffy", "Petőfi", "affig", "Schiffahrt", "auffliegen", "Aufklärung"]


def pdftotext(path: Path) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.fail("pdftotext (poppler-utils) is missing")
    return subprocess.run([tool, "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def pypdf_text(path: Path) -> str:
    return "\n\f".join(page.extract_text() for page in PdfReader(path).pages)


def test_the_text_face_has_the_ligatures_the_test_means() -> None:
    regular = next(f for f in font_faces() if f.family == "BB Serif" and f.style == "normal")
    texts = set(ligature_texts(regular.path).values())
    assert {"ff", "fi", "fl"} <= texts


def small_pdf(target: Path, language: str, css: str, body: str) -> tuple[Path, str]:
    """``body`` laid out by WeasyPrint alone (no post-processing) in the bundled serif, as
    a tagged PDF/UA-1 file at ``target``; the file and the HTML laid out."""
    html = (f'<html lang="{language}"><head><style>{font_face_css()} body {{ font-family: '
            f'"BB Serif"; }} {css}</style></head><body>{body}</body></html>')
    weasyprint.HTML(string=html).write_pdf(target, pdf_variant="pdf/ua-1")
    return target, html


def test_ligatures_next_to_soft_hyphens_extract_as_their_letters(tmp_path: Path) -> None:
    """WeasyPrint maps a ligature first drawn beside a soft hyphen to no text; fixed after."""
    hyphenated = " ".join(w.replace("ff", "f\u00adf").replace("fi", "f\u00adi")
                          for w in LIGATURE_WORDS)
    target, _html = small_pdf(tmp_path / "ligatures.pdf", "de",
                       "body { hyphens: manual; } h1 { font-weight: 600 }",
                       f"<h1>{hyphenated}</h1><p>{hyphenated}</p>"
                       f"<p>{' '.join(LIGATURE_WORDS)}</p>")
    broken = pdftotext(target)
    assert "Offenheit" not in broken.replace("\u00ad", ""), "WeasyPrint was fixed: " \
        "the post-processing may go"
    finish_pdf(target, {})
    for text in (pdftotext(target), pypdf_text(target)):
        words = set(text.replace("\u00ad", "").split())
        assert set(LIGATURE_WORDS) <= words, sorted(set(LIGATURE_WORDS) - words)


# ---------------------------------------------------------------- the built book


@pytest.fixture(scope="module")
def pdfs(real_build: Path) -> list[Path]:
    found = sorted(real_build.glob("*.pdf"))
    assert len(found) == 3
    return found


def _marked(page: pikepdf.Page) -> Iterator[tuple[str, int]]:
    """(tag, MCID or -1) of every marked-content sequence on ``page``."""
    for item in pikepdf.parse_content_stream(page):
        if str(item.operator) in ("BDC", "BMC"):
            props = item.operands[1] if len(item.operands) > 1 else None
            mcid = int(props.get("/MCID", -1)) if isinstance(props, pikepdf.Dictionary) else -1
            yield str(item.operands[0]), mcid


def _reachable(pdf: pikepdf.Pdf) -> dict[tuple[int, int], pikepdf.Dictionary]:
    seen: dict[tuple[int, int], pikepdf.Dictionary] = {}
    stack = [pdf.Root.StructTreeRoot.K]
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Array):
            stack.extend(node)
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
            if node.objgen in seen:
                continue
            seen[node.objgen] = node
            if "/K" in node:
                stack.append(node.K)
    return seen


def test_every_marked_text_is_in_the_tree_or_an_artifact(pdfs: list[Path]) -> None:
    for path in pdfs:
        if path.name.endswith("-print.pdf"):
            continue
        with pikepdf.open(path) as pdf:
            reachable = _reachable(pdf)
            nums = pdf.Root.StructTreeRoot.ParentTree.Nums
            tree = {int(nums[k]): nums[k + 1] for k in range(0, len(nums), 2)}
            artifacts = 0
            for number, page in enumerate(pdf.pages, start=1):
                parents = tree[int(page.StructParents)]
                for tag, mcid in _marked(page):
                    if tag == "/Artifact":
                        artifacts += 1
                        continue
                    element = parents[mcid]
                    assert isinstance(element, pikepdf.Dictionary), (path.name, number, mcid)
                    assert element.objgen in reachable, (path.name, number, mcid, tag)
            # every page but the cover and the front matter has a folio
            assert artifacts >= len(pdf.pages) // 2, (path.name, artifacts)


def test_headings_hold_text(pdfs: list[Path]) -> None:
    """Every heading marks content (pdfua's UA-14-001 runs only with its number test
    corrected, see test_accessibility; checked here as well)."""
    def marks(node: object) -> bool:
        if isinstance(node, int):
            return True
        if isinstance(node, pikepdf.Array):
            return any(marks(k) for k in node)
        if isinstance(node, pikepdf.Dictionary):
            return node.get("/Type") == "/MCR" or ("/K" in node and marks(node.K))
        return False

    for path in pdfs:
        if path.name.endswith("-print.pdf"):
            continue
        with pikepdf.open(path) as pdf:
            headings = [e for e in _reachable(pdf).values()
                        if str(e.S) in ("/H1", "/H2", "/H3", "/H4", "/H5", "/H6")]
            assert headings, path.name
            assert all(marks(h.get("/K")) for h in headings), path.name


def test_links_are_described_in_words(pdfs: list[Path]) -> None:
    for path in pdfs:
        if path.name.endswith("-print.pdf"):
            continue
        with pikepdf.open(path) as pdf:
            described = 0
            for page in pdf.pages:
                for annot in page.get("/Annots", []):
                    if annot.get("/Subtype") != "/Link" or "/Dest" not in annot:
                        continue
                    contents = str(annot.get("/Contents", ""))
                    assert contents and contents != str(annot.Dest), (path.name, contents)
                    described += 1
            assert described, path.name
    with pikepdf.open(next(p for p in pdfs if p.name.endswith("-booklet.pdf"))) as pdf:
        said = {str(a.get("/Contents", "")) for page in pdf.pages
                for a in page.get("/Annots", [])}
    assert "13.\u00a0pont" in said
    assert "okt.\u00a023., 21:30 – Ledöntik a Sztálin-szobrot" in said


def test_the_imposed_print_file_is_identified(pdfs: list[Path]) -> None:
    path = next(p for p in pdfs if p.name.endswith("-print.pdf"))
    with pikepdf.open(path) as pdf:
        assert str(pdf.Root.Lang) == "hu"
        assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle)
        assert bool(pdf.Root.MarkInfo.Marked)
        meta = pdf.open_metadata()
        assert meta["dc:title"].startswith("Az 1956-os forradalom")
        assert meta["pdfuaid:part"] == "1"
        for page in pdf.pages:
            first = pikepdf.parse_content_stream(page)[0]
            assert str(first.operator) == "BMC" and first.operands[0] == "/Artifact"


def test_finishing_is_reproducible(pdfs: list[Path], tmp_path: Path) -> None:
    source = next(p for p in pdfs if p.name.endswith("-booklet.pdf"))
    copies = []
    for name in ("a.pdf", "b.pdf"):
        copy = tmp_path / name
        shutil.copy(source, copy)
        finish_pdf(copy, {"x": "y"})
        copies.append(copy.read_bytes())
    assert copies[0] == copies[1]
    imposed = [finish_imposed(source.read_bytes(), language="hu", title="T") for _ in (1, 2)]
    assert imposed[0] == imposed[1]
    assert PdfReader(io.BytesIO(imposed[0])).metadata.title == "T"


# ---------------------------------------------------------------- blank pages


def furniture_only(text: str) -> bool:
    """A page whose only text is a running head (capitals) and a folio (digits)."""
    words = text.split()
    return bool(words) and all(w.isdigit() or w == w.upper() for w in words)


def test_no_page_is_blank_but_for_a_running_head_and_a_folio(
        book_pdfs: tuple[Path, list[Path]]) -> None:
    for path in book_pdfs[1]:
        for number, page in enumerate(PdfReader(path).pages, start=1):
            assert not furniture_only(page.extract_text()), (path.name, number)


def test_a_layout_that_forces_right_hand_openings_leaves_blank_pages_empty(
        tmp_path: Path) -> None:
    from conftest import REPO, VALID, build_into

    project = tmp_path / "book"
    shutil.copytree(VALID, project)
    css = (REPO / "layouts" / "css" / "booklet.css").read_text(encoding="utf-8")
    forced = css.replace(".part { break-before: page; }", ".part { break-before: right; }")
    assert forced != css
    (project / "layouts" / "css").mkdir(parents=True)
    (project / "layouts" / "css" / "booklet.css").write_text(forced, encoding="utf-8")
    out = build_into(project, tmp_path / "dist", "booklet")
    booklet = next(out.glob("*-booklet.pdf"))
    texts = [page.extract_text() for page in PdfReader(booklet).pages]
    assert any(not t.strip() for t in texts[1:]), "the forced openings left a page blank"
    for number, text in enumerate(texts, start=1):
        assert not furniture_only(text), (number, text)


# ---------------------------------------------------------------- line ends


def joined(text: str) -> str:
    """Extracted text read as a person reads it: at a line end, a soft hyphen joins the
    word and is dropped, a real hyphen joins the compound and stays."""
    text = re.sub("\u00ad[ \t]*\n[ \t]*", "", text)
    return re.sub("(?<=\\w)[-\u2010][ \t]*\n[ \t]*(?=\\w)", "-", text)


def test_added_hyphens_are_soft_and_word_breaks_keep_their_space(tmp_path: Path) -> None:
    paragraphs = ("<p>aaaa bbbb ellensé\u00adgeskedésnek a Duna-parton ccc Offenheit ddd</p>"
                  "<p>aaaa bbbb cccc Duna-parton és a Sztá\u00adlin-szob\u00adrot</p>")
    target, html = small_pdf(tmp_path / "lines.pdf", "hu",
                             "body { hyphens: manual; width: 30mm; }", paragraphs)
    before = pypdf_text(target)
    assert "ellensé\u2010\n" in before or "ellensé-\n" in before, "the layout breaks there"
    finish_pdf(target, {}, html)
    for text in (pdftotext(target), pypdf_text(target)):
        assert "ellensé\u00ad" in text  # the added hyphen is a soft one ...
        words = joined(text).split()
        assert "ellenségeskedésnek" in words  # ... and the word joins back
        assert words.count("Duna-parton") == 2  # a real hyphen stays what it is
        assert "Sztálin-szobrot" in words
    # in tag order (the text without the layout), no word is glued to the next line's
    assert " a Duna-parton" in pypdf_text(target).replace("\n", "")
    # a real hyphen at a line end says U+2010 (a "-" there is taken for an added one)
    target, narrow = small_pdf(target, "hu", "body { hyphens: manual; width: 24mm; }",
                               paragraphs)
    finish_pdf(target, {}, narrow)
    for text in (pdftotext(target), pypdf_text(target)):
        assert re.search("Duna\u2010\\s*\n", text), text
        assert "Sztálin-szob\u00ad" in text
        assert joined(text).split().count("Duna-parton") == 2


def test_line_ends_are_mended_page_by_page_across_the_pages(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The parsed content of two pages at most is held at a time (a book's pages, all
    parsed, took more memory than its layout), and a page's last line still goes on
    with the next page: a word broken over the page break has a soft hyphen."""
    import weakref

    from bookbuild.builders.pdflines import hyphenation_pairs, mend_line_ends, real_hyphen_words

    word = "ellen\u00adsé\u00adges\u00adke\u00addés"
    target, html = small_pdf(tmp_path / "pages.pdf", "hu",
                             "@page { size: A7; margin: 10mm } body { hyphens: manual; "
                             "width: 25mm; }", f"<p>{' '.join([word] * 120)}</p>")
    real_parse = pikepdf.parse_content_stream

    class Tracked(pikepdf.ContentStreamInstruction):
        pass

    parsed: list[list[weakref.ref[Tracked]]] = []
    held: list[int] = []

    def parse(page: pikepdf.Page) -> list[Tracked]:
        held.append(sum(any(r() is not None for r in refs) for refs in parsed))
        found = [Tracked(i.operands, i.operator) for i in real_parse(page)]
        parsed.append([weakref.ref(i) for i in found])
        return found

    with pikepdf.open(target, allow_overwriting_input=True) as pdf:
        pages = len(pdf.pages)
        monkeypatch.setattr(pikepdf, "parse_content_stream", parse)
        mend_line_ends(pdf, hyphenation_pairs(html), real_hyphen_words(html))
        monkeypatch.undo()
        pdf.save(target)
    assert pages > 4 and len(held) == pages and max(held) <= 2, held
    texts = [page.extract_text() for page in PdfReader(target).pages]
    broken = [t for t in texts[:-1] if t.rstrip().endswith(("-", "\u00ad", "\u2010"))]
    assert broken and all(t.rstrip().endswith("\u00ad") for t in broken), \
        [t.rstrip()[-12:] for t in broken]


def manuscript_words(project: Path) -> set[str]:
    """The words of a book's running texts (events and demands), as typeset."""
    from bookbuild.errors import Diagnostics
    from bookbuild.locale import locale_for
    from bookbuild.manuscript import find_project, read_manuscript
    from bookbuild.manuscript.markup import rich_plain_text

    manuscript = read_manuscript(find_project(project), Diagnostics())
    typeset = locale_for(manuscript.meta.language).typeset
    texts = [e.text for e in manuscript.events] + [d.text for d in manuscript.demands]
    words: set[str] = set()
    for text in texts:
        plain = typeset(rich_plain_text(text))
        words |= {w for w in re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", plain) if len(w) > 1}
    return words


@pytest.fixture(scope="module", params=["1956", *FIXTURE_BOOKS])
def book_pdfs(request: pytest.FixtureRequest) -> tuple[Path, list[Path]]:
    """(project, its booklet and handout) for the bundled book and each fixture book."""
    from conftest import BOOKS, REPO

    if request.param == "1956":
        project, out = REPO, Path(request.getfixturevalue("real_build"))
    else:
        project = BOOKS / request.param
        out = Path(request.getfixturevalue("book_builds")(request.param))
    pdfs = sorted(p for p in out.glob("*.pdf") if not p.name.endswith("-print.pdf"))
    assert pdfs
    return project, pdfs


@pytest.mark.parametrize("extract", [pdftotext, pypdf_text], ids=["pdftotext", "pypdf"])
def test_every_word_of_the_book_extracts_whole(book_pdfs: tuple[Path, list[Path]],
                                              extract: object) -> None:
    """In every language: ligature words whole, added hyphens joined, compounds kept."""
    project, pdfs = book_pdfs
    expected = manuscript_words(project)
    assert any(lig in w for w in expected for lig in ("ff", "fi", "fl")), "words with ligatures"
    booklet = next(p for p in pdfs if p.name.endswith("-booklet.pdf"))
    raw = extract(booklet)  # type: ignore[operator]
    # a word broken over a page has the folio and running head between its halves: its
    # soft hyphen is followed by them, not by the lower-case rest of the word
    broken = {m.group(1) for m in re.finditer(r"([^\W\d_]+)\u00ad\s+(\S)", raw)
              if not m.group(2).islower()}
    found = set(re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", joined(raw)))
    missing = {w for w in expected - found
               if not any(w.startswith(b) or b in w for b in broken)}
    assert not missing, sorted(missing)[:40]
    compounds = {w for w in expected if "-" in w}
    assert compounds <= found | {w for w in compounds if any(b in w for b in broken)}


def test_no_heading_inside_a_heading(pdfs: list[Path]) -> None:
    headings = {"/H", "/H1", "/H2", "/H3", "/H4", "/H5", "/H6"}
    for path in pdfs:
        if path.name.endswith("-print.pdf"):
            continue
        with pikepdf.open(path) as pdf:
            for element in _reachable(pdf).values():
                if str(element.S) not in headings:
                    continue
                parent = element.get("/P")
                while isinstance(parent, pikepdf.Dictionary) and "/S" in parent:
                    assert str(parent.S) not in headings, path.name
                    parent = parent.get("/P")


# ---------------------------------------------------------------- the tree in the document's shape

CALL = "\ue000"  # where a note's number stands in a paragraph


def _printed(nodes: tuple[object, ...]) -> str:
    """A paragraph's text as the book prints it, a note call as CALL."""
    from bookbuild.manuscript.markup import Correction, Emphasis, Link, Mention, NoteRef, Text

    out = []
    for node in nodes:
        if isinstance(node, Text):
            out.append(node.text)
        elif isinstance(node, Emphasis | Mention | Link):
            out.append(_printed(node.children))
        elif isinstance(node, Correction):
            out.append(node.printed + (CALL if node.note_id else ""))
        elif isinstance(node, NoteRef):
            out.append(CALL)
    return "".join(out)


def said(text: str) -> str:
    """Tagged or typeset text compared as read: no soft hyphens or joiners, one space."""
    text = text.replace("\u00ad", "").replace("\u2060", "").replace("\u2010", "-")
    return " ".join(text.split())


def _manuscript(project: Path) -> object:
    from bookbuild.errors import Diagnostics
    from bookbuild.manuscript import find_project, read_manuscript

    return read_manuscript(find_project(project), Diagnostics())


def paragraph_patterns(project: Path) -> list[re.Pattern[str]]:
    """Every paragraph of the book's events, as a pattern of its tagged text (a note call
    is its number)."""
    from bookbuild.locale import locale_for

    manuscript = _manuscript(project)
    typeset = locale_for(manuscript.meta.language).typeset  # type: ignore[attr-defined]
    return [re.compile(r"\d+".join(re.escape(piece) for piece in
                                   said(typeset(_printed(p.children))).split(CALL)))
            for event in manuscript.events for p in event.text.paragraphs]  # type: ignore[attr-defined]


def _booklet(book_pdfs: tuple[Path, list[Path]]) -> Path:
    return next(p for p in book_pdfs[1] if p.name.endswith("-booklet.pdf"))


def test_a_paragraph_over_a_page_break_is_one_P(book_pdfs: tuple[Path, list[Path]]) -> None:
    """Every paragraph is one P whose text is the paragraph's, also one running over a page
    break (the 1956 booklet has several; a fixture book may have none)."""
    from conftest import REPO
    from tagtext import element_text, elements, marked_texts, pages_of

    project, _pdfs = book_pdfs
    with pikepdf.open(_booklet(book_pdfs)) as pdf:
        texts = marked_texts(pdf)
        paragraphs = [(said(element_text(e, texts)), len(pages_of(e)))
                      for e in elements(pdf) if e.S == "/P"]
    over_a_break = 0
    for pattern in paragraph_patterns(project):
        found = [pages for text, pages in paragraphs if pattern.fullmatch(text)]
        assert len(found) == 1, (pattern.pattern[:80], len(found))
        over_a_break += found[0] > 1
    if project == REPO:
        assert over_a_break >= 3, over_a_break


def test_the_tree_has_the_documents_sections_not_the_pages(
        book_pdfs: tuple[Path, list[Path]]) -> None:
    """A part is one Sect holding its heading and every event of it, however many pages."""
    from bookbuild.locale import locale_for
    from tagtext import element_text, elements, marked_texts

    project, _pdfs = book_pdfs
    manuscript = _manuscript(project)
    typeset = locale_for(manuscript.meta.language).typeset  # type: ignore[attr-defined]
    with pikepdf.open(_booklet(book_pdfs)) as pdf:
        texts = marked_texts(pdf)
        every = list(elements(pdf))
        sections = [e for e in every if e.S == "/Sect"]
        assert len(sections) != len(pdf.pages)
        document = pdf.Root.StructTreeRoot.K[0]
        assert len(document.K) < len(pdf.pages)
        for part in manuscript.parts:  # type: ignore[attr-defined]
            title = said(typeset(part.title))
            holding = [s for s in sections if (kids := [k for k in s.K if "/S" in k])
                       and kids[0].S == "/H1" and said(element_text(kids[0], texts)) == title]
            assert len(holding) == 1, (title, len(holding))
            events = sum(1 for e in manuscript.events if e.part == part.id)  # type: ignore[attr-defined]
            inside = sum(1 for e in _descendants(holding[0]) if e.S == "/Art")
            assert inside == events, (title, inside, events)


def _descendants(element: pikepdf.Dictionary) -> Iterator[pikepdf.Dictionary]:
    for kid in element.get("/K", []):
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid
            yield from _descendants(kid)


def test_every_marked_content_maps_back_to_the_element_that_owns_it(
        pdfs: list[Path]) -> None:
    """The parent tree after the joins: page and MCID → the element whose /K holds it (an
    MCR with its own page), every marked content owned once, each link by its element."""
    from tagtext import elements

    for path in pdfs:
        if path.name.endswith("-print.pdf"):
            continue
        with pikepdf.open(path) as pdf:
            nums = pdf.Root.StructTreeRoot.ParentTree.Nums
            tree = {int(nums[k]): nums[k + 1] for k in range(0, len(nums), 2)}
            key = {page.objgen: int(page.StructParents) for page in pdf.pages}
            owned: dict[tuple[int, int], tuple[int, int]] = {}
            references = 0
            for element in elements(pdf):
                k = element.get("/K", pikepdf.Array())
                for kid in k if isinstance(k, pikepdf.Array) else [k]:
                    if isinstance(kid, int):
                        where = (key[element.Pg.objgen], kid)
                    elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                        where = (key[kid.Pg.objgen], int(kid.MCID))
                        references += kid.Pg.objgen != element.Pg.objgen
                    elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR":
                        assert tree[int(kid.Obj.StructParent)].objgen == element.objgen
                        continue
                    else:
                        continue
                    assert where not in owned, (path.name, where)
                    owned[where] = element.objgen
                    assert tree[where[0]][where[1]].objgen == element.objgen, (path.name, where)
            marked = {(key[page.objgen], mcid) for page in pdf.pages
                      for tag, mcid in _marked(page) if tag != "/Artifact"}
            assert marked == set(owned), (path.name, sorted(marked ^ set(owned))[:5])
            if path.name.endswith("-booklet.pdf"):
                assert references, "no element holds marked content of a second page"


def test_the_contents_leader_dots_are_not_link_text(pdfs: list[Path]) -> None:
    """The dots before a page number are drawn (pdftotext sees them) as an artifact: the
    contents' links say the title and the page, nothing else."""
    from tagtext import element_text, elements, marked_texts

    booklet = next(p for p in pdfs if p.name.endswith("-booklet.pdf"))
    with pikepdf.open(booklet) as pdf:
        texts = marked_texts(pdf)
        links = [said(element_text(e, texts)) for e in elements(pdf) if e.S == "/Link"
                 and "/P" in e and e.P.get("/S") != "/Link"]
    assert links
    assert not [t for t in links if ".." in t], [t for t in links if ".." in t][:3]
    contents = [t for t in links if t.startswith("A MEFESZ 16")]
    assert contents and re.fullmatch(r"A MEFESZ 16\s?pontja \d+", contents[0]), contents
    shown = [page for page in pdftotext(booklet).split("\f") if "Tartalom" in page]
    assert shown and "......" in shown[0]


def test_an_index_term_and_its_description_are_one_list_item(
        book_pdfs: tuple[Path, list[Path]]) -> None:
    """dt/dd: one LI whose label (Lbl) is the term and whose body (LBody) describes it."""
    from tagtext import element_text, elements, marked_texts

    project, _pdfs = book_pdfs
    manuscript = _manuscript(project)
    with pikepdf.open(_booklet(book_pdfs)) as pdf:
        texts = marked_texts(pdf)
        items = [e for e in elements(pdf) if e.S == "/LI"
                 and any(k.S == "/Lbl" for k in e.K if isinstance(k, pikepdf.Dictionary))]
        labels = set()
        for item in items:
            kinds = [str(k.S) for k in item.K if isinstance(k, pikepdf.Dictionary) and "/S" in k]
            assert kinds == ["/Lbl", "/LBody"], kinds
            labels.add(said(element_text(item.K[0], texts)))
            assert said(element_text(item.K[1], texts))
    names = {said(e.name) for e in manuscript.entities}  # type: ignore[attr-defined]
    assert names <= {label.split(" (")[0].split(" – ")[0] for label in labels}, \
        sorted(names - labels)[:5]


def test_every_element_weasyprint_tags_is_traced_to_its_box(tmp_path: Path) -> None:
    """The walk of the boxes (boxtags) meets WeasyPrint's tagging on every page, for the
    constructs it tags specially: lists with and without markers, nested lists, dl,
    tables, links with generated content and a leader, figures, a paragraph over a page."""
    from bookbuild.builders.boxtags import origins, page_elements
    from tagtext import elements

    words = " ".join(f"word{k}" for k in range(900))
    html = (f'<html lang="en"><head><style>{font_face_css()} body {{ font-family: "BB Serif"; }}'
            " @page { size: A6 } a::after { content: leader('.') ' 3' }"
            " ul.plain { list-style: none }</style></head><body>"
            "<section><h1>Title</h1><p>Before</p>"
            "<ul><li>one<ul><li>nested</li></ul></li><li>two</li></ul>"
            "<ul class='plain'><li><a href='#t'>plain</a><ol><li>in</li></ol></li></ul>"
            "<dl><dt id='t'>term</dt><dd>description</dd><dt>other</dt><dd>more</dd></dl>"
            "<table><tr><th>h</th></tr><tr><td>cell</td></tr></table>"
            f"<p>{words}</p><div>anonymous <p>block</p> text</div></section></body></html>")
    target = tmp_path / "walk.pdf"
    document = weasyprint.HTML(string=html).render()
    document.write_pdf(target, pdf_variant="pdf/ua-1")
    assert len(document.pages) > 2
    laid = page_elements(document.pages)
    del document  # the walk is all the matching needs: the layout is gone by then
    with pikepdf.open(target) as pdf:
        found = origins(pdf, laid)
        every = list(elements(pdf))[1:]  # the Document itself stands for no box
        assert every and all(e.objgen in found for e in every), \
            [str(e.S) for e in every if e.objgen not in found][:5]
        tags = {found[e.objgen].tag for e in every}
        assert {"dt", "dd", "a::after", "p", "td", "li"} <= tags
        assert any(found[e.objgen].leader for e in every)


# ---------------------------------------------------------------- notes, edition by edition


def note_calls(path: Path) -> list[tuple[int, str]]:
    """(number printed, note id) of every note call of the PDF, in reading order: the text
    of each link that leads to a note."""
    from bookbuild.manuscript.anchors import note_anchor
    from tagtext import element_text, elements, marked_texts

    prefix = note_anchor("")
    calls = []
    with pikepdf.open(path) as pdf:
        texts = marked_texts(pdf)
        for element in elements(pdf):
            if element.S != "/Link":
                continue
            for kid in element.K:
                if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR":
                    dest = str(kid.Obj.get("/Dest", ""))
                    if dest.startswith(prefix):
                        calls.append((int(said(element_text(element, texts))),
                                      dest[len(prefix):]))
    return calls


def test_each_edition_numbers_the_notes_it_prints_from_one(pdfs: list[Path]) -> None:
    """The handout prints some notes of the book: 1, 2 … in its order, each call's number
    that of the note it leads to, each number before that note's text in the list; the
    booklet keeps the book's 1 … n."""
    from bookbuild.locale import locale_for
    from bookbuild.manuscript.markup import rich_plain_text
    from conftest import REPO

    manuscript = _manuscript(REPO)
    typeset = locale_for(manuscript.meta.language).typeset  # type: ignore[attr-defined]
    note_text = {n.id: said(typeset(rich_plain_text(n.text)))
                 for n in manuscript.notes}  # type: ignore[attr-defined]
    printed = {}
    for path in pdfs:
        if path.name.endswith("-print.pdf"):
            continue
        calls = note_calls(path)
        numbers = {}
        for number, note_id in calls:
            assert numbers.setdefault(note_id, number) == number, (path.name, note_id)
        assert list(numbers.values()) == list(range(1, len(numbers) + 1)), (path.name, calls)
        shown = said(joined(pdftotext(path)))
        for note_id, number in numbers.items():
            start = " ".join(note_text[note_id].split()[:5])
            assert f" {number}. {start}" in shown, (path.name, number, start)
        printed[path.name.rsplit("-", 1)[-1]] = list(numbers)
    assert len(printed["booklet.pdf"]) == len(manuscript.notes)  # type: ignore[attr-defined]
    handout = printed["handout.pdf"]
    assert handout and set(handout) < set(printed["booklet.pdf"])
    assert handout[0] != printed["booklet.pdf"][0], "the handout's notes are the book's first"


def test_a_line_ending_in_a_spaced_dash_keeps_the_space_after_it(tmp_path: Path) -> None:
    """"Tanácsa – | elnöke": the line broke at the space after the dash, which the tagged
    text keeps; a dash glued to its word ("1953–|55") joins on."""
    target, html = small_pdf(tmp_path / "dash.pdf", "hu", "body { width: 34mm; }",
                       "<p>aaaa Tanácsa\u00a0– elnökeelnöke dddd</p>"
                       "<p>aaaa bbbb cccc dddd eeee 1953–55</p>")
    before = pypdf_text(target)
    assert re.search("–\\s*\n\\s*elnöke", before) and "1953–\n55" in before, before
    finish_pdf(target, {}, html)
    read = pypdf_text(target).replace("\n", "").replace("\u00a0", " ")
    assert "Tanácsa – elnökeelnöke" in read
    assert "1953–55" in read
