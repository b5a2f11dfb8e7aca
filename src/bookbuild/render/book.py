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

from ..locale import Locale, locale_for
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
    DatePrecision,
    Demand,
    Edition,
    Entity,
    Event,
    Figure,
    FigurePlacement,
    Manuscript,
    Mention,
    Note,
    NoteRef,
    Part,
    PartKind,
    Relation,
    RichText,
)
from .figureview import FigureView, place_figures


@dataclass(frozen=True)
class DemandRef:
    demand: Demand
    relation: Relation
    label: str  # "13. pont", "point 13"
    relation_label: str = ""  # the relation in the book's language


@dataclass(frozen=True)
class DemandRefGroup:
    """The demands an event relates to in one way: ``megvalósítja: 1., 7. pont``."""

    relation: Relation
    label: str  # the relation in the book's language, as the event's side says it
    refs: tuple[DemandRef, ...]


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

    @property
    def demand_groups(self) -> tuple[DemandRefGroup, ...]:
        """Its demands by relation (enacts, answers, defies), each group in number order."""
        return tuple(
            DemandRefGroup(rel, refs[0].relation_label, refs)
            for rel in Relation
            if (refs := tuple(sorted((r for r in self.demands if r.relation is rel),
                                     key=lambda r: (r.demand.first, r.demand.last)))))


@dataclass(frozen=True)
class EventRef:
    event: EventView
    relation: Relation
    relation_label: str  # the relation in the book's language
    group_label: str = ""  # how the demand's side names it: "megvalósította", "enacted by"

    @property
    def label(self) -> str:
        """The event as a link names it: its date (and time) and headline."""
        return f"{self.event.reference}: {self.event.event.title}"


@dataclass(frozen=True)
class EventRefGroup:
    """The events that relate to a demand in one way, in reading order."""

    relation: Relation
    label: str
    refs: tuple[EventRef, ...]


@dataclass(frozen=True)
class DemandView:
    demand: Demand
    events: tuple[EventRef, ...]

    @property
    def anchor(self) -> str:
        return self.demand.id

    @property
    def event_groups(self) -> tuple[EventRefGroup, ...]:
        """Its events by relation (enacted by, answered by, defied by), in reading order."""
        return tuple(EventRefGroup(rel, refs[0].group_label, refs) for rel in Relation
                     if (refs := tuple(r for r in self.events if r.relation is rel)))


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
    kind: str  # the id of its index type
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
    locale: Locale
    figures: tuple[FigureView, ...] = ()  # with their owners, numbered in reading order
    # an edition with ``figures: grouped`` (the handout): the key ones, printed together
    key_figures: tuple[FigureView, ...] = ()
    cover: Figure | None = None

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
    def demand_figures(self) -> tuple[FigureView, ...]:
        """The placed figures standing with the demands (what a demands-only page prints)."""
        anchors = {d.anchor for d in self.demands}
        return tuple(f for f in self.figures if f.owner in anchors)

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
        DemandView(d, tuple(EventRef(event_views[eid], rel, locale.relation(rel),
                                     locale.word(f"relation_from.{rel.value}"))
                            for eid, rel in demand_links.get(d.id, []) if eid in event_views))
        for d in manuscript.demands
    )
    part_views = tuple(_part_view(p, event_views, demand_views, dates) for p in parts)
    grouped = edition is not None and edition.figures is FigurePlacement.GROUPED
    figures = () if grouped else place_figures(manuscript, part_views, locale)
    key_figures = place_figures(manuscript, part_views, locale, key_only=True) if grouped \
        else ()
    notes = _notes(manuscript, part_views, dates)
    owners = _mention_owners(part_views, notes, (*figures, *key_figures), dates)
    return BookView(
        meta=_typeset_meta(manuscript.meta, locale),
        parts=part_views,
        indexes=_indexes(manuscript, owners, locale),
        notes=notes,
        key_events=tuple(v for v in event_views.values() if v.event.key),
        key_people=tuple(sorted(
            (_typeset_entity(e, locale) for e in manuscript.people if e.key),
            key=lambda e: locale.sort_key(e.sort),
        )),
        demands=demand_views,
        locale=locale,
        figures=figures,
        key_figures=key_figures,
        cover=manuscript.figure(manuscript.meta.cover_image),
    )


# ---------------------------------------------------------------- typography of plain fields
# Running text and headlines with markup are typeset as they are rendered (render.inline);
# every plain field the view hands on is typeset here, so that no output prints a
# straight quote or a spaced hyphen, whichever template or builder prints it.


def _typeset_meta(meta: BookMeta, locale: Locale) -> BookMeta:
    t = locale.typeset
    return replace(
        meta,
        title=t(meta.title), subtitle=t(meta.subtitle),
        rights=t(meta.rights), description=t(meta.description),
        keywords=tuple(t(k) for k in meta.keywords),
        editors=tuple(replace(c, name=t(c.name)) for c in meta.editors),
        source=replace(meta.source, title=t(meta.source.title), note=t(meta.source.note)),
        timeline_caption=t(meta.timeline_caption),
    )


def _typeset_entity(entity: Entity, locale: Locale) -> Entity:
    t = locale.typeset
    return replace(entity, name=t(entity.name), role=t(entity.role),
                   expansion=t(entity.expansion))


