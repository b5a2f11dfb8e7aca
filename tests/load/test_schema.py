"""The schema has no book's words in it: index types from book.yaml, page sizes, anchors."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from pypdf import PdfReader

from bookbuild.errors import Diagnostics
from bookbuild.manuscript import find_project, read_manuscript
from bookbuild.manuscript.dates import parse_event_date
from bookbuild.manuscript.model import DEFAULT_INDEXES, Event, Manuscript, RichText
from bookbuild.manuscript.validate import _date_order
from bookbuild.render.book import IndexEntry, build_view
from bookbuild.render.html import PageContext, layout_dirs, make_environment, render_page
from conftest import build_into

TERMS_BOOK = """
indexes:
  - {id: terms, title: Fogalmak, file: terms.yaml, fields: [expansion]}
"""

TERMS = """
- id: pufajka
  name: pufajka
  expansion: vattakabát
"""


def with_terms(project: Path) -> Path:
    book = project / "manuscript" / "book.yaml"
    book.write_text(book.read_text() + TERMS_BOOK)
    (project / "manuscript" / "terms.yaml").write_text(TERMS)
    chronology = project / "manuscript" / "chronology.yaml"
    chronology.write_text(chronology.read_text().replace(
        "akarta hallani.", "akarta hallani, [pufajkában](@pufajka)."))
    return project


def load(project: Path) -> tuple[Manuscript, list[str]]:
    diagnostics = Diagnostics()
    manuscript = read_manuscript(find_project(project), diagnostics)
    return manuscript, [d.format() for d in diagnostics]


def test_the_three_default_indexes_need_no_declaration(valid_copy: Path) -> None:
    manuscript, problems = load(valid_copy)
    assert not problems
    assert manuscript.indexes == DEFAULT_INDEXES
    view = build_view(manuscript)
    assert [s.anchor for s in view.indexes] == ["index-people", "index-places",
                                                "index-organizations"]


def test_a_book_declares_its_own_index(valid_copy: Path) -> None:
    manuscript, problems = load(with_terms(valid_copy))
    assert not problems, problems
    assert [t.id for t in manuscript.indexes] == ["people", "places", "organizations", "terms"]
    view = build_view(manuscript)
    terms = view.indexes[-1]
    assert (terms.kind, terms.title, terms.anchor) == ("terms", "Fogalmak", "index-terms")
    [row] = terms.rows
    assert isinstance(row, IndexEntry) and row.entity.expansion == "vattakabát"
    assert [m.owner for m in row.mentions] == ["tuntetes"]
    env = make_environment(layout_dirs(None))
    html = render_page(env, "html.html.j2", view,
                       PageContext(edition=manuscript.editions[-1], build_date=dt.date(2024, 1, 1)))
    assert '<section class="index index-terms" id="index-terms">' in html
    assert 'href="#idx-pufajka"' in html and ">Fogalmak</a>" in html  # linked, in the contents


def test_an_index_of_its_own_is_checked_like_the_others(valid_copy: Path) -> None:
    project = with_terms(valid_copy)
    terms = project / "manuscript" / "terms.yaml"
    terms.write_text(TERMS + "  born: 1950\n")
    _manuscript, problems = load(project)
    assert any("terms.yaml:5:3: error: unknown field 'born'" in p for p in problems), problems
    book = project / "manuscript" / "book.yaml"
    book.write_text(book.read_text().replace("fields: [expansion]", "fields: [expanse]")
                    .replace("title: Fogalmak, ", ""))
    _manuscript, problems = load(project)
    assert any("error: unknown index field 'expanse'" in p and "expansion" in p
               for p in problems), problems
    assert any("error: index 'terms' has no 'title'" in p for p in problems), problems


def test_an_index_cannot_take_another_files_place(valid_copy: Path) -> None:
    book = valid_copy / "manuscript" / "book.yaml"
    book.write_text(book.read_text() + "indexes:\n  - {id: terms, title: T, file: ../x.yaml}\n"
                    "  - {id: more, title: M, file: chronology.yaml}\n")
    _manuscript, problems = load(valid_copy)
    assert sum("cannot hold an index" in p for p in problems) == 2, problems


def test_page_size_sets_the_page_or_leaves_it_to_the_layout(valid_copy: Path,
                                                           tmp_path: Path) -> None:
    book = valid_copy / "manuscript" / "book.yaml"
    book.write_text(book.read_text().replace(
        "handout: {format: pdf, page_size: A4,", "handout: {format: pdf, page_size: letter,"))
    out = build_into(valid_copy, tmp_path / "dist", "handout")
    box = PdfReader(out / "probakonyv-handout.pdf").pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)
    book.write_text(book.read_text().replace("page_size: letter, ", ""))
    manuscript, problems = load(valid_copy)
    handout = manuscript.edition("handout")
    assert not problems and handout is not None and handout.page_size == ""
    out = build_into(valid_copy, tmp_path / "dist2", "handout")
    box = PdfReader(out / "probakonyv-handout.pdf").pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # handout.css: A4


ORDER_CASES = [
    # a month stands where the story puts it, within its span
    (["1848-03-03", "1848-03", "1848-03-31"], []),
    (["1848-03", "1848-03-01", "1848-03-31"], []),
    (["1848-03-15/1848-03-20", "1848-03-16", "1848-03-20"], []),
    (["1848-02-28", "1848-03"], []),
    # not before what came first
    (["1848-03-31", "1848-03", "1848-03-15"], ["c"]),
    (["1848-04-01", "1848-03"], ["b"]),
    (["1848-03-10/1848-03-20", "1848-03-05"], ["b"]),
]


def test_the_order_check_reads_a_month_as_the_whole_month(valid_copy: Path) -> None:
    manuscript, _problems = load(valid_copy)
    for dates, expected in ORDER_CASES:
        events = tuple(Event(chr(ord("a") + i), "days", parse_event_date(d), "t", RichText())
                       for i, d in enumerate(dates))
        diagnostics = Diagnostics()
        _date_order(replace(manuscript, events=events), diagnostics, set())
        flagged = [m.message.split("'")[1] for m in diagnostics]
        assert flagged == expected, (dates, [d.format() for d in diagnostics])


def test_an_inverted_name_is_looked_for_in_reading_order_too(valid_copy: Path) -> None:
    chronology = valid_copy / "manuscript" / "chronology.yaml"
    chronology.write_text(chronology.read_text().replace(
        "beszédet mondott", "és Nyikita Szergejevics Hruscsov beszédet mondott"))
    _manuscript, problems = load(valid_copy)
    assert any("'Nyikita Szergejevics Hruscsov' looks like a mention of person 'hruscsov'" in p
               for p in problems), problems

