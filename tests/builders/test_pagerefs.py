"""Printed page numbers as slots: the contents, cross-references and index take the pages of
the edition's own layout, written into its boxes between WeasyPrint's pagination rounds
(builders/pagefill): one layout, the pages whose numbers changed made again."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest

from bookbuild.builders.pagemap import PageMap, page_locators
from bookbuild.errors import Diagnostics
from bookbuild.manuscript import find_project, read_manuscript
from bookbuild.render.book import BookView, build_view
from bookbuild.render.html import PageContext, layout_dirs, make_environment, render_page
from bookbuild.render.pagerefs import PLACEHOLDER, SLOT_ATTR, PageSlots
from conftest import REPO, VALID


@pytest.fixture(scope="module")
def view() -> BookView:
    manuscript = read_manuscript(find_project(VALID), Diagnostics())
    return build_view(manuscript, manuscript.edition("booklet"))


def _render(view: BookView, template: str, slots: PageSlots | None) -> str:
    manuscript = read_manuscript(find_project(VALID), Diagnostics())
    context = PageContext(edition=manuscript.edition("booklet"), build_date=dt.date(2024, 1, 2),
                          locators=slots.locators if slots else PageContext.locators,
                          page_slots=slots)
    return render_page(make_environment(layout_dirs(None)), template, view, context)


def test_links_print_the_pages_of_the_page_map(view: BookView) -> None:
    slots = PageSlots()
    html = _render(view, "booklet.html.j2", slots)
    assert slots.anchors and slots.entries  # contents, cross-references and index
    assert 'data-page="' in html and "bb-" + slots.nonce in html
    pages = {anchor: 7 for anchor in slots.anchors}
    pages.update({m.anchor: 9 for e in slots.entries for m in e.mentions})
    filled = slots.fill(html, pages, page_locators(PageMap(pages, 12)))
    assert slots.nonce not in filled
    assert set(re.findall(r'data-page="([^"]*)"', filled)) == {"7"}
    first = slots.entries[0].mentions[0].anchor
    assert f'<a href="#{first}">9</a>' in filled  # the index's locators
    placeholders = slots.fill(html, None, page_locators(PageMap({}, 0)))
    assert set(re.findall(r'data-page="([^"]*)"', placeholders)) == {PLACEHOLDER}
    assert slots.indexed() == {m.anchor for e in slots.entries for m in e.mentions}


def test_the_skeleton_marks_every_slot_and_links_every_mention(view: BookView) -> None:
    from bookbuild.builders.pagemap import mention_locators

    slots = PageSlots()
    html = _render(view, "booklet.html.j2", slots)
    skeleton = slots.skeleton(html, mention_locators)
    assert slots.nonce not in skeleton
    marked = re.findall(rf'data-page="([^"]*)" {SLOT_ATTR}="p(\d+)"', skeleton)
    assert {shown for shown, _ in marked} == {PLACEHOLDER}
    assert sorted(int(n) for _, n in marked) == list(range(len(slots.anchors)))
    for number, entry in enumerate(slots.entries):  # a link for each mention
        links = re.findall(rf'<a href="#([^"]+)" {SLOT_ATTR}="l{number}">', skeleton)
        assert links == [m.anchor for m in entry.mentions]


def test_an_anchor_no_page_holds_prints_no_number() -> None:
    slots = PageSlots()
    html = f"<a{slots.page_attr('#gone')}>x</a>"
    assert slots.fill(html, {}, page_locators(PageMap({}, 0))) == '<a data-page="">x</a>'


def test_manuscript_text_cannot_forge_a_slot() -> None:
    slots, other = PageSlots(), PageSlots()
    html = f"<a{slots.page_attr('x')}>" + f"<a{other.page_attr('y')}>" + "bb-0000-p0-"
    filled = slots.fill(html, {"x": 3, "y": 4}, page_locators(PageMap({}, 0)))
    assert filled.startswith('<a data-page="3">') and filled.endswith("bb-0000-p0-")
    assert other.nonce in filled  # another rendering's slot is text to this one


def test_screen_editions_print_no_page_numbers(view: BookView) -> None:
    html = _render(view, "html.html.j2", None)
    assert "data-page" not in html and "bb-" not in html


def test_the_booklet_prints_pages_with_attr_not_target_counter() -> None:
    css = (REPO / "layouts" / "css" / "booklet.css").read_text(encoding="utf-8")
    assert "target-counter" not in css and css.count("attr(data-page)") == 3
    assert Path(REPO / "layouts" / "partials" / "toc.html.j2").read_text(
        encoding="utf-8").count("|page_attr") == 3


def _layouts(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the booklet's layouts (WeasyPrint renders) in this process."""
    from bookbuild.builders.pdf import PdfBuilder

    made: list[int] = []
    real = PdfBuilder.layout

    def counted(self: PdfBuilder, job: object, html: str) -> object:
        made.append(1)
        return real(self, job, html)  # type: ignore[arg-type]

    monkeypatch.setattr(PdfBuilder, "layout", counted)
    return made


