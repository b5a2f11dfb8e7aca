"""Checks across the whole manuscript: references resolve, ids are unique, nothing is forgotten."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator

from ..errors import Diagnostics, Location
from .anchors import note_anchor
from .fields import shown, suggest
from .figures import check_placements, check_resolution
from .load import CHRONOLOGY_FILE, NOTES_FILE, SourceMap
from .markup import unmarked_text
from .model import (
    PAGE_SIZES,
    Correction,
    DatePrecision,
    Edition,
    Entity,
    Event,
    Link,
    Manuscript,
    Mention,
    NoteRef,
    PartKind,
    RichText,
)
from .stems import stem_pattern


def validate(manuscript: Manuscript, source_map: SourceMap, diagnostics: Diagnostics) -> None:
    """Report every cross-reference problem of a loaded manuscript."""
    _unique_ids(manuscript, diagnostics)
    _parts_and_editions(manuscript, diagnostics)
    _same_outputs(manuscript, diagnostics)
    _references(manuscript, diagnostics, source_map.unreadable)
    _demand_links(manuscript, diagnostics, source_map.unreadable)
    _date_order(manuscript, diagnostics, source_map.undated)
    _day_span(manuscript, diagnostics, source_map.undated)
    _unmentioned(manuscript, diagnostics, source_map.unreadable)
    _unmarked_mentions(manuscript, source_map, diagnostics)
    check_placements(manuscript, diagnostics)
    check_resolution(manuscript, diagnostics)
    _missing_glyphs(source_map, diagnostics)


def _missing_glyphs(source_map: SourceMap, diagnostics: Diagnostics) -> None:
    """A character the book's fonts cannot print is an error where it stands (the
    build would stop on it, without a place to point at)."""
    from ..render.fonts import missing_glyphs

    for scalar in source_map.scalars:  # titles, names and roles print too, not only texts
        missing = missing_glyphs(scalar.value)
        for offset, char in sorted((scalar.value.find(char), char) for char in missing):
            diagnostics.error(  # where each first stands
                scalar.location_at(offset),
                f"the book's fonts have no glyph for '{shown(char)}' (U+{ord(char):04X})",
                "replace the character, e.g. an emoji by words; the fonts are Source "
                "Serif and Source Sans")


def _rich_texts(manuscript: Manuscript) -> Iterable[tuple[str, RichText]]:
    for demand in manuscript.demands:
        yield demand.id, demand.text
    for event in manuscript.events:
        yield event.id, event.text
        if event.heading.children:
            yield event.id, RichText((event.heading,))
    for note in manuscript.notes:
        yield note_anchor(note.id), note.text
    for figure in manuscript.figures:
        yield figure.anchor, figure.caption


def _unique_ids(manuscript: Manuscript, diagnostics: Diagnostics) -> None:
    seen: dict[str, Location] = {}
    owners: list[tuple[str, Location, str]] = [
        *((e.id, e.location, "event") for e in manuscript.events),
        *((e.id, e.location, _what(manuscript, e)) for e in manuscript.entities),
        *((n.id, n.location, "note") for n in manuscript.notes),
    ]
    for item_id, location, what in owners:
        if not item_id:
            continue
        if item_id in seen:
            diagnostics.error(location, f"duplicate id '{item_id}' ({what})",
                              f"first defined at {seen[item_id]}")
        else:
            seen[item_id] = location
    covered: dict[int, Location] = {}
    for demand in manuscript.demands:
        for number in range(demand.first, demand.last + 1):
            if number in covered:
                diagnostics.error(demand.location, f"duplicate demand number {number}",
                                  f"first defined at {covered[number]}")
            covered[number] = demand.location


_NAME_RE = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*\Z")


def _parts_and_editions(manuscript: Manuscript, diagnostics: Diagnostics) -> None:
    part_ids = [p.id for p in manuscript.parts]
    first_part: dict[str, Location] = {}
    for part in manuscript.parts:
        if part.id in first_part:
            diagnostics.error(part.location, f"duplicate part id '{part.id}'",
                              f"first defined at {first_part[part.id]}")
        first_part.setdefault(part.id, part.location)
    kinds = {p.id: p.kind for p in manuscript.parts}
    for event in manuscript.events:
        if kinds.get(event.part) is PartKind.DEMANDS:
            diagnostics.error(event.location,
                              f"event '{event.id}' is in part '{event.part}', which holds demands",
                              "put events in a part of kind 'events' or 'days'")
    for edition in manuscript.editions:
        # an edition's name makes its file names, its layout the template's: plain words only
        if not _NAME_RE.match(edition.name):
            diagnostics.error(edition.location,
                              f"invalid edition name '{shown(edition.name)}'",
                              "an edition's name is part of its file names: lower-case "
                              "letters, digits and hyphens, e.g. 'booklet'")
        elif not _NAME_RE.match(edition.layout):
            diagnostics.error(edition.location,
                              f"invalid layout '{shown(edition.layout)}' in edition "
                              f"'{edition.name}'",
                              "a layout is named by its template in layouts/: lower-case "
                              "letters, digits and hyphens, e.g. 'booklet'")
        _imposed_scale(edition, diagnostics)
        for part_id in edition.parts:
            if part_id not in part_ids:
                diagnostics.error(edition.location,
                                  f"edition '{edition.name}' names unknown part '{part_id}'",
                                  suggest(part_id, part_ids))


def _imposed_scale(edition: Edition, diagnostics: Diagnostics) -> None:
    """An imposed edition of another size than A5 is scaled onto the A4 sheets: said, so
    that nobody prints a booklet of another size than they expect."""
    if not edition.impose or edition.page_size in ("", "A5") \
            or edition.page_size not in PAGE_SIZES:
        return
    width, height = PAGE_SIZES[edition.page_size]
    scale = min(297 / 2 / width, 210 / height)  # two pages side by side on A4 landscape
    diagnostics.warning(
        edition.location,
        f"edition '{edition.name}' is imposed two pages a side on A4: its "
        f"{edition.page_size} pages print at {scale:.0%} (an A5 booklet)",
        f"leave out 'impose' to print {edition.page_size} pages as they are, or use "
        "page_size: A5")


def _same_outputs(manuscript: Manuscript, diagnostics: Diagnostics) -> None:
    """Two editions may not write the same file: the second would replace the first."""
    from ..builders.outputs import output_names, overlaps

    written: list[tuple[str, str, Location]] = []
    for edition in manuscript.editions:
        for name in output_names(edition, manuscript.meta.slug):
            clash = next((w for w in written if overlaps(w[0], name)), None)
            if clash is not None:
                diagnostics.error(edition.location,
                                  f"editions '{clash[1]}' and '{edition.name}' both write "
                                  f"{name.rstrip('/')}",
                                  f"'{clash[1]}' is at {clash[2]}; keep one edition of each "
                                  "format that writes a fixed name (epub, html), or remove one")
                break
            written.append((name, edition.name, edition.location))


def _references(manuscript: Manuscript, diagnostics: Diagnostics, unreadable: set[str]) -> None:
    """Mentions, notes and links resolve (not checked against a file that failed to parse)."""
    entities_complete = not unreadable & {t.file for t in manuscript.indexes}
    notes_complete = NOTES_FILE not in unreadable
    entity_ids = {e.id: e for e in manuscript.entities}
    note_ids = {n.id for n in manuscript.notes}
    targets = {e.id for e in manuscript.events} | {d.id for d in manuscript.demands}
    used_notes: set[str] = set()
    for _owner, text in _rich_texts(manuscript):
        for node in text.inlines():
            if isinstance(node, Mention):
                for entity_id in node.entity_ids:
                    if entity_id not in entity_ids and entities_complete:
                        diagnostics.error(node.location, f"unknown entity '{entity_id}'",
                                          suggest(entity_id, entity_ids)
                                          or "add it to one of the index files: " +
                                          ", ".join(t.file for t in manuscript.indexes))
            elif isinstance(node, NoteRef | Correction):
                if node.note_id:
                    used_notes.add(node.note_id)
                    if node.note_id not in note_ids and notes_complete:
                        diagnostics.error(node.location, f"unknown note '{node.note_id}'",
                                          suggest(node.note_id, note_ids)
                                          or "add it to notes.yaml")
            elif (isinstance(node, Link) and node.href.startswith("#")
                  and node.href[1:] not in targets):
                    diagnostics.error(node.location, f"link to unknown event '{node.href[1:]}'",
                                      suggest(node.href[1:], targets))
    # a file that failed to parse may hold the references: "never referenced" would be
    # a warning for every note it calls, under the one error that matters
    for note in manuscript.notes if not unreadable else ():
        if note.id and note.id not in used_notes:
            diagnostics.warning(note.location, f"note '{note.id}' is never referenced",
                                "refer to it with [^" + note.id + "] or remove it")


def _demand_links(manuscript: Manuscript, diagnostics: Diagnostics,
                  unreadable: set[str]) -> None:
    demand_ids = {d.id for d in manuscript.demands}
    event_ids = {e.id for e in manuscript.events}
    for link in manuscript.links:
        if link.demand.startswith("#"):
            numbers = ", ".join(d.label for d in manuscript.demands)
            diagnostics.error(link.location,
                              f"event '{link.event}' links to unknown demand {link.demand[1:]}",
                              f"the demands are {numbers}" if numbers else "")
        elif link.demand not in demand_ids:  # pragma: no cover - ids are made by the loader
            diagnostics.error(link.location, f"unknown demand '{link.demand}'")
        if link.event not in event_ids and CHRONOLOGY_FILE not in unreadable:
            diagnostics.error(link.location,
                              f"demand links to missing event '{link.event}'",
                              suggest(link.event, event_ids))


def _date_order(manuscript: Manuscript, diagnostics: Diagnostics, undated: set[str]) -> None:
    """Events are in the order of time, a date meaning every day it covers.

    A month stands for the whole month and a range for its span, so "1848-03" may stand
    after 1848-03-03 and before 1848-03-31. The rule: every event can be given a day of
    its date no earlier than the days given to the events before it (each is given the
    earliest such day). An event is out of order when its date ends before that day.
    An event whose date could not be read (``undated``, an error already) is left out.
    """
    for part in manuscript.parts:
        floor: dt.date | None = None
        setter: Event | None = None
        for event in manuscript.events_in(part.id):
            if event.id in undated:
                continue
            if floor is not None and setter is not None and event.date.end < floor:
                diagnostics.warning(
                    event.location,
                    f"event '{event.id}' ({_iso(event)}) comes after "
                    f"'{setter.id}' ({_iso(setter)}) but is dated earlier",
                    "events are read in file order; move it or check its date "
                    "(a month or a range may stand anywhere within its span)",
                )
                continue
            if floor is None or event.date.start > floor:
                floor, setter = event.date.start, event


def _iso(event: Event) -> str:
    """The date as the manuscript writes it: ``1848-03-15``, ``1848-03``, ``…/…``."""
    date = event.date
    if date.precision is DatePrecision.MONTH:
        first, last = date.start.isoformat()[:7], date.end.isoformat()[:7]
    else:
        first, last = date.start.isoformat(), date.end.isoformat()
    return first if first == last else f"{first}/{last}"


MAX_DAY_SPAN = 1100  # days: the timeline figure draws a row for every day of the span


def _day_span(manuscript: Manuscript, diagnostics: Diagnostics, undated: set[str]) -> None:
    """The day-by-day parts, together, cover at most about three years.

    Their timeline figure has a row for every day between the first and the last,
    so a stray year (1856 for 1956) would make a figure of tens of thousands of
    rows and a build of many minutes.
    """
    day_parts = {p.id for p in manuscript.parts if p.kind is PartKind.DAYS}
    days = [e for e in manuscript.events
            if e.part in day_parts and e.date.is_single_day and e.id not in undated]
    if len(days) < 2:
        return
    first = min(days, key=lambda e: e.date.start)
    last = max(days, key=lambda e: e.date.start)
    span = (last.date.start - first.date.start).days
    if span > MAX_DAY_SPAN:
        middle = sorted(e.date.start for e in days)[len(days) // 2]
        # the stray one is the farther from the middle date (on a tie: the later written)
        stray = max((first, last), key=lambda e: (abs((e.date.start - middle).days),
                                                  days.index(e)))
        other = first if stray is last else last
        diagnostics.error(
            stray.location,
            f"the day-by-day parts run from {first.date.start.isoformat()} to "
            f"{last.date.start.isoformat()}, {span} days; at most {MAX_DAY_SPAN} fit a timeline",
            f"check the year of '{stray.id}' and '{other.id}', or put the events of a long "
            "period in a part of kind 'events'",
        )


def _unmentioned(manuscript: Manuscript, diagnostics: Diagnostics,
                 unreadable: set[str]) -> None:
    """An index entry no text mentions (not said when a file that may mention it failed
    to parse)."""
    if unreadable:
        return
    mentioned: set[str] = set()
    for _owner, text in _rich_texts(manuscript):
        for node in text.inlines():
            if isinstance(node, Mention):
                mentioned.update(node.entity_ids)
    for entity in manuscript.entities:
        if entity.id and entity.id not in mentioned:
            diagnostics.warning(entity.location,
                                f"{_what(manuscript, entity)} '{entity.id}' is never mentioned",
                                f"mark a mention with [{_shown_form(manuscript, entity)}]"
                                f"(@{entity.id}) or remove the entry")


def _shown_form(manuscript: Manuscript, entity: Entity) -> str:
    """The entry as running text shows it: an inverted person's name in reading order
    ("Alan Woodward" for "Woodward, Alan")."""
    surname, comma, given = (part.strip() for part in entity.name.partition(","))
    index_type = manuscript.index_type(entity.kind)
    person = index_type is not None and index_type.lists_people
    return f"{given} {surname}" if person and comma and given else entity.name


def _what(manuscript: Manuscript, entity: Entity) -> str:
    """What an entry is called in messages: person, place, organization, or its index's id."""
    index_type = manuscript.index_type(entity.kind)
    return (index_type.word if index_type else "") or entity.kind


