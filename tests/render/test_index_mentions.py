"""An index entry's mentions in reading order (the screen editions list them as links):
a note's mention where the note is called, a caption's with its figure, both under the
text they belong to, so that an event and its note are one place, not two."""

from __future__ import annotations

from pathlib import Path

import pytest

from bookbuild.errors import Diagnostics
from bookbuild.manuscript import find_project, read_manuscript
from bookbuild.render.book import IndexEntry, build_view
from bookbuild.render.exports import _owner_order
from conftest import REPO

BOOKS = sorted(p.name for p in (REPO / "tests" / "fixtures" / "books").iterdir()
               if (p / "manuscript").is_dir())


def view_of(project: Path):  # type: ignore[no-untyped-def]
    manuscript = read_manuscript(find_project(project), Diagnostics())
    return build_view(manuscript, manuscript.edition("booklet"))


@pytest.mark.parametrize("name", BOOKS)
def test_every_entrys_mentions_follow_the_reading_order(name: str) -> None:
    view = view_of(REPO / "tests" / "fixtures" / "books" / name)
    order = _owner_order(view)
    notes = {n.anchor for n in view.notes}
    figures = {f.anchor for f in view.figures}
    entries = [r for s in view.indexes for r in s.rows if isinstance(r, IndexEntry)]
    assert entries
    for entry in entries:
        owners = [m.owner for m in entry.mentions]
        assert owners == sorted(owners, key=order), (entry.entity.id, owners)
        # a mention in a note or a caption is placed under the text it stands with
        assert not (set(owners) & (notes | figures)), (entry.entity.id, owners)


def test_a_notes_mention_stands_where_the_note_is_called() -> None:
    view = view_of(REPO / "tests" / "fixtures" / "books" / "gdansk-1980")
    note = next(n for n in view.notes if n.note.id == "dismissed")
    mentioned = {i for node in note.note.text.inlines()
                 for i in getattr(node, "entity_ids", ())}
    assert mentioned
    calling = next(e for e in view.events if any(
        getattr(node, "note_id", "") == "dismissed" for node in e.event.text.inlines()))
    for section in view.indexes:
        for row in section.rows:
            if isinstance(row, IndexEntry) and row.entity.id in mentioned:
                note_anchors = {node.anchor for node in note.note.text.inlines()
                                if getattr(node, "entity_ids", None)}
                refs = [m for m in row.mentions if m.anchor in note_anchors]
                assert refs and all(m.owner == calling.anchor for m in refs)
