"""The manuscript as typed, frozen objects: what the book says, nothing about files or output."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum

from ..errors import Location
from .anchors import figure_anchor

NOWHERE = Location("")
# the page sizes an edition may name, width and height in millimetres
PAGE_SIZES: dict[str, tuple[float, float]] = {
    "A4": (210.0, 297.0), "A5": (148.0, 210.0), "A6": (105.0, 148.0), "B5": (176.0, 250.0),
    "letter": (215.9, 279.4),
}

# ---------------------------------------------------------------- inline text


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Emphasis:
    children: tuple[Inline, ...]
    strong: bool = False


@dataclass(frozen=True)
class Mention:
    """A stretch of text that names one or more index entities, kept as written."""

    entity_ids: tuple[str, ...]
    children: tuple[Inline, ...]
    anchor: str = ""
    location: Location = field(default=NOWHERE, compare=False)


@dataclass(frozen=True)
class Link:
    href: str
    children: tuple[Inline, ...]
    location: Location = field(default=NOWHERE, compare=False)


@dataclass(frozen=True)
class NoteRef:
    note_id: str
    location: Location = field(default=NOWHERE, compare=False)


class CorrectionKind(Enum):
    SUBSTITUTE = "substitute"
    INSERT = "insert"
    DELETE = "delete"


@dataclass(frozen=True)
class Correction:
    """An editorial change: the book prints ``corrected``; the source had ``original``."""

    kind: CorrectionKind
    original: str
    corrected: str  # the new text, as plain text
    note_id: str = ""
    location: Location = field(default=NOWHERE, compare=False)
    children: tuple[Inline, ...] = ()  # the new text with its markup (mentions, emphasis)

    @property
    def printed(self) -> str:
        """What the book prints: an insertion stands in square brackets, as editors mark it."""
        if self.kind is CorrectionKind.INSERT:
            return f"[{self.corrected}]"
        return self.corrected

    @property
    def content(self) -> tuple[Inline, ...]:
        """The new text as nodes (plain text when it was built without markup)."""
        if self.children or not self.corrected:
            return self.children
        return (Text(self.corrected),)

    @property
    def brackets(self) -> tuple[str, str]:
        """What stands around the new text in print."""
        return ("[", "]") if self.kind is CorrectionKind.INSERT else ("", "")


Inline = Text | Emphasis | Mention | Link | NoteRef | Correction
_PARENTS = (Emphasis, Mention, Link, Correction)  # the inline nodes that hold others


@dataclass(frozen=True)
class Paragraph:
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class RichText:
    paragraphs: tuple[Paragraph, ...] = ()

    def inlines(self) -> Iterator[Inline]:
        """Every inline node, depth first, in reading order."""
        return _walk([iter(p.children) for p in reversed(self.paragraphs)])


def walk(nodes: tuple[Inline, ...]) -> Iterator[Inline]:
    """Every node of ``nodes`` and below, depth first, in reading order."""
    return _walk([iter(nodes)])


def _walk(stack: list[Iterator[Inline]]) -> Iterator[Inline]:
    """The nodes of the iterators on ``stack``, the last first, each node's children
    right after it: one generator, not one per node (a text of 100 000 mentions)."""
    while stack:
        for node in stack[-1]:
            yield node
            if isinstance(node, _PARENTS) and node.children:
                stack.append(iter(node.children))
                break
        else:
            stack.pop()


def plain(nodes: tuple[Inline, ...]) -> str:
    """The printed text of ``nodes``, without markup (an insertion in its brackets)."""
    parts: list[str] = []
    for node in nodes:
        if isinstance(node, Text):
            parts.append(node.text)
        elif isinstance(node, Emphasis | Mention | Link):
            parts.append(plain(node.children))
        elif isinstance(node, Correction):
            parts.append(node.printed)
    return "".join(parts)


# ---------------------------------------------------------------- dates


class DatePrecision(Enum):
    DAY = "day"
    MONTH = "month"


@dataclass(frozen=True, order=True)
class EventDate:
    """A day, a month, or a range of either: ``1956-10-23``, ``1956-02``, ``…/…``."""

    start: dt.date
    end: dt.date
    precision: DatePrecision = field(compare=False)

    @property
    def is_range(self) -> bool:
        if self.precision is DatePrecision.MONTH:
            return (self.start.year, self.start.month) != (self.end.year, self.end.month)
        return self.start != self.end

    @property
    def is_single_day(self) -> bool:
        return self.precision is DatePrecision.DAY and not self.is_range

    @staticmethod
    def month(year: int, month: int) -> tuple[dt.date, dt.date]:
        return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


class TimeOfDay(Enum):
    """A part of the day, as a language-neutral key; the book's locale prints it."""

    DAWN = "dawn"
    MORNING = "morning"
    FORENOON = "forenoon"
    AFTERNOON = "afternoon"
    EVENING = "evening"
    NIGHT = "night"


