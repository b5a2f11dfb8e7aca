"""What a link says to a person: a readable description of every place a link can lead.

A link's visible text is often short ("okt. 23.", "13", "[2]"); a screen reader, a PDF
viewer's tooltip or a list of links needs to say where it goes: "okt. 23., 21:30 –
Ledöntik a Sztálin-szobrot", "13. pont", "Nagy Imre". The words come from the book view
(its own dates and labels), so the description is in the book's language.
"""

from __future__ import annotations

from ..render.book import BookView, IndexEntry


def target_descriptions(view: BookView) -> dict[str, str]:
    """Anchor id → a description of what stands there (events, demands, mentions …)."""
    said: dict[str, str] = {}
    for part in view.parts:
        said[part.anchor] = part.part.title
        for group in part.groups:
            said[group.anchor] = group.heading
    for event in view.events:
        said[event.anchor] = f"{event.reference} – {view.locale.typeset(event.event.title)}"
    for demand in view.demands:  # "13. pont": the label a demand reference prints
        said[demand.anchor] = view.locale.demand_point(demand.demand.label)
    for section in view.indexes:
        said[section.anchor] = section.title
        for row in section.rows:
            if isinstance(row, IndexEntry):
                said[row.anchor] = row.entity.name
                for mention in row.mentions:
                    said.setdefault(mention.anchor, said.get(mention.owner, mention.label))
    for note in view.notes:
        said[note.anchor] = f"{note.number}."
    return said
