"""Markup and typography in every field: titles, insertions, notes; refusals where not allowed."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from bookbuild.errors import Diagnostics
from bookbuild.manuscript import find_project, read_manuscript
from bookbuild.render.book import BookView, IndexEntry, build_view
from bookbuild.render.html import PageContext, layout_dirs, make_environment, render_page
from bookbuild.render.inline import Linker


def edit(project: Path, name: str, old: str, new: str) -> None:
    path = project / "manuscript" / name
    text = path.read_text()
    assert old in text, (name, old)
    path.write_text(text.replace(old, new, 1))


def load(project: Path) -> tuple[BookView, list[str]]:
    diagnostics = Diagnostics()
    manuscript = read_manuscript(find_project(project), diagnostics)
    return build_view(manuscript), [d.format() for d in diagnostics]


def html_of(project: Path, *, printed: bool = False) -> str:
    manuscript = read_manuscript(find_project(project), Diagnostics())
    view = build_view(manuscript)
    env = make_environment(layout_dirs(None))
    linker = Linker(link_mentions=False, hyphenate=False) if printed else Linker()
    edition = manuscript.edition("booklet" if printed else "html")
    assert edition is not None
    return render_page(env, f"{edition.layout}.html.j2", view,
                       PageContext(edition=edition, build_date=dt.date(2024, 1, 1), linker=linker))


def visible(html: str) -> str:
    """The text of the body, as a reader sees it."""
    body = html.split("<body", 1)[1].split(">", 1)[1]
    return re.sub(r"<[^>]+>", "", body)


def entry(view: BookView, entity_id: str) -> IndexEntry:
    return next(r for s in view.indexes for r in s.rows
                if isinstance(r, IndexEntry) and r.entity.id == entity_id)


@pytest.fixture
def marked(valid_copy: Path) -> Path:
    edit(valid_copy, "chronology.yaml", "{~~Hibás~>Helyes~~}[^javitas]",
         "{++ a [Parlamentbe](@orszaghaz) ++}[^javitas]")
    edit(valid_copy, "chronology.yaml", "title: Tüntetés",
         'title: "*Tüntetés* a [Bem téren](@moszkva), \\"Ruszkik haza!\\" - délután"')
    edit(valid_copy, "book.yaml", "title: Napról napra,", "title: Napról *napra*,")
    edit(valid_copy, "book.yaml", "subtitle: Egy kis kronológia a tesztekhez",
         'subtitle: \'Egy "kis" kronológia - a *tesztekhez*\'')
    edit(valid_copy, "notes.yaml", "javítottuk.",
         "javítottuk; lásd [Nagy Imre](@nagy-imre) szavait.")
    edit(valid_copy, "people.yaml", "role: miniszterelnök",
         "role: 'miniszterelnök 1953-1955 - \"reformer\"'")
    return valid_copy


def test_an_insertion_holding_a_mention_prints_the_mention(marked: Path) -> None:
    view, problems = load(marked)
    assert not problems, problems
    html = html_of(marked)
    assert "[ a <a class=\"mention\"" in html and ">Parlamentbe</a> ]" in html
    assert [m.owner for m in entry(view, "orszaghaz").mentions] == ["tuntetes", "beszed"]


def test_markup_in_titles_renders_and_mentions_in_titles_are_indexed(marked: Path) -> None:
    view, _problems = load(marked)
    html = html_of(marked)
    assert '<span class="headline"><em>Tüntetés</em> a <a class="mention"' in html
    assert '<h1 class="part-title">Napról <em>napra</em></h1>' in html
    assert '<p class="subtitle">Egy „kis” kronológia\u00a0– a <em>tesztekhez</em></p>' in html
    assert "tuntetes-t-m1" in [m.anchor for m in entry(view, "moszkva").mentions]
    assert view.events[1].event.title == "Tüntetés a Bem téren, „Ruszkik haza!”\u00a0– délután"


def test_a_mention_in_a_note_is_indexed_with_the_note(marked: Path) -> None:
    view, _problems = load(marked)
    refs = entry(view, "nagy-imre").mentions
    # the note's mention belongs to the text that calls the note: its event and label
    note_ref = next(m for m in refs if m.anchor == "note-javitas-m1")
    assert note_ref.owner == "tuntetes" and note_ref.label == "okt.\u00a023."
    assert 'id="note-javitas-m1"' in html_of(marked)


@pytest.mark.parametrize("printed", [False, True])
def test_no_straight_quote_no_spaced_hyphen_and_no_raw_markup_survive(
        marked: Path, printed: bool) -> None:
    text = visible(html_of(marked, printed=printed))
    for raw in ('"', " - ", "](@", "{++", "{~~", "[^", "*"):
        assert raw not in text, raw
    assert "1953–1955\u00a0– „reformer”" in text.replace("\u2060", "")


def test_a_quote_after_a_mention_closes() -> None:
    from bookbuild.manuscript.markup import parse_rich_text
    from bookbuild.render.inline import render_inlines
    rich, problems = parse_rich_text('A "[Neues Forum](@nf)", "a [Bem](@bem) tér".')
    assert not problems
    from bookbuild.locale import locale_for
    html = render_inlines(rich.paragraphs[0].children,
                          Linker(link_mentions=False, locale=locale_for("hu")))
    assert re.sub(r"<[^>]+>", "", html) == "A „Neues Forum”, „a Bem tér”."


@pytest.mark.parametrize(("field", "value", "message"), [
    ("chronology.yaml", 'title: "Tüntetés[^javitas]"', "a note is not allowed in 'title'"),
    ("chronology.yaml", 'title: "[Tüntetés](https://example.com)"',
     "a link is not allowed in 'title'"),
    ("book.yaml", "title: 'Napról [napra](@moszkva)',", "a mention is not allowed in 'title'"),
    ("book.yaml", "title: Próbakönyv", "an emphasis is not allowed in 'title'"),
])
def test_a_construct_a_field_does_not_allow_is_refused_where_it_stands(
        valid_copy: Path, field: str, value: str, message: str) -> None:
    originals = {"chronology.yaml": "title: Tüntetés", "book.yaml": "title: Napról napra,"}
    if value.startswith("title: Próbakönyv"):
        edit(valid_copy, field, "title: Próbakönyv", "title: Próba*könyv*")
    else:
        edit(valid_copy, field, originals[field], value)
    _view, problems = load(valid_copy)
    found = [p for p in problems if message in p]
    assert found, problems
    assert re.match(rf"manuscript/{field}:\d+:\d+: error: ", found[0]), found


def test_nested_mentions_and_links_in_mentions_are_refused_with_their_place(
        valid_copy: Path) -> None:
    edit(valid_copy, "chronology.yaml", "[Nagy Imrét](@nagy-imre)",
         "[Nagy [Imrét](@nagy-imre)](@nagy-imre)")
    edit(valid_copy, "demands.yaml", "text: Szabad sajtót!",
         "text: '[Szabad [sajtót](https://example.com)](@moszkva)!'")
    _view, problems = load(valid_copy)
    nested = [p for p in problems if "cannot hold another mention or link" in p]
    assert len(nested) == 2, problems
    assert any(p.startswith("manuscript/chronology.yaml:") for p in nested)
    assert any(p.startswith("manuscript/demands.yaml:2:") for p in nested), nested


def test_a_note_cannot_hold_a_note(valid_copy: Path) -> None:
    edit(valid_copy, "notes.yaml", "javítottuk.", "javítottuk.[^javitas]")
    _view, problems = load(valid_copy)
    assert any("notes.yaml:2:" in p and "a note is not allowed in a note" in p
               for p in problems), problems