# ---------------------------------------------------------------- chronology


class Relation(Enum):
    ENACTS = "enacts"
    ANSWERS = "answers"
    DEFIES = "defies"


@dataclass(frozen=True)
class DemandLink:
    relation: Relation
    demand: str  # demand id
    event: str  # event id
    location: Location = field(default=NOWHERE, compare=False)


@dataclass(frozen=True)
class Event:
    id: str
    part: str
    date: EventDate
    title: str  # the headline as plain text
    text: RichText
    time: str = ""
    time_of_day: TimeOfDay | None = None
    key: bool = False
    location: Location = field(default=NOWHERE, compare=False)
    heading: Paragraph = Paragraph(())  # the headline with its markup
    figures: tuple[str, ...] = ()  # figure ids shown with the event

    @property
    def headline(self) -> Paragraph:
        return self.heading if self.heading.children else Paragraph((Text(self.title),))


@dataclass(frozen=True)
class Demand:
    id: str
    first: int
    last: int
    text: RichText
    location: Location = field(default=NOWHERE, compare=False)
    figures: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """``13.`` or ``8–10.``"""
        if self.first == self.last:
            return f"{self.first}."
        return f"{self.first}–{self.last}."

    def covers(self, number: int) -> bool:
        return self.first <= number <= self.last


# ---------------------------------------------------------------- index entities


ENTITY_FIELDS = ("born", "died", "role", "expansion")  # what an index type may add to an entry


@dataclass(frozen=True)
class IndexType:
    """One index of the book, declared in book.yaml (or one of the three defaults).

    ``word`` names the locale's title for a default index; a book's own index
    gives its ``title``.
    """

    id: str  # people, places, organizations, terms …
    file: str  # its manuscript file
    fields: tuple[str, ...] = ()  # of ENTITY_FIELDS
    title: str = ""
    word: str = ""  # the label key of a default index's title

    @property
    def lists_people(self) -> bool:
        """People's names: inverted forms are searched, key people make the who's who."""
        return "born" in self.fields


DEFAULT_INDEXES = (
    IndexType("people", "people.yaml", ("born", "died", "role"), word="person"),
    IndexType("places", "places.yaml", (), word="place"),
    IndexType("organizations", "organizations.yaml", ("expansion",), word="organization"),
)


@dataclass(frozen=True)
class Entity:
    id: str
    kind: str  # the id of its IndexType
    name: str
    sort: str
    aliases: tuple[str, ...] = ()
    variants: tuple[str, ...] = ()
    role: str = ""
    born: int | None = None
    died: int | None = None
    expansion: str = ""
    key: bool = False
    location: Location = field(default=NOWHERE, compare=False)

    @property
    def life_years(self) -> str:
        """``1896–1958``, ``?–1949``, or empty when nothing is known."""
        if self.born is None and self.died is None:
            return ""
        born = str(self.born) if self.born is not None else "?"
        died = str(self.died) if self.died is not None else ""
        return f"{born}–{died}"


@dataclass(frozen=True)
class Note:
    id: str
    text: RichText
    location: Location = field(default=NOWHERE, compare=False)


# ---------------------------------------------------------------- book


class PartKind(Enum):
    EVENTS = "events"
    DAYS = "days"
    DEMANDS = "demands"


@dataclass(frozen=True)
class Part:
    id: str
    title: str  # plain text
    kind: PartKind
    location: Location = field(default=NOWHERE, compare=False)
    heading: Paragraph = Paragraph(())  # the title with its markup
    figures: tuple[str, ...] = ()  # shown at the head of the part

    @property
    def headline(self) -> Paragraph:
        return self.heading if self.heading.children else Paragraph((Text(self.title),))


