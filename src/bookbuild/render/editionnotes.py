"""The notes an edition prints, numbered 1, 2, 3 … in the order the edition calls them.

The book view numbers its notes over the whole book. An edition that prints only some of
its texts (the handout: the demands, and the key events without their texts) would then
print notes 2 and 3 with no 1. What an edition prints is said by its templates, and only
there: so the edition is rendered once with the book's numbers, the note calls it makes
are noted, and the view it is laid out with numbers just those notes, in that order. An
edition that prints every text (the booklet) calls the notes in the book's own order and
keeps the view as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from .book import BookView, NoteView

__all__ = ["numbered_as_printed", "renumbered"]


def numbered_as_printed(view: BookView,
                        render: Callable[[BookView, list[str]], object]) -> BookView:
    """``view`` with its notes numbered as the edition prints them.

    ``render(view, calls)`` renders the edition with ``view``'s numbers, appending the id
    of every note call it renders to ``calls`` (:attr:`..render.inline.Linker.calls`).
    """
    calls: list[str] = []
    render(view, calls)
    return renumbered(view, calls)


def renumbered(view: BookView, calls: list[str]) -> BookView:
    """The notes of ``calls`` numbered in the order of their first call; the others
    (which the edition does not call) left out."""
    by_id = {n.note.id: n.note for n in view.notes}
    order = [note_id for note_id in dict.fromkeys(calls) if note_id in by_id]
    if order == [n.note.id for n in view.notes]:
        return view
    return replace(view, notes=tuple(NoteView(by_id[note_id], number)
                                     for number, note_id in enumerate(order, start=1)))