def book_locale(manuscript: Manuscript) -> Locale:
    """The book's locale: its language's catalogue with the book's own ``labels:``."""
    return locale_for(manuscript.meta.language).with_labels(manuscript.meta.labels)


def spans_years(manuscript: Manuscript) -> bool:
    """True when the book's days fall in more than one year: every date then carries its year.

    A month-precision date always carries its year, so only day dates count.
    """
    years = {y for e in manuscript.events if e.date.precision is DatePrecision.DAY
             for y in (e.date.start.year, e.date.end.year)}
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
    return EventView(event=replace(event, title=dates.locale.typeset(event.title)),
                     when=dates.when(event),
                     date_label=dates.locale.long_date(event.date, with_year=True),
                     reference=dates.reference(event),
                     demands=tuple(sorted(
                         (DemandRef(demand, rel, dates.demand(demand), dates.locale.relation(rel))
                          for demand, rel in links),
                         key=lambda r: (r.demand.first, r.demand.last))))


def _part_view(part: Part, events: dict[str, EventView],
               demands: tuple[DemandView, ...], dates: _Dates) -> PartView:
    mine = tuple(v for v in events.values() if v.event.part == part.id)
    part = replace(part, title=dates.locale.typeset(part.title))
    if part.kind is PartKind.DEMANDS:
        return PartView(part, demands=demands)
    if part.kind is PartKind.DAYS:
        return PartView(part, groups=_group_days(tuple(replace(v, stamp=v.when) for v in mine),
                                                 dates))
    # an events part has no day headings: its events print their date, and time if any
    return PartView(part, events=tuple(
        replace(v, stamp=f"{v.date_label}, {v.when}" if v.when else v.date_label)
        for v in mine))


def _group_days(events: tuple[EventView, ...], dates: _Dates) -> tuple[DayGroup, ...]:
    groups: list[DayGroup] = []
    for view in events:
        date = view.event.date
        key = date.start.isoformat() if date.is_single_day else view.event.id
        anchor = day_anchor(key)
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
            label = dates.locale.short_date(view.event.date, with_year=dates.with_year)
            if view.event.heading.children:
                out.append((view.anchor, label, RichText((view.event.heading,))))
            out.append((view.anchor, label, view.event.text))
    return out


def _mention_owners(parts: tuple[PartView, ...], notes: tuple[NoteView, ...],
                    figures: tuple[FigureView, ...],
                    dates: _Dates) -> dict[str, list[MentionRef]]:
    """Each entity's mentions in reading order: the running texts and headlines, a note's
    where the note is first called and a caption's with the text its figure stands by.
    Both belong to that text (its owner and label): an index on screen lists "13 Jan"
    once for an event and its note, named by the event."""
    by_entity: dict[str, list[MentionRef]] = defaultdict(list)
    notes_by_id = {n.note.id: n for n in notes}
    called: set[str] = set()
    figures_of: dict[str, list[FigureView]] = defaultdict(list)
    for figure in figures:
        figures_of[figure.owner].append(figure)

    def add(text: RichText, owner: str, label: str) -> None:
        for node in text.inlines():
            if isinstance(node, Mention):
                for entity_id in node.entity_ids:
                    by_entity[entity_id].append(MentionRef(node.anchor, owner, label))
            elif isinstance(node, NoteRef | Correction) and node.note_id \
                    and node.note_id not in called and node.note_id in notes_by_id:
                called.add(node.note_id)
                add(notes_by_id[node.note_id].note.text, owner, label)

    def add_figures(owner: str, label: str | None) -> None:
        for figure in figures_of.pop(owner, ()):
            add(figure.figure.caption, owner, label or figure.label)

    for part in parts:
        add_figures(part.anchor, None)  # a part's own figures stand before its texts
        texts = _texts((part,), dates)
        for k, (owner, label, text) in enumerate(texts):
            add(text, owner, label)
            if k + 1 == len(texts) or texts[k + 1][0] != owner:  # the owner's last text
                add_figures(owner, label)
    for owner in list(figures_of):  # a figure standing by no text
        add_figures(owner, None)
    for note in notes:  # a note no text calls (check warns of it)
        if note.note.id not in called:
            add(note.note.text, note.anchor, "")
    return by_entity


def _indexes(manuscript: Manuscript, owners: dict[str, list[MentionRef]],
             locale: Locale) -> tuple[IndexSection, ...]:
    sections: list[IndexSection] = []
    for index_type in manuscript.indexes:
        rows: list[tuple[tuple[object, ...], IndexEntry | SeeReference]] = []
        for entity in manuscript.entities_of(index_type.id):
            shown = _typeset_entity(entity, locale)
            rows.append((locale.sort_key(entity.sort),
                         IndexEntry(shown, tuple(owners.get(entity.id, ())))))
            for variant in entity.variants:
                rows.append((locale.sort_key(variant),
                             SeeReference(locale.typeset(variant), shown)))
        if rows:
            rows.sort(key=lambda row: row[0])
            title = locale.typeset(index_type.title) or locale.word(f"index.{index_type.word}")
            sections.append(IndexSection(index_type.id, title, index_anchor(index_type.id),
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

