"""An edition's notes numbered 1, 2, 3 … in the order it calls them (render/editionnotes)."""

from __future__ import annotations

from bookbuild.errors import Diagnostics
from bookbuild.manuscript import find_project, read_manuscript
from bookbuild.render.book import BookView, build_view
from bookbuild.render.editionnotes import renumbered
from conftest import REPO


def _view() -> BookView:
    return build_view(read_manuscript(find_project(REPO), Diagnostics()))


def test_the_notes_an_edition_calls_are_numbered_in_its_order() -> None:
    view = _view()
    ids = [n.note.id for n in view.notes]
    assert len(ids) >= 3
    again = renumbered(view, [ids[2], ids[1], ids[2]])
    assert [(n.note.id, n.number) for n in again.notes] == [(ids[2], 1), (ids[1], 2)]
    assert again.note_numbers == {ids[2]: 1, ids[1]: 2}


def test_an_edition_calling_every_note_in_the_books_order_keeps_the_view() -> None:
    view = _view()
    ids = [n.note.id for n in view.notes]
    assert renumbered(view, [i for i in ids for _ in (1, 2)]) is view
    assert renumbered(view, [*ids, "no-such-note"]) is view
