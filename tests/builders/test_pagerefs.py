"""Printed page numbers as slots: the contents, cross-references and index take the pages of
the edition's own layout, filled in after each layout (no target-counter() relayouts)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from bookbuild.builders.pagemap import PageMap, page_locators
from bookbuild.errors import Diagnostics
from bookbuild.manuscript import find_project, read_manuscript
from bookbuild.render.book import BookView, build_view
from bookbuild.render.html import PageContext, layout_dirs, make_environment, render_page
from bookbuild.render.pagerefs import PLACEHOLDER, PageSlots
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
    import io
    import shutil

    from bookbuild.builders.cache import BuildRecord
    from bookbuild.commands.build import build
    from conftest import EPOCH

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    project = tmp_path / "book"
    shutil.copytree(VALID, project)
    made = _layouts(monkeypatch)
    build(project, editions=["booklet"], out=tmp_path / "out", err=io.StringIO(), jobs=1)
    cold = len(made)
    assert cold >= 2  # placeholders first, then the numbers of that layout
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
