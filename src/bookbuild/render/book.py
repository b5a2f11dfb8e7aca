"""The enriched book: what every edition lays out, with cross-references resolved.

``BookView`` is built once from a validated manuscript (and an edition's part
selection). It groups days, numbers notes, links demands and events both ways
and gathers each index entry's mentions. Templates only walk it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from ..locale import Locale, locale_for
from ..manuscript.model import (
    BookMeta,
    Correction,
    Demand,
    Edition,
    Entity,
    EntityKind,
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

INDEX_ANCHORS = {
    EntityKind.PERSON: "index-people",
    EntityKind.PLACE: "index-places",
    EntityKind.ORGANIZATION: "index-organizations",
}


@dataclass(frozen=True)
class DemandRef:
    demand: Demand
    relation: Relation
    label: str  # "13. pont", "point 13"


@dataclass(frozen=True)
class EventView:
    event: Event
    when: str
    date_label: str
    reference: str
    demands: tuple[DemandRef, ...]

    @property
    def anchor(self) -> str:
        return self.event.id


@dataclass(frozen=True)
class EventRef:
    event: EventView
    relation: Relation
    relation_label: str  # the relation in the book's language


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
        return f"part-{self.part.id}"

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

    @property
    def anchor(self) -> str:
        return f"idx-{self.entity.id}"


@dataclass(frozen=True)
class SeeReference:
    """``Hegedűs András → lásd Hegedüs András``"""

    form: str
    target: Entity

    @property
    def anchor(self) -> str:
        return f"idx-{self.target.id}"


@dataclass(frozen=True)
class IndexSection:
    kind: EntityKind
    title: str
    anchor: str
    rows: tuple[IndexEntry | SeeReference, ...]


@dataclass(frozen=True)
class NoteView:
    note: Note
    number: int

    @property
    def anchor(self) -> str:
        return f"note-{self.note.id}"


@dataclass(frozen=True)
class BookView:
    meta: BookMeta
    parts: tuple[PartView, ...]
    indexes: tuple[IndexSection, ...]
    notes: tuple[NoteView, ...]
    key_events: tuple[EventView, ...]
    key_people: tuple[Entity, ...]
    demands: tuple[DemandView, ...]
    locale: Locale

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
    locale = book_locale(manuscript)
    dates = _Dates(locale, spans_years(manuscript))
    parts = [p for p in manuscript.parts if p.id in wanted]
    events = [e for e in manuscript.events if e.part in wanted]
    demand_links, event_links = _links(manuscript, {e.id for e in events})
    demand_by_id = {d.id: d for d in manuscript.demands}
    event_views = {
        e.id: _event_view(e, [(demand_by_id[did], rel) for did, rel in event_links.get(e.id, [])
                              if did in demand_by_id], dates)
        for e in events
    }
    demand_views = tuple(
        DemandView(d, tuple(EventRef(event_views[eid], rel, locale.relation(rel))
                            for eid, rel in demand_links.get(d.id, []) if eid in event_views))
        for d in manuscript.demands
    )
    part_views = tuple(_part_view(p, event_views, demand_views, dates) for p in parts)
    owners = _mention_owners(part_views, dates)
    return BookView(
        meta=manuscript.meta,
        parts=part_views,
        indexes=_indexes(manuscript, owners, locale),
        notes=_notes(manuscript, part_views, dates),
        key_events=tuple(v for v in event_views.values() if v.event.key),
        key_people=tuple(sorted(
            (e for e in manuscript.entities_of(EntityKind.PERSON) if e.key),
            key=lambda e: locale.sort_key(e.sort),
        )),
        demands=demand_views,
        locale=locale,
    )


def book_locale(manuscript: Manuscript) -> Locale:
    """The book's locale: its language's catalogue with the book's own ``labels:``."""
    return locale_for(manuscript.meta.language).with_labels(manuscript.meta.labels)


def spans_years(manuscript: Manuscript) -> bool:
    """True when the book's events fall in more than one year (dates then carry years)."""
    years = {y for e in manuscript.events for y in (e.date.start.year, e.date.end.year)}
    return len(years) > 1