@dataclass(frozen=True)
class Contributor:
    name: str
    role: str = "editor"


@dataclass(frozen=True)
class SourceInfo:
    title: str = ""
    file: str = ""
    note: str = ""


@dataclass(frozen=True)
class BookMeta:
    title: str
    language: str
    slug: str
    identifier: str
    subtitle: str = ""
    editors: tuple[Contributor, ...] = ()
    rights: str = ""
    description: str = ""
    keywords: tuple[str, ...] = ()
    source: SourceInfo = SourceInfo()
    timeline_caption: str = ""  # the timeline figure's caption (the locale's word if empty)
    labels: tuple[tuple[str, str], ...] = ()  # words overriding the language's catalogue
    subtitle_markup: Paragraph = Paragraph(())  # the subtitle with its emphasis
    cover_image: str = ""  # a figure id

    @property
    def subtitle_line(self) -> Paragraph:
        if self.subtitle_markup.children:
            return self.subtitle_markup
        return Paragraph((Text(self.subtitle),) if self.subtitle else ())


class FigureSize(Enum):
    COLUMN = "column"
    HALF = "half"


class FigurePlacement(Enum):
    """Where an edition prints its figures."""

    PLACED = "placed"  # each with the part, event or demand that names it
    GROUPED = "grouped"  # the key figures together, where the layout prints them


@dataclass(frozen=True)
class Figure:
    """An image of ``manuscript/images/`` with what every edition prints around it."""

    id: str
    file: str  # relative to manuscript/images/
    caption: RichText
    alt: str
    credit: str = ""
    licence: str = ""
    decorative: bool = False
    size: FigureSize = FigureSize.COLUMN
    key: bool = False
    location: Location = field(default=NOWHERE, compare=False)
    pixel_width: int = field(default=0, compare=False)  # of a raster image (0: an SVG)
    file_location: Location = field(default=NOWHERE, compare=False)  # of its ``file:``

    @property
    def anchor(self) -> str:
        return figure_anchor(self.id)


@dataclass(frozen=True)
class Edition:
    name: str
    format: str  # a registered output format (bookbuild.builders.registry)
    layout: str
    page_size: str = ""  # empty: the layout's own page size (a key of PAGE_SIZES)
    greyscale: bool = False  # photographs printed in greyscale (for black-and-white copies)
    figures: FigurePlacement = FigurePlacement.PLACED
    parts: tuple[str, ...] = ()  # empty: all parts
    impose: bool = False
    max_pages: int = 0
    location: Location = field(default=NOWHERE, compare=False, repr=False)  # of its name


@dataclass(frozen=True)
class Manuscript:
    meta: BookMeta
    parts: tuple[Part, ...]
    editions: tuple[Edition, ...]
    events: tuple[Event, ...]
    demands: tuple[Demand, ...]
    entities: tuple[Entity, ...]
    notes: tuple[Note, ...]
    links: tuple[DemandLink, ...]
    indexes: tuple[IndexType, ...] = DEFAULT_INDEXES
    figures: tuple[Figure, ...] = ()

    def entity(self, entity_id: str) -> Entity | None:
        return _index(self.entities).get(entity_id)

    def entities_of(self, kind: str) -> tuple[Entity, ...]:
        return tuple(e for e in self.entities if e.kind == kind)

    def index_type(self, kind: str) -> IndexType | None:
        return next((t for t in self.indexes if t.id == kind), None)

    @property
    def people(self) -> tuple[Entity, ...]:
        """The entries of every index of people."""
        kinds = {t.id for t in self.indexes if t.lists_people}
        return tuple(e for e in self.entities if e.kind in kinds)

    def events_in(self, part_id: str) -> tuple[Event, ...]:
        return tuple(e for e in self.events if e.part == part_id)

    def figure(self, figure_id: str) -> Figure | None:
        return next((f for f in self.figures if f.id == figure_id), None)

    def edition(self, name: str) -> Edition | None:
        return next((e for e in self.editions if e.name == name), None)


def _index(entities: tuple[Entity, ...]) -> dict[str, Entity]:
    return {e.id: e for e in entities}