def search_forms(entity: Entity, *, person: bool = True) -> list[str]:
    """The forms to look for in unmarked text: name, aliases and variants; for an inverted
    name of a person ("Wałęsa, Lech") also the surname and the name in reading order."""
    forms = [entity.name, *entity.aliases, *entity.variants]
    if person and "," in entity.name:
        surname, _, given = (part.strip() for part in entity.name.partition(","))
        forms.append(surname)
        if given:
            forms.append(f"{given} {surname}")
    return sorted({f for f in forms if len(f) >= 2}, key=len, reverse=True)


_WORD_CHARACTER = re.compile(r"\w")


def _at_word_starts(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    r"""``pattern.finditer(text)`` for matches that start a word: what a ``(?<!\w)`` in
    front would find, but the search skips ahead to the first letters of the forms
    (a look-behind first makes the regex engine try every position of a long text)."""
    position = 0
    while (match := pattern.search(text, position)) is not None:
        start = match.start()
        if start > 0 and _WORD_CHARACTER.match(text, start - 1):
            position = start + 1
            continue
        yield match
        position = match.end()


def _unmarked_mentions(manuscript: Manuscript, source_map: SourceMap,
                       diagnostics: Diagnostics) -> None:
    owners: dict[str, Entity] = {}
    people = {e.id for e in manuscript.people}
    for entity in manuscript.entities:
        for form in search_forms(entity, person=entity.id in people):
            owners.setdefault(form, entity)
    if not owners:
        return
    forms = sorted(owners, key=len, reverse=True)
    language = manuscript.meta.language
    stems = [stem_pattern(language, f) for f in forms]
    pattern = re.compile(r"(" + "|".join(stems) + r")\w*(?:-\w+)*")
    compiled = [(re.compile(stem + r"\Z"), owners[f]) for stem, f in zip(stems, forms,
                                                                         strict=True)]
    for _owner, scalar in source_map.texts:
        visible = unmarked_text(scalar.value)
        for match in _at_word_starts(pattern, visible):
            found = match.group(1)
            owner = next((e for rx, e in compiled if rx.match(found)), None)
            if owner is None:  # pragma: no cover - the pattern only matches known forms
                continue
            entity = owner
            word = match.group(0)
            diagnostics.warning(
                scalar.location_at(match.start()),
                f"'{word}' looks like a mention of {_what(manuscript, entity)} '{entity.id}' "
                "without markup",
                f"write [{word}](@{entity.id}); or \\{word} if it is no mention of it",
            )