@dataclass(frozen=True)
class _Dates:
    """How the view labels dates and times: the locale, and whether years are shown."""

    locale: Locale
    with_year: bool

    def when(self, event: Event) -> str:
        """The clock time or time of day of an event: ``21:30``, ``este`` or empty."""
        if event.time:
            return event.time
        return self.locale.time_of_day(event.time_of_day) if event.time_of_day else ""

    def reference(self, event: Event) -> str:
        """``okt. 23., 21:30`` — how a cross-reference names an event."""
        short = self.locale.short_date(event.date, with_year=self.with_year)
        moment = self.when(event)
        return f"{short}, {moment}" if moment else short

    def demand(self, demand: Demand) -> str:
        return self.locale.demand_point(demand.label)


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


def _event_view(event: Event, links: list[tuple[Demand, Relation]], dates: _Dates) -> EventView:
    return EventView(event=event, when=dates.when(event),
                     date_label=dates.locale.long_date(event.date, with_year=True),
                     reference=dates.reference(event),
                     demands=tuple(DemandRef(demand, rel, dates.demand(demand))
                                   for demand, rel in links))


def _part_view(part: Part, events: dict[str, EventView],
               demands: tuple[DemandView, ...], dates: _Dates) -> PartView:
    mine = tuple(v for v in events.values() if v.event.part == part.id)
    if part.kind is PartKind.DEMANDS:
        return PartView(part, demands=demands)
    if part.kind is PartKind.DAYS:
        return PartView(part, groups=_group_days(mine, dates))
    return PartView(part, events=mine)


def _group_days(events: tuple[EventView, ...], dates: _Dates) -> tuple[DayGroup, ...]:
    groups: list[DayGroup] = []
    for view in events:
        date = view.event.date
        key = date.start.isoformat() if date.is_single_day else view.event.id
        anchor = f"day-{key}"
        if groups and groups[-1].anchor == anchor:
            last = groups[-1]
            groups[-1] = DayGroup(last.anchor, last.heading, last.date, (*last.events, view))
            continue
        heading = (dates.locale.day_heading(date.start) if date.is_single_day
                   else dates.locale.long_date(date, with_year=True))
        groups.append(DayGroup(anchor, heading, date.start, (view,)))
    return tuple(groups)


def _texts(parts: tuple[PartView, ...], dates: _Dates) -> list[tuple[str, str, RichText]]:
    """(owner id, label, text) of every running text, in reading order."""
    out: list[tuple[str, str, RichText]] = []
    for part in parts:
        for demand in part.demands:
            out.append((demand.anchor, dates.demand(demand.demand), demand.demand.text))
        for view in (*part.events, *(v for g in part.groups for v in g.events)):
            out.append((view.anchor, dates.locale.short_date(view.event.date,
                                                             with_year=dates.with_year),
                        view.event.text))
    return out


def _mention_owners(parts: tuple[PartView, ...], dates: _Dates) -> dict[str, list[MentionRef]]:
    by_entity: dict[str, list[MentionRef]] = defaultdict(list)
    for owner, label, text in _texts(parts, dates):
        for node in text.inlines():
            if isinstance(node, Mention):
                for entity_id in node.entity_ids:
                    by_entity[entity_id].append(MentionRef(node.anchor, owner, label))
    return by_entity


def _indexes(manuscript: Manuscript, owners: dict[str, list[MentionRef]],
             locale: Locale) -> tuple[IndexSection, ...]:
    sections: list[IndexSection] = []
    for kind in EntityKind:
        rows: list[tuple[tuple[object, ...], IndexEntry | SeeReference]] = []
        for entity in manuscript.entities_of(kind):
            rows.append((locale.sort_key(entity.sort),
                         IndexEntry(entity, tuple(owners.get(entity.id, ())))))
            for variant in entity.variants:
                rows.append((locale.sort_key(variant), SeeReference(variant, entity)))
        if rows:
            rows.sort(key=lambda row: row[0])
            title = locale.word(f"index.{kind.value}")
            sections.append(IndexSection(kind, title, INDEX_ANCHORS[kind],
                                         tuple(r for _k, r in rows)))
    return tuple(sections)


def _notes(manuscript: Manuscript, parts: tuple[PartView, ...],
           dates: _Dates) -> tuple[NoteView, ...]:
    by_id = {n.id: n for n in manuscript.notes}
    order: list[str] = []
    for _owner, _label, text in _texts(parts, dates):
        for node in text.inlines():
            if isinstance(node, NoteRef | Correction) and node.note_id in by_id \
                    and node.note_id not in order:
                order.append(node.note_id)
    return tuple(NoteView(by_id[nid], i) for i, nid in enumerate(order, start=1))