@pytest.mark.slow
def test_a_rebuild_starts_from_the_last_pages_and_lays_out_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The build record keeps where the anchors stood; an edit that moves no page prints
    those numbers at once, and the result is the bytes a cold build makes."""
    import shutil

    from bookbuild.builders.cache import BuildRecord
    from bookbuild.commands.build import build
    from conftest import EPOCH

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    project = tmp_path / "book"
    shutil.copytree(VALID, project)
    made = _layouts(monkeypatch)
    build(project, editions=["booklet"], out=tmp_path / "out", err=io.StringIO(), jobs=1)
    assert len(made) == 1  # placeholders first, the pages holding numbers made again
    assert BuildRecord(tmp_path / "out").pages("booklet")
    chronology = project / "manuscript" / "chronology.yaml"
    text = chronology.read_text(encoding="utf-8")
    assert " a " in text
    chronology.write_text(text.replace(" a ", " egy ", 1), encoding="utf-8")
    made.clear()
    build(project, editions=["booklet"], out=tmp_path / "out", err=io.StringIO(), jobs=1)
    assert len(made) == 1
    build(project, editions=["booklet"], out=tmp_path / "fresh", err=io.StringIO(), jobs=1)
    name = "probakonyv-booklet.pdf"
    assert (tmp_path / "out" / name).read_bytes() == (tmp_path / "fresh" / name).read_bytes()


def test_a_damaged_record_of_pages_is_no_guess(tmp_path: Path) -> None:
    import json

    from bookbuild.builders.cache import CACHE_FILE, BuildRecord

    (tmp_path / CACHE_FILE).write_text(json.dumps({"booklet": {
        "key": "k", "outputs": [], "pages": {"a": 3, "b": "4", "c": -1, "d": True}}}))
    assert BuildRecord(tmp_path).pages("booklet") == {"a": 3}
    assert BuildRecord(tmp_path).pages("other") == {}


def _build_booklet(project: Path, out: Path) -> bytes:
    from bookbuild.commands.build import build

    build(project, editions=["booklet"], out=out, err=io.StringIO(), jobs=1)
    return next(out.glob("*-booklet.pdf")).read_bytes()


@pytest.mark.slow
@pytest.mark.parametrize("book", ["valid", "leipzig-1989"])
def test_one_layout_prints_what_laying_out_again_settles_on(
        book: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The numbers written into the boxes give the very bytes that laying the numbered
    HTML out until it settles gives (the way without pagefill), in one layout."""
    from bookbuild.builders.pdf import PdfBuilder
    from conftest import BOOKS, EPOCH

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    project = VALID if book == "valid" else BOOKS / book
    made = _layouts(monkeypatch)
    filled = _build_booklet(project, tmp_path / "filled")
    assert len(made) == 1
    made.clear()
    monkeypatch.setattr(PdfBuilder, "filled", lambda *args: None)
    relaid = _build_booklet(project, tmp_path / "relaid")
    assert len(made) >= 2  # placeholders, then the numbers that layout found
    assert filled == relaid


def _restyled(tmp_path: Path, rule: str) -> Path:
    """A copy of the valid book whose booklet stylesheet ends with ``rule``."""
    import shutil

    project = tmp_path / "book"
    shutil.copytree(VALID, project)
    css = project / "layouts" / "css" / "booklet.css"
    css.parent.mkdir(parents=True)
    css.write_text((REPO / "layouts" / "css" / "booklet.css").read_text(encoding="utf-8")
                   + rule + "\n", encoding="utf-8")
    return project


@pytest.mark.slow
def test_generated_text_showing_the_number_twice_is_laid_out_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A layout whose link text shows its page twice cannot be written box by box: the
    booklet is laid out again until the numbers settle, and they are right."""
    from pypdf import PdfReader

    from conftest import EPOCH

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    project = _restyled(tmp_path, '.demand-ref::after { content: " [" attr(data-page) "|" '
                                  'attr(data-page) "]"; }')
    made = _layouts(monkeypatch)
    reader = PdfReader(io.BytesIO(_build_booklet(project, tmp_path / "out")))
    assert len(made) >= 2
    text = "".join(page.extract_text() for page in reader.pages)
    shown = re.findall(r"\[(\d+)\|(\d+)\]", text)
    assert shown and all(a == b != PLACEHOLDER for a, b in shown)
    pages = {name.lstrip("/"): reader.get_destination_page_number(dest) + 1
             for name, dest in reader.named_destinations.items()}
    assert {int(a) for a, _ in shown} <= {pages[d] for d in pages if d.startswith("demand-")}


@pytest.mark.slow
def test_index_locators_that_are_not_inline_links_are_laid_out_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Locator links made inline blocks are not rewritten box by box (that would leave
    the skeleton's placeholders in the index): laid out again, the index is right."""
    from pypdf import PdfReader

    from conftest import EPOCH

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    project = _restyled(tmp_path, ".locators a { display: inline-block; }")
    made = _layouts(monkeypatch)
    reader = PdfReader(io.BytesIO(_build_booklet(project, tmp_path / "out")))
    assert len(made) >= 2
    last = reader.pages[-1].extract_text()
    assert PLACEHOLDER not in last and re.search(r"\d", last)


@pytest.mark.slow
@pytest.mark.parametrize("mark", ['data-bb-slot="l99999"', 'data-bb-slot="p²"',
                                  'data-bb-slot="lx"'])
def test_a_layout_writing_slot_attributes_itself_builds(
        mark: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A template that writes the skeleton's slot attribute itself (a name no rendering
    made) is no traceback: the booklet is laid out the way without pagefill."""
    import shutil

    from conftest import EPOCH

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    project = tmp_path / "book"
    shutil.copytree(VALID, project)
    partial = project / "layouts" / "partials" / "imprint.html.j2"
    partial.parent.mkdir(parents=True)
    partial.write_text((REPO / "layouts" / "partials" / "imprint.html.j2").read_text(
        encoding="utf-8").replace("</section>", f'<p><a href="#x" {mark}>x</a></p></section>',
                                  1), encoding="utf-8")
    made = _layouts(monkeypatch)
    assert _build_booklet(project, tmp_path / "out").startswith(b"%PDF")
    # a locator slot is looked up: laid out again; a link slot only where it is shown
    assert len(made) >= 2 if 'slot="l' in mark else made
