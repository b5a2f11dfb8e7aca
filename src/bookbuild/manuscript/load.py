"""Read a manuscript folder into the model, collecting every problem on the way."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..errors import Diagnostics, Location, relative
from .anchors import demand_id as make_demand_id
from .anchors import note_anchor
from .dates import DateError, parse_clock_time, parse_event_date
from .fields import Fields, records, suggest
from .fields import shown as shown_text
from .figures import FIGURES_FILE, load_figures
from .markup import ALL_CONSTRUCTS, parse_rich_text, refused_constructs
from .model import (
    DEFAULT_INDEXES,
    ENTITY_FIELDS,
    PAGE_SIZES,
    BookMeta,
    Contributor,
    Demand,
    DemandLink,
    Edition,
    Entity,
    Event,
    EventDate,
    FigurePlacement,
    IndexType,
    Manuscript,
    Note,
    Paragraph,
    Part,
    PartKind,
    Relation,
    SourceInfo,
    Text,
    TimeOfDay,
    plain,
)
from .yamlsource import YList, YMap, YNode, YScalar, read_yaml, scalars

BOOK_FILE = "book.yaml"
CHRONOLOGY_FILE = "chronology.yaml"
DEMANDS_FILE = "demands.yaml"
NOTES_FILE = "notes.yaml"
MANUSCRIPT_FILES = (BOOK_FILE, CHRONOLOGY_FILE, DEMANDS_FILE,
                    *(t.file for t in DEFAULT_INDEXES), NOTES_FILE, FIGURES_FILE)


def manuscript_files(manuscript_dir: Path) -> list[str]:
    """Every file a build may read from the manuscript: the fixed ones and any other YAML
    file (a book's own index, declared in book.yaml)."""
    extra = sorted(p.name for p in manuscript_dir.glob("*.yaml") if p.name not in MANUSCRIPT_FILES)
    return [*MANUSCRIPT_FILES, *extra]

NO_MARKUP: frozenset[str] = frozenset()
EMPHASIS = frozenset({"emphasis"})
TITLE_MARKUP = frozenset({"emphasis", "mention"})  # an event's headline
NOTE_MARKUP = ALL_CONSTRUCTS - {"note", "correction"}
MAX_SLUG = 64  # the slug starts every output's file name
# a well-formed language tag (RFC 5646): language, script, region, variants, extensions
BCP47 = re.compile(
    r"(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})"
    r"(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|\d{3}))?"
    r"(?:-(?:[A-Za-z\d]{5,8}|\d[A-Za-z\d]{3}))*"
    r"(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z\d]{2,8})+)*(?:-x(?:-[A-Za-z\d]{1,8})+)?",
    re.ASCII)
MAX_DEMAND_RANGE = 100  # numbers one demand (8-10) may span
# the date given to an event whose own could not be read (the manuscript has an error, and
# nothing is built): the checks of the order of dates leave such events out
UNDATED = parse_event_date("1900-01-01")
CONTRIBUTOR_ROLES = ("editor", "author", "translator", "illustrator", "contributor")


@dataclass
class SourceMap:
    """Where each running text of the manuscript stands, for checks that need the raw text."""

    texts: list[tuple[str, YScalar]] = field(default_factory=list)  # (owner id, scalar)
    scalars: list[YScalar] = field(default_factory=list)  # every value of every file read
    unreadable: set[str] = field(default_factory=set)  # files that could not be parsed
    undated: set[str] = field(default_factory=set)  # events whose date could not be read


@dataclass(frozen=True)
class Project:
    """A project folder: the manuscript and (optionally) its own layouts."""

    root: Path
    manuscript_dir: Path

    @property
    def layouts_dir(self) -> Path:
        return self.root / "layouts"

    def shown(self, path: Path) -> str:
        return relative(path, self.root)


def find_project(path: Path | None) -> Project:
    """The project at ``path``: a folder holding ``manuscript/``, or the manuscript folder."""
    base = (path or Path.cwd()).resolve()
    if (base / "manuscript" / BOOK_FILE).is_file() or (base / "manuscript").is_dir():
        return Project(base, base / "manuscript")
    if (base / BOOK_FILE).is_file():
        return Project(base.parent, base)
    return Project(base, base / "manuscript")


def load_manuscript(project: Project, diagnostics: Diagnostics) -> tuple[Manuscript, SourceMap]:
    """Load everything; structural problems go to ``diagnostics`` (validation comes after)."""
    from .markup import span_budget

    loader = _Loader(project, diagnostics)
    with span_budget():
        return loader.load(), loader.source_map


def _resolve_numbers(links: list[DemandLink], demands: list[Demand]) -> list[DemandLink]:
    """Events name demands by number ("13"); point them at the demand covering it."""
    out: list[DemandLink] = []
    for link in links:
        number = link.demand.lstrip("#").replace("–", "-").rstrip(".")
        first, _, last = (part.strip() for part in number.partition("-"))
        if not _NUMBER.fullmatch(first) or (last and not _NUMBER.fullmatch(last)):
            out.append(link)  # not a number: reported as an unknown demand, where it stands
            continue
        match = next((d for d in demands
                      if d.covers(int(first)) and (not last or d.last == int(last))), None)
        out.append(replace(link, demand=match.id) if match else link)
    return out


def _empty(node: YNode) -> bool:
    return ((isinstance(node, YList) and not node.items)
            or (isinstance(node, YMap) and not node.entries)
            or (isinstance(node, YScalar) and node.is_null))


_NUMBER = re.compile(r"\d{1,6}", re.ASCII)


def load_book_file(project: Project, diagnostics: Diagnostics) -> list[Edition]:
    """Only book.yaml's editions: enough to decide what a build must do."""
    _meta, _parts, editions = _Loader(project, diagnostics).load_book()
    return list(editions)


class _Loader:
    def __init__(self, project: Project, diagnostics: Diagnostics) -> None:
        self.project = project
        self.diagnostics = diagnostics
        self.source_map = SourceMap()
        self.indexes: tuple[IndexType, ...] = DEFAULT_INDEXES
        from ..locale import Locale, locale_for

        self.locale: Locale = locale_for("hu")

    def read(self, name: str, *, required: bool) -> YNode | None:
        path = self.project.manuscript_dir / name
        shown = self.project.shown(path)
        if path.exists() and not path.is_file():
            self.diagnostics.error(Location(shown), f"{name} is not a regular file",
                                   "a manuscript file is a YAML text file; remove what stands "
                                   "in its place")
            self.source_map.unreadable.add(name)
            return None
        if not path.is_file():
            if required:
                self.diagnostics.error(
                    Location(shown), f"missing manuscript file {name}",
                    "run 'bookbuild new DIR' to see a minimal manuscript",
                )
            return None
        node = read_yaml(path, shown, self.diagnostics)
        if node is None:
            self.source_map.unreadable.add(name)
        else:
            self.source_map.scalars.extend(scalars(node))
        return node

    def load(self) -> Manuscript:
        if not self.project.manuscript_dir.is_dir():
            self.diagnostics.error(
                Location(self.project.shown(self.project.manuscript_dir)),
                "no manuscript folder here",
                "run bookbuild in a project folder (with manuscript/book.yaml) or pass its path",
            )
        meta, parts, editions = self.load_book()
        demands, demand_links = self.load_demands()
        events, event_links = self.load_events(parts)
        entities: list[Entity] = []
        for index_type in self.indexes:
            entities.extend(self.load_entities(index_type))
        notes = self.load_notes()
        figures = load_figures(self.read(FIGURES_FILE, required=False),
                               self.project.manuscript_dir, self.project.shown,
                               self.diagnostics, self.source_map.texts)
        return Manuscript(
            meta=meta,
            parts=parts,
            editions=editions,
            events=tuple(events),
            demands=tuple(demands),
            entities=tuple(entities),
            notes=tuple(notes),
            links=tuple(_resolve_numbers(event_links, demands) + demand_links),
            figures=tuple(figures),
            indexes=self.indexes,
        )

    # ------------------------------------------------------------ book.yaml

    def load_book(self) -> tuple[BookMeta, tuple[Part, ...], tuple[Edition, ...]]:
        shown = self.project.shown(self.project.manuscript_dir / BOOK_FILE)
        node = self.read(BOOK_FILE, required=True)
        if not isinstance(node, YMap):
            if node is not None:
                self.diagnostics.error(Location(shown, 1, 1), "book.yaml must be a mapping")
            return BookMeta("", "hu", "book", ""), (), ()
        book = Fields(node, "book.yaml", self.diagnostics)
        book.check_known(
            ["title", "subtitle", "language", "slug", "identifier", "editors", "rights",
             "description", "keywords", "source", "parts", "editions", "timeline_caption",
             "labels", "indexes", "cover_image"]
        )
        language = self.load_language(book)
        slug = book.text("slug", required=True)
        if slug and (len(slug) > MAX_SLUG or not re.fullmatch(r"[a-z0-9]+(?:[-_][a-z0-9]+)*",
                                                              slug, re.ASCII)):
            self.diagnostics.error(
                book.node.key_location("slug"), f"invalid slug '{shown_text(slug[:80])}'",
                "the slug names the output files: lower-case letters, digits and hyphens, "
                f"at most {MAX_SLUG} of them",
            )
            slug = "book"
        identifier = book.text("identifier", required=True)
        if identifier and not re.fullmatch(
            r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", identifier
        ):
            self.diagnostics.error(
                book.node.key_location("identifier"),
                f"identifier '{identifier}' is not a urn:uuid",
                "write a fixed urn:uuid:…, e.g. from python -c 'import uuid; print(uuid.uuid4())'",
            )
        source = book.mapping("source")
        title, _markup = self.inline_field(book, "title", NO_MARKUP, required=True)
        subtitle, subtitle_markup = self.inline_field(book, "subtitle", EMPHASIS)
        meta = BookMeta(
            title=title,
            subtitle=subtitle,
            subtitle_markup=subtitle_markup,
            language=language,
            slug=slug or "book",
            identifier=identifier,
            editors=self.load_contributors(book),
            rights=book.text("rights"),
            description=book.text("description"),
            keywords=book.text_list("keywords"),
            source=SourceInfo(
                title=source.text("title") if source else "",
                file=source.text("file") if source else "",
                note=source.text("note") if source else "",
            ),
            timeline_caption=book.text("timeline_caption"),
            labels=self.load_labels(book),
            cover_image=book.text("cover_image"),
        )
        if source:
            source.check_known(["title", "file", "note"])
        self.indexes = self.load_indexes(book)
        return meta, self.load_parts(book), self.load_editions(book)

    def load_indexes(self, book: Fields) -> tuple[IndexType, ...]:
        """The defaults, each overridden by a declaration of the same id, then the book's own."""
        indexes = {t.id: t for t in DEFAULT_INDEXES}
        for item in records(book.node.get("indexes"), "index", self.diagnostics):
            item.check_known(["id", "title", "file", "fields"])
            index_id = item.identifier()
            if not index_id:
                continue
            default = indexes.get(index_id)
            fields = item.text_list("fields") if item.node.get("fields") is not None else (
                default.fields if default else ("role", "expansion"))
            for name in fields:
                if name not in ENTITY_FIELDS:
                    self.diagnostics.error(
                        item.node.key_location("fields"), f"unknown index field '{name}'",
                        suggest(name, ENTITY_FIELDS) or f"use some of {', '.join(ENTITY_FIELDS)}",
                    )
            file = item.text("file") or (default.file if default else f"{index_id}.yaml")
            if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*\.yaml", file) or file in (
                    BOOK_FILE, CHRONOLOGY_FILE, DEMANDS_FILE, NOTES_FILE):
                self.diagnostics.error(
                    item.node.key_location("file"), f"'{file}' cannot hold an index",
                    "name a .yaml file of its own in the manuscript folder, e.g. terms.yaml",
                )
                continue
            title = item.text("title")
            if not title and default is None:
                self.diagnostics.error(item.location, f"index '{index_id}' has no 'title'",
                                       "a book's own index prints the title it gives")
            indexes[index_id] = IndexType(
                index_id, file, tuple(f for f in fields if f in ENTITY_FIELDS), title,
                default.word if default else "")
        return tuple(indexes.values())

    def load_language(self, book: Fields) -> str:
        """The book's language as a canonical BCP 47 tag (``en_us`` → ``en-US``); a tag with
        no catalogue is an error at ``language:``."""
        from ..locale import UnknownLanguage, locale_for

        # required: a book left without it would silently get one language's typography
        language = book.text("language", required=True)
        if not language:
            return "hu"  # reported above; the rest of the check still runs
        if not BCP47.fullmatch(language):  # it goes into file metadata and HTML attributes
            self.diagnostics.error(
                book.node.key_location("language"),
                f"language '{shown_text(language[:40])}' is not a BCP 47 language tag",
                "write a tag such as hu, en, en-GB or de-AT")
            return "hu"
        try:
            self.locale = locale_for(language)
        except UnknownLanguage as exc:
            self.diagnostics.error(book.node.key_location("language"), str(exc), exc.hint)
            return "hu"
        return self.locale.tag

    def load_labels(self, book: Fields) -> tuple[tuple[str, str], ...]:
        """``labels:``: words replacing the catalogue's; an unknown key is a warning."""
        from ..locale import message_ids

        labels = book.mapping("labels")
        if labels is None:
            return ()
        known = sorted(message_ids())
        out: list[tuple[str, str]] = []
        for key, (key_node, _value) in labels.node.entries.items():
            if key not in known:
                self.diagnostics.warning(
                    key_node.location, f"unknown label '{key}'",
                    suggest(key, known) or "see docs/languages.md for the label keys")
                continue
            text = labels.text(key)
            if text:
                out.append((key, text))
        return tuple(out)

    def load_contributors(self, book: Fields) -> tuple[Contributor, ...]:
        out: list[Contributor] = []
        for item in records(book.node.get("editors"), "editor", self.diagnostics):
            item.check_known(["name", "role"])
            role = item.text("role", default="editor")
            if role not in CONTRIBUTOR_ROLES:
                self.diagnostics.error(
                    item.node.key_location("role"), f"unknown contributor role '{role}'",
                    suggest(role, CONTRIBUTOR_ROLES)
                    or f"use one of {', '.join(CONTRIBUTOR_ROLES)}",
                )
            out.append(Contributor(item.text("name", required=True), role))
        return tuple(out)

    def load_parts(self, book: Fields) -> tuple[Part, ...]:
        parts: list[Part] = []
        kinds = [k.value for k in PartKind]
        for item in records(book.node.get("parts"), "part", self.diagnostics):
            item.check_known(["id", "title", "kind", "figures"])
            kind_text = item.text("kind", default="events")
            if kind_text not in kinds:
                self.diagnostics.error(
                    item.node.key_location("kind"), f"unknown part kind '{kind_text}'",
                    suggest(kind_text, kinds) or f"use one of {', '.join(kinds)}",
                )
                kind_text = "events"
            title, heading = self.inline_field(item, "title", EMPHASIS, required=True)
            parts.append(Part(item.identifier(), title, PartKind(kind_text), item.location,
                              heading, item.text_list("figures")))
        if not parts and book.node.get("parts") is None:
            self.diagnostics.error(book.location, "book.yaml has no 'parts'",
                                   "list the book's parts: background, chronology, …")
        return tuple(parts)

    def load_editions(self, book: Fields) -> tuple[Edition, ...]:
        editions_node = book.mapping("editions")
        if editions_node is None:
            return ()
        out: list[Edition] = []
        from ..builders.registry import formats as registered
        from ..builders.registry import is_format

        for name, (key, value) in editions_node.node.entries.items():
            if not isinstance(value, YMap):
                self.diagnostics.error(key.location, f"edition '{name}' must be a mapping")
                continue
            item = Fields(value, f"edition '{name}'", self.diagnostics)
            item.check_known(["format", "layout", "page_size", "parts", "impose", "max_pages",
                              "greyscale", "figures"])
            fmt = item.text("format", required=True)
            if not is_format(fmt):
                formats = registered()
                self.diagnostics.error(
                    value.key_location("format"), f"unknown output format '{fmt}'",
                    suggest(fmt, formats) or f"use one of {', '.join(formats)}",
                )
                continue
            page_size = item.text("page_size")
            if page_size and page_size not in PAGE_SIZES:
                self.diagnostics.error(
                    value.key_location("page_size"), f"unknown page size '{page_size}'",
                    f"use one of {', '.join(PAGE_SIZES)}",
                )
            out.append(Edition(
                name=name,
                format=fmt,
                layout=item.text("layout", default=name),
                page_size=page_size,
                parts=item.text_list("parts"),
                impose=item.boolean("impose"),
                max_pages=self.max_pages(item),
                greyscale=item.boolean("greyscale"),
                figures=self.figure_placement(item),
                location=key.location,
            ))
        return tuple(out)

    def figure_placement(self, item: Fields) -> FigurePlacement:
        """``figures``: placed (with their parts, events, demands) or grouped (the key ones)."""
        choices = [p.value for p in FigurePlacement]
        text = item.text("figures", default=FigurePlacement.PLACED.value)
        if text not in choices:
            self.diagnostics.error(item.node.key_location("figures"),
                                   f"unknown figure placement '{text}'",
                                   suggest(text, choices) or f"use one of {', '.join(choices)}")
            return FigurePlacement.PLACED
        return FigurePlacement(text)

    def max_pages(self, item: Fields) -> int:
        """``max_pages``: a whole number of at least one, when given (0: no limit)."""
        pages = item.integer("max_pages")
        if pages is not None and pages < 1:
            self.diagnostics.error(item.node.key_location("max_pages"),
                                   f"max_pages must be at least 1, not {pages}",
                                   "leave it out for no limit")
            return 0
        return pages or 0

    # ------------------------------------------------------------ demands

    def load_demands(self) -> tuple[list[Demand], list[DemandLink]]:
        node = self.read(DEMANDS_FILE, required=False)
        demands: list[Demand] = []
        links: list[DemandLink] = []
        for item in records(node, "demand", self.diagnostics):
            item.check_known(["number", "text", "events", "figures"])
            number = item.scalar("number", required=True)
            first = last = 0
            if number is not None:
                match = re.fullmatch(r"(\d{1,6})(?:\s*[-–]\s*(\d{1,6}))?\.?",
                                     number.value.strip(), re.ASCII)
                if not match:
                    self.diagnostics.error(
                        number.location,
                        f"demand number '{number.value}' is not a number or range",
                        "write 13 or 8-10",
                    )
                else:
                    first = int(match.group(1))
                    last = int(match.group(2) or first)
                    if last < first:
                        self.diagnostics.error(number.location,
                                               f"demand range '{number.value}' runs backwards")
                        last = first
                    elif last - first >= MAX_DEMAND_RANGE:
                        self.diagnostics.error(
                            number.location,
                            f"demand range '{number.value}' spans {last - first + 1} numbers; "
                            f"a range of demands spans at most {MAX_DEMAND_RANGE}",
                            "write the demands one by one, or check the numbers")
                        last = first
            demand_id = make_demand_id(first, last)
            text, scalar = item.rich("text", required=True, owner=demand_id)
            if scalar is not None:
                self.source_map.texts.append((demand_id, scalar))
            demands.append(Demand(demand_id, first, last, text,
                                  item.location, item.text_list("figures")))
            links.extend(self.load_links(item, "events", demand_id=demand_id))
        return demands, links

    def load_links(self, item: Fields, name: str, *, demand_id: str = "",
                   event_id: str = "") -> list[DemandLink]:
        mapping = item.mapping(name)
        if mapping is None:
            return []
        relations = [r.value for r in Relation]
        mapping.check_known(relations)
        links: list[DemandLink] = []
        for relation in Relation:
            node = mapping.node.get(relation.value)
            if node is None:
                continue
            for value in mapping.text_list(relation.value):
                where = node.location
                if demand_id:  # a demand names events
                    links.append(DemandLink(relation, demand_id, value, where))
                else:  # an event names demands by number
                    links.append(DemandLink(relation, f"#{value}", event_id, where))
        return links

    # ------------------------------------------------------------ events

    def load_events(self, parts: tuple[Part, ...]) -> tuple[list[Event], list[DemandLink]]:
        node = self.read(CHRONOLOGY_FILE, required=True)
        part_ids = [p.id for p in parts]
        events: list[Event] = []
        links: list[DemandLink] = []
        accepted = self.locale.time_of_day_words()
        times = [t.value for t in TimeOfDay]
        items = records(node, "event", self.diagnostics)
        if node is not None and not items and _empty(node):
            self.diagnostics.error(
                node.location, "the chronology has no events",
                "a chronology book needs events: add one, e.g. '- {id: first, part: …, "
                "date: 1956-10-23, title: …, text: …}'")
        for item in items:
            item.check_known(["id", "part", "date", "time", "time_of_day", "title", "key",
                              "demands", "text", "figures"])
            event_id = item.identifier()
            part = item.text("part", required=True)
            if part and part_ids and part not in part_ids:
                self.diagnostics.error(
                    item.node.key_location("part"), f"unknown part '{part}'",
                    suggest(part, part_ids) or f"parts in book.yaml: {', '.join(part_ids)}",
                )
            date = self.event_date(item)
            if date is None:  # reported; the checks of the order of dates leave it out
                self.source_map.undated.add(event_id)
                date = UNDATED
            time = ""
            time_node = item.scalar("time")
            if time_node is not None:
                try:
                    time = parse_clock_time(time_node.value)
                except DateError as exc:
                    self.diagnostics.error(time_node.location, str(exc), exc.hint)
            time_of_day = None
            tod = item.text("time_of_day")
            if tod:
                if tod in accepted:
                    time_of_day = accepted[tod]
                else:
                    tod_node = item.scalar("time_of_day")
                    close = suggest(tod, list(accepted))
                    self.diagnostics.error(
                        tod_node.location if tod_node else item.node.key_location("time_of_day"),
                        f"unknown time of day '{tod}'",
                        (f"{close} " if close else "") + f"use one of {', '.join(times)} "
                        "(or the word the book's language prints for it)",
                    )
            if time and time_of_day:
                self.diagnostics.error(item.node.key_location("time_of_day"),
                                       "an event has either a 'time' or a 'time_of_day', not both")
            text, scalar = item.rich("text", required=True, owner=event_id)
            if scalar is not None and event_id:
                self.source_map.texts.append((event_id, scalar))
            title, heading = self.inline_field(item, "title", TITLE_MARKUP, required=True,
                                               owner=event_id)
            events.append(Event(
                id=event_id,
                part=part,
                date=date,
                title=title,
                heading=heading,
                text=text,
                time=time,
                time_of_day=time_of_day,
                key=item.boolean("key"),
                location=item.location,
                figures=item.text_list("figures"),
            ))
            links.extend(self.load_links(item, "demands", event_id=event_id))
        return events, links

    def event_date(self, item: Fields) -> EventDate | None:
        """The event's date; None (and an error reported) when it has none or no real one."""
        node = item.scalar("date", required=True)
        if node is None:
            return None
        try:
            return parse_event_date(node.value)
        except DateError as exc:
            self.diagnostics.error(node.location, str(exc), exc.hint)
            return None

    # ------------------------------------------------------------ entities and notes

    def load_entities(self, index_type: IndexType) -> list[Entity]:
        node = self.read(index_type.file, required=False)
        out: list[Entity] = []
        allowed = ["id", "name", "sort", "aliases", "variants", "key", *index_type.fields]
        has = set(index_type.fields)
        for item in records(node, index_type.word or index_type.id, self.diagnostics):
            item.check_known(allowed)
            entity_name = item.text("name", required=True)
            born = item.integer("born") if "born" in has else None
            died = item.integer("died") if "died" in has else None
            if born is not None and died is not None and died < born:
                self.diagnostics.error(item.node.key_location("died"),
                                       f"{entity_name} died ({died}) before being born ({born})")
            out.append(Entity(
                id=item.identifier(),
                kind=index_type.id,
                name=entity_name,
                sort=item.text("sort") or entity_name,
                aliases=item.text_list("aliases"),
                variants=item.text_list("variants"),
                role=item.text("role") if "role" in has else "",
                born=born,
                died=died,
                expansion=item.text("expansion") if "expansion" in has else "",
                key=item.boolean("key"),
                location=item.location,
            ))
        return out

    def load_notes(self) -> list[Note]:
        node = self.read(NOTES_FILE, required=False)
        out: list[Note] = []
        for item in records(node, "note", self.diagnostics):
            item.check_known(["id", "text"])
            note_id = item.identifier()
            text, scalar = item.rich("text", required=True, owner=note_anchor(note_id))
            if scalar is not None and note_id:
                self.source_map.texts.append((note_anchor(note_id), scalar))
            top = tuple(c for p in text.paragraphs for c in p.children)
            for bad, what in refused_constructs(top, NOTE_MARKUP):
                self.diagnostics.error(
                    getattr(bad, "location", None) or item.location,
                    f"a {what} is not allowed in a note",
                    "a note may hold mentions, emphasis and links; "
                    "put a second remark in a note of its own")
            out.append(Note(note_id, text, item.location))
        return out

    # ------------------------------------------------------------ one-line fields with markup

    def inline_field(self, item: Fields, name: str, allowed: frozenset[str], *,
                     required: bool = False, owner: str = "") -> tuple[str, Paragraph]:
        """A title-like field: one line of inline markup, only the constructs ``allowed``.

        Returns its plain text and its markup; a refused construct is an error where it
        stands. Mentions in it are anchored (``owner``) and indexed like the text's.
        """
        node = item.scalar(name, required=required)
        if node is None:
            return "", Paragraph(())
        value = node.value.strip()
        if not value:
            if required:
                self.diagnostics.error(node.location, f"'{name}' is empty in {item.what}")
            return "", Paragraph(())
        offset = node.value.find(value[0])
        rich, problems = parse_rich_text(value, folded=True,
                                         locate=lambda i: node.location_at(offset + i),
                                         owner=f"{owner}-t" if owner else "")
        for problem in problems:
            self.diagnostics.error(node.location_at(offset + problem.offset), problem.message,
                                   problem.hint)
        children = tuple(c for p in rich.paragraphs for c in (*p.children, Text(" ")))[:-1]
        refused = refused_constructs(children, allowed)
        for refused_node, what in refused:
            where = getattr(refused_node, "location", None) or node.location
            self.diagnostics.error(
                where, f"{'an' if what[0] in 'aeio' else 'a'} {what} is not allowed in "
                f"'{name}'",
                f"'{name}' may hold: {', '.join(sorted(allowed)) or 'plain text only'}",
            )
        if refused:
            return plain(children), Paragraph((Text(plain(children)),))
        return plain(children), Paragraph(children)
