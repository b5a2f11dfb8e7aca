"""The enriched book: what every edition lays out, with cross-references resolved.

``BookView`` is built once from a validated manuscript (and an edition's part
selection). It groups days, numbers notes, links demands and events both ways
and gathers each index entry's mentions. Templates only walk it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import ClassVar

from ..manuscript.anchors import (
    day_anchor,
    entry_anchor,
    index_anchor,
    note_anchor,
    part_anchor,
)
from ..manuscript.model import (
    BookMeta,
    Correction,
    Demand,
    Edition,
    Entity,
    Event,
    Manuscript,
    Mention,
    Note,
    NoteRef,
    Part,
    PartKind,
    Relation,
    RichText,
)
from .collate import hu_sort_key
from .dates import day_heading, event_reference, long_date, short_date, when
from .labels import LABELS_HU
from .typography import typeset


@dataclass(frozen=True)
class DemandRef:
    demand: Demand
    relation: Relation

    @property
    def label(self) -> str:
        return f"{self.demand.label}\u00a0pont"

    @property
    def relation_label(self) -> str:
        return _label("relations", self.relation.value)


@dataclass(frozen=True)
class EventView:
    event: Event
    when: str
    date_label: str
    reference: str
    demands: tuple[DemandRef, ...]
    stamp: str = ""  # what its heading prints before the headline: time, or date and time

    @property
    def anchor(self) -> str:
        return self.event.id


@dataclass(frozen=True)
class EventRef:
    event: EventView
    relation: Relation

    @property
    def relation_label(self) -> str:
        return _label("relations", self.relation.value)


@dataclass(frozen=True)
class DemandView:
    demand: Demand
    events: tuple[EventRef, ...]

    @property
    def anchor(self) -> str:
        return self.demand.id


@dataclass(frozen=True)
class DayGroup:
    """The events of one day (or of one month or range, when that is all the date says)."""

    anchor: str
    heading: str
    date: dt.date
    events: tuple[EventView, ...]


@dataclass(frozen=True)
class PartView:
    part: Part
    groups: tuple[DayGroup, ...] = ()
    events: tuple[EventView, ...] = ()
    demands: tuple[DemandView, ...] = ()

    @property
    def anchor(self) -> str:
        return part_anchor(self.part.id)

    @property
    def kind(self) -> str:
        return self.part.kind.value


@dataclass(frozen=True)
class MentionRef:
    """One mention of an entity: its anchor and the place it stands (day or demand)."""

    anchor: str
    owner: str
    label: str


@dataclass(frozen=True)
class IndexEntry:
    entity: Entity
    mentions: tuple[MentionRef, ...]
    is_see: ClassVar[bool] = False

    @property
    def anchor(self) -> str:
        return entry_anchor(self.entity.id)


@dataclass(frozen=True)
class SeeReference:
    """``Hegedűs András → lásd Hegedüs András``"""

    form: str
    target: Entity
    is_see: ClassVar[bool] = True

    @property
    def anchor(self) -> str:
        return entry_anchor(self.target.id)


@dataclass(frozen=True)
class IndexSection:
    kind: str
    title: str
    anchor: str
    rows: tuple[IndexEntry | SeeReference, ...]


@dataclass(frozen=True)
class NoteView:
    note: Note
    number: int

    @property
    def anchor(self) -> str:
        return note_anchor(self.note.id)


@dataclass(frozen=True)
class BookView:
    meta: BookMeta
    parts: tuple[PartView, ...]
    indexes: tuple[IndexSection, ...]
    notes: tuple[NoteView, ...]
    key_events: tuple[EventView, ...]
    key_people: tuple[Entity, ...]
    demands: tuple[DemandView, ...]

    @property
    def note_numbers(self) -> dict[str, int]:
        """Note id → the number it prints with."""
        return {n.note.id: n.number for n in self.notes}

    @property
    def demand_notes(self) -> tuple[NoteView, ...]:
        """The notes referenced from the demands (what a demands-only page must print)."""
        used = {node.note_id for d in self.demands for node in d.demand.text.inlines()
                if isinstance(node, NoteRef | Correction)}
        return tuple(n for n in self.notes if n.note.id in used)

    @property
    def demand_parts(self) -> tuple[PartView, ...]:
        return tuple(p for p in self.parts if p.part.kind is PartKind.DEMANDS)

    @property
    def events(self) -> tuple[EventView, ...]:
        out: list[EventView] = []
        for part in self.parts:
            out.extend(part.events)
            for group in part.groups:
                out.extend(group.events)
        return tuple(out)


def build_view(manuscript: Manuscript, edition: Edition | None = None) -> BookView:
    """Gather, group and cross-link everything an edition prints."""
    wanted = set(edition.parts) if edition and edition.parts else {p.id for p in manuscript.parts}
    parts = [p for p in manuscript.parts if p.id in wanted]
    events = [e for e in manuscript.events if e.part in wanted]
    demand_links, event_links = _links(manuscript, {e.id for e in events})
    demand_by_id = {d.id: d for d in manuscript.demands}
    event_views = {
        e.id: _event_view(e, [(demand_by_id[did], rel) for did, rel in event_links.get(e.id, [])
                              if did in demand_by_id])
        for e in events
    }
    demand_views = tuple(
        DemandView(d, tuple(EventRef(event_views[eid], rel)
                            for eid, rel in demand_links.get(d.id, []) if eid in event_views))
        for d in manuscript.demands
    )
    part_views = tuple(_part_view(p, event_views, demand_views) for p in parts)
    notes = _notes(manuscript, part_views)
    owners = _mention_owners(part_views, notes)
    return BookView(
        meta=_typeset_meta(manuscript.meta),
        parts=part_views,
        indexes=_indexes(manuscript, owners),
        notes=notes,
        key_events=tuple(v for v in event_views.values() if v.event.key),
        key_people=tuple(sorted(
            (_typeset_entity(e) for e in manuscript.people if e.key),
            key=lambda e: hu_sort_key(e.sort),
        )),
        demands=demand_views,
    )


# ---------------------------------------------------------------- typography of plain fields
# Running text and headlines with markup are typeset as they are rendered (render.inline);
# every plain field the view hands on is typeset here, so that no output prints a
# straight quote or a spaced hyphen, whichever template or builder prints it.


def _typeset_meta(meta: BookMeta) -> BookMeta:
    return replace(
        meta,
        title=typeset(meta.title), subtitle=typeset(meta.subtitle),
        rights=typeset(meta.rights), description=typeset(meta.description),
        keywords=tuple(typeset(k) for k in meta.keywords),
        editors=tuple(replace(c, name=typeset(c.name)) for c in meta.editors),
        source=replace(meta.source, title=typeset(meta.source.title),
                       note=typeset(meta.source.note)),
    )


def _typeset_entity(entity: Entity) -> Entity:
    return replace(entity, name=typeset(entity.name), role=typeset(entity.role),
                   expansion=typeset(entity.expansion))


def _links(manuscript: Manuscript, event_ids: set[str]) -> tuple[
        dict[str, list[tuple[str, Relation]]], dict[str, list[tuple[str, Relation]]]]:
    by_demand: dict[str, list[tuple[str, Relation]]] = defaultdict(list)
    by_event: dict[str, list[tuple[str, Relation]]] = defaultdict(list)
    order = {e.id: i for i, e in enumerate(manuscript.events)}
    for link in sorted(set(manuscript.links), key=lambda k: (order.get(k.event, 0), k.demand)):
        if link.event not in event_ids or link.demand.startswith("#"):
            continue
        if (link.event, link.relation) not in by_demand[link.demand]:
            by_demand[link.demand].append((link.event, link.relation))
        if (link.demand, link.relation) not in by_event[link.event]:
            by_event[link.event].append((link.demand, link.relation))
    return by_demand, by_event


def _event_view(event: Event, links: list[tuple[Demand, Relation]]) -> EventView:
    return EventView(event=replace(event, title=typeset(event.title)), when=when(event),
                     date_label=long_date(event.date), reference=event_reference(event),
                     demands=tuple(DemandRef(demand, rel) for demand, rel in links))


def _part_view(part: Part, events: dict[str, EventView],
               demands: tuple[DemandView, ...]) -> PartView:
    mine = tuple(v for v in events.values() if v.event.part == part.id)
    part = replace(part, title=typeset(part.title))
    if part.kind is PartKind.DEMANDS:
        return PartView(part, demands=demands)
    if part.kind is PartKind.DAYS:
        return PartView(part, groups=_group_days(tuple(replace(v, stamp=v.when) for v in mine)))
    return PartView(part, events=tuple(replace(v, stamp=v.date_label) for v in mine))


def _group_days(events: tuple[EventView, ...]) -> tuple[DayGroup, ...]:
    groups: list[DayGroup] = []
    for view in events:
        date = view.event.date
        key = date.start.isoformat() if date.is_single_day else view.event.id
        anchor = day_anchor(key)
        if groups and groups[-1].anchor == anchor:
            last = groups[-1]
            groups[-1] = DayGroup(last.anchor, last.heading, last.date, (*last.events, view))
            continue
        heading = day_heading(date.start) if date.is_single_day else long_date(date)
        groups.append(DayGroup(anchor, heading, date.start, (view,)))
    return tuple(groups)


def _texts(parts: tuple[PartView, ...]) -> list[tuple[str, str, RichText]]:
    """(owner id, label, text) of every running text, in reading order."""
    out: list[tuple[str, str, RichText]] = []
    for part in parts:
        for demand in part.demands:
            out.append((demand.anchor, f"{demand.demand.label}\u00a0pont", demand.demand.text))
        for view in (*part.events, *(v for g in part.groups for v in g.events)):
            label = short_date(view.event.date)
            if view.event.heading.children:
                out.append((view.anchor, label, RichText((view.event.heading,))))
            out.append((view.anchor, label, view.event.text))
    return out


def _mention_owners(parts: tuple[PartView, ...],
                    notes: tuple[NoteView, ...]) -> dict[str, list[MentionRef]]:
    """Each entity's mentions: in the running texts and headlines, then in the notes (a
    note's mention is labelled like the text that refers to the note)."""
    by_entity: dict[str, list[MentionRef]] = defaultdict(list)
    note_labels: dict[str, str] = {}
    for owner, label, text in _texts(parts):
        for node in text.inlines():
            if isinstance(node, Mention):
                for entity_id in node.entity_ids:
                    by_entity[entity_id].append(MentionRef(node.anchor, owner, label))
            elif isinstance(node, NoteRef | Correction) and node.note_id:
                note_labels.setdefault(node.note_id, label)
    for note in notes:
        for node in note.note.text.inlines():
            if isinstance(node, Mention):
                for entity_id in node.entity_ids:
                    by_entity[entity_id].append(MentionRef(
                        node.anchor, note.anchor, note_labels.get(note.note.id, "")))
    return by_entity


def _indexes(manuscript: Manuscript,
             owners: dict[str, list[MentionRef]]) -> tuple[IndexSection, ...]:
    sections: list[IndexSection] = []
    for index_type in manuscript.indexes:
        rows: list[tuple[tuple[object, ...], IndexEntry | SeeReference]] = []
        for entity in manuscript.entities_of(index_type.id):
            shown = _typeset_entity(entity)
            rows.append((hu_sort_key(entity.sort),
                         IndexEntry(shown, tuple(owners.get(entity.id, ())))))
            for variant in entity.variants:
                rows.append((hu_sort_key(variant), SeeReference(typeset(variant), shown)))
        if rows:
            rows.sort(key=lambda row: row[0])
            title = index_type.title or _label("index_titles", index_type.word)
            sections.append(IndexSection(index_type.id, title, index_anchor(index_type.id),
                                         tuple(r for _k, r in rows)))
    return tuple(sections)


def _notes(manuscript: Manuscript, parts: tuple[PartView, ...]) -> tuple[NoteView, ...]:
    by_id = {n.id: n for n in manuscript.notes}
    order: list[str] = []
    for _owner, _label, text in _texts(parts):
        for node in text.inlines():
            if isinstance(node, NoteRef | Correction) and node.note_id in by_id \
                    and node.note_id not in order:
                order.append(node.note_id)
    return tuple(NoteView(by_id[nid], i) for i, nid in enumerate(order, start=1))


def _label(group: str, key: str) -> str:
    words = LABELS_HU[group]
    assert isinstance(words, dict)
    return str(words[key])
