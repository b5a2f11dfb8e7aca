"""The book as plain text, structured JSON and Pandoc Markdown (``bookbuild export``)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from urllib.parse import quote

from ..locale import Locale
from ..manuscript.figures import IMAGES_DIR
from ..manuscript.model import (
    Correction,
    Emphasis,
    IndexType,
    Inline,
    Link,
    Manuscript,
    Mention,
    NoteRef,
    RichText,
    Text,
)
from .book import BookView, DemandView, EventView, IndexEntry, SeeReference, build_view
from .figureview import FigureView
from .inline import text_runs

# ---------------------------------------------------------------- plain text


def _plain(nodes: tuple[Inline, ...], notes: dict[str, int], locale: Locale) -> str:
    """One paragraph as text: its runs typeset together, note numbers in brackets."""
    return _plain_runs(nodes, notes, iter(locale.typeset_runs(list(text_runs(nodes)))))


def _plain_runs(nodes: tuple[Inline, ...], notes: dict[str, int], runs: Iterator[str]) -> str:
    out: list[str] = []
    for node in nodes:
        if isinstance(node, Text):
            out.append(next(runs))
        elif isinstance(node, Emphasis | Mention | Link):
            out.append(_plain_runs(node.children, notes, runs))
        elif isinstance(node, Correction):
            if node.corrected:  # the same runs as inline.text_runs: brackets, then the content
                opening = next(runs)
                inner = _plain_runs(node.content, notes, runs)
                out.append(opening + inner + next(runs))
            out.append(_note_mark(node.note_id, notes))
        elif isinstance(node, NoteRef):
            out.append(_note_mark(node.note_id, notes))
    return "".join(out)


def _note_mark(note_id: str, notes: dict[str, int]) -> str:
    return f"[{notes[note_id]}]" if note_id in notes else ""


def _paragraphs(text: RichText, notes: dict[str, int], locale: Locale) -> list[str]:
    return [_plain(p.children, notes, locale) for p in text.paragraphs]


def _event_heading(view: EventView, in_days: bool) -> str:
    moment = view.when if in_days else view.date_label
    return f"{moment} – {view.event.title}" if moment else view.event.title


def _demand_line(view: DemandView, notes: dict[str, int], locale: Locale) -> str:
    return f"{view.demand.label} " + " ".join(_paragraphs(view.demand.text, notes, locale))


def _figure_credit(figure: FigureView) -> str:
    """What follows a figure's caption in an export: " – credit, licence"."""
    said = ", ".join(t for t in (figure.figure.credit, figure.figure.licence) if t)
    return f" – {said}" if said else ""


def _figure_line(figure: FigureView, notes: dict[str, int], locale: Locale) -> str:
    caption = " ".join(_paragraphs(figure.figure.caption, notes, locale))
    return f"{figure.label}: {caption}{_figure_credit(figure)}"


def _standing_with(view: BookView) -> dict[str, list[FigureView]]:
    """The figures of each part, event and demand anchor, in reading order."""
    out: dict[str, list[FigureView]] = {}
    for figure in view.figures:
        out.setdefault(figure.owner, []).append(figure)
    return out


def text_lines(view: BookView) -> Iterator[str]:
    notes = view.note_numbers
    figures = _standing_with(view)

    def figures_of(anchor: str) -> Iterator[str]:
        for figure in figures.get(anchor, ()):
            yield ""
            yield _figure_line(figure, notes, view.locale)

    yield view.meta.title
    if view.meta.subtitle:
        yield view.meta.subtitle
    for part in view.parts:
        yield ""
        yield part.part.title
        yield from figures_of(part.anchor)
        for demand in part.demands:
            yield ""
            yield _demand_line(demand, notes, view.locale)
            yield from figures_of(demand.anchor)
        for event in part.events:
            yield ""
            yield _event_heading(event, in_days=False)
            yield from _paragraphs(event.event.text, notes, view.locale)
            yield from figures_of(event.anchor)
        for group in part.groups:
            yield ""
            yield group.heading
            for event in group.events:
                yield ""
                yield _event_heading(event, in_days=True)
                yield from _paragraphs(event.event.text, notes, view.locale)
                yield from figures_of(event.anchor)
    if view.notes:
        yield ""
        yield view.locale.word("notes")
        for note in view.notes:
            yield f"{note.number}. " + " ".join(_paragraphs(note.note.text, notes, view.locale))


def export_text(manuscript: Manuscript) -> str:
    """The running text in reading order, as a reader reads it."""
    return "\n".join(text_lines(build_view(manuscript))) + "\n"


# ---------------------------------------------------------------- JSON


def export_json(manuscript: Manuscript) -> str:
    """The structured model: events, demands and index entities with their mentions."""
    view = build_view(manuscript)
    notes = view.note_numbers
    mentions = {
        row.entity.id: sorted({m.owner for m in row.mentions}, key=_owner_order(view))
        for section in view.indexes for row in section.rows if isinstance(row, IndexEntry)
    }

    def entity(index_type: IndexType) -> list[dict[str, object]]:
        out: list[dict[str, object]] = []
        for e in manuscript.entities_of(index_type.id):
            item: dict[str, object] = {"id": e.id, "name": e.name, "sort": e.sort,
                                       "mentions": mentions.get(e.id, [])}
            item.update({name: getattr(e, name) for name in index_type.fields})
            if e.variants:
                item["variants"] = list(e.variants)
            out.append(item)
        return out

    data = {
        "meta": {"title": manuscript.meta.title, "subtitle": manuscript.meta.subtitle,
                 "language": manuscript.meta.language, "identifier": manuscript.meta.identifier,
                 "editors": [{"name": c.name, "role": c.role} for c in manuscript.meta.editors]},
        "parts": [{"id": p.id, "title": p.title, "kind": p.kind.value} for p in manuscript.parts],
        "events": [
            {"id": v.event.id, "part": v.event.part, "date": _iso(v), "time": v.event.time,
             "time_of_day": v.event.time_of_day.value if v.event.time_of_day else "",
             "title": v.event.title, "key": v.event.key,
             "text": "\n\n".join(_paragraphs(v.event.text, notes, view.locale)),
             "demands": [{"demand": r.demand.id, "relation": r.relation.value}
                         for r in v.demands]}
            for v in view.events
        ],
        "demands": [
            {"id": d.demand.id, "number": d.demand.label.rstrip("."), "first": d.demand.first,
             "last": d.demand.last,
             "text": " ".join(_paragraphs(d.demand.text, notes, view.locale)),
             "events": [{"event": r.event.anchor, "relation": r.relation.value}
                        for r in d.events]}
            for d in view.demands
        ],
        **{t.id: entity(t) for t in manuscript.indexes},
        "notes": [{"id": n.note.id, "number": n.number,
                   "text": " ".join(_paragraphs(n.note.text, notes, view.locale))}
                  for n in view.notes],
        "figures": [
            {"id": f.figure.id, "number": f.number, "label": f.label, "owner": f.owner,
             "file": f"{IMAGES_DIR}/{f.figure.file}",
             "caption": " ".join(_paragraphs(f.figure.caption, notes, view.locale)),
             "alt": f.figure.alt, "decorative": f.figure.decorative,
             "credit": f.figure.credit, "licence": f.figure.licence,
             "size": f.figure.size.value, "key": f.figure.key}
            for f in view.figures
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _iso(view: EventView) -> str:
    date = view.event.date
    if date.precision.value == "month":
        start = date.start.strftime("%Y-%m")
        end = date.end.strftime("%Y-%m")
    else:
        start, end = date.start.isoformat(), date.end.isoformat()
    return start if start == end else f"{start}/{end}"


def _owner_order(view: BookView) -> Callable[[str], tuple[int, str]]:
    """Where a mention's owner stands in the book: each part's figures, demands and events
    (each followed by its figures), then the notes; the same order on every run."""
    figures = _standing_with(view)
    ordered: list[str] = []
    for part in view.parts:
        places = [part.anchor, *(d.anchor for d in part.demands),
                  *(e.anchor for e in part.events),
                  *(e.anchor for g in part.groups for e in g.events)]
        for place in places:
            ordered.append(place)
            ordered.extend(f.anchor for f in figures.get(place, ()))
    ordered.extend(n.anchor for n in view.notes)
    order = {anchor: i for i, anchor in enumerate(ordered)}
    return lambda owner: (order.get(owner, len(order)), owner)


# ---------------------------------------------------------------- Pandoc Markdown

# Pandoc reads these as markup anywhere in a line: emphasis, spans and links, raw HTML
# and entities (& …;), math ($), citations (@), sub- and superscript (~ ^), smart quotes
# (' "), line blocks (|); every ASCII punctuation character may be escaped with "\".
_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_{}[]<>#|~^$@&'\""})
_MD_RUNS = re.compile(r"-{2,}|\.{3,}")  # -- and --- become dashes, ... an ellipsis
# Pandoc's smart quotes read the English quotation marks as quotes of its own (which it
# prints in the output language's style): each one alone in an empty span stays text
# (a closing mark alone opens nothing and stays as it is)
_MD_CURLY = str.maketrans({c: f"[{c}]{{}}" for c in "\u201c\u2018"})
# Pandoc's smart extension also puts a no-break space after the abbreviations it knows
# (``pandoc --print-default-data-file abbreviations``): their final period goes in a span
_PANDOC_ABBREVIATIONS = (
    "aet.", "aetat.", "al.", "Apr.", "Aug.", "bk.", "Bros.", "c.", "Capt.", "cf.",
    "ch.", "chap.", "chs.", "Co.", "col.", "Corp.", "cp.", "d.", "Dec.", "Dr.", "e.g.",
    "ed.", "eds.", "esp.", "f.", "fasc.", "Feb.", "ff.", "fig.", "fl.", "fol.", "fols.",
    "Fr.", "Gen.", "Gov.", "Hon.", "i.e.", "ill.", "Inc.", "incl.", "Jan.", "Jr.",
    "Jul.", "Jun.", "Ltd.", "M.A.", "M.D.", "Mar.", "Mr.", "Mrs.", "Ms.", "n.", "n.b.",
    "nn.", "No.", "Nov.", "Oct.", "p.", "Ph.D.", "pp.", "Pres.", "Prof.", "pt.", "q.v.",
    "Rep.", "Rev.", "s.v.", "s.vv.", "saec.", "sec.", "Sen.", "Sep.", "Sept.", "Sgt.",
    "Sr.", "St.", "univ.", "viz.", "vol.", "vs.",
)
_MD_ABBREVIATION = re.compile(
    r"(?<![\w.])(" + "|".join(re.escape(a[:-1]) for a in sorted(
        _PANDOC_ABBREVIATIONS, key=len, reverse=True)) + r")\.(?= )")
# what starts a list, a quote, a definition, a heading or a title block at a line's start
_MD_BLOCK_START = re.compile(
    r"\A(?:(?P<number>\(?(?:\d+|[A-Za-z]|[ivxlcdmIVXLCDM]+))(?P<mark>[.)])(?=\s|\Z)"
    r"|(?P<sign>[-+*:%=>]))")


def _md_escape(text: str) -> str:
    """``text`` as Markdown that Pandoc reads back as exactly this text."""
    escaped = text.translate(_MD_SPECIAL)
    escaped = _MD_RUNS.sub(lambda m: "".join("\\" + c for c in m.group()), escaped)
    escaped = _MD_ABBREVIATION.sub(r"\1[.]{}", escaped)
    return escaped.translate(_MD_CURLY)


def _md_block_start(markdown: str) -> str:
    """A paragraph's or heading's first characters escaped where Pandoc would read a block
    (``1956. `` an ordered list, ``- `` a bullet, ``: `` a definition …)."""
    match = _MD_BLOCK_START.match(markdown)
    if match is None:
        return markdown
    if match.group("sign"):
        return "\\" + markdown
    number = match.group("number").replace("(", "\\(")
    return number + "\\" + match.group("mark") + markdown[match.end():]


def _md_paragraph(nodes: tuple[Inline, ...], notes: dict[str, int], locale: Locale) -> str:
    """One paragraph as Markdown, its runs typeset together."""
    return _md_block_start(_md(nodes, notes, iter(locale.typeset_runs(list(text_runs(nodes))))))


def _md(nodes: tuple[Inline, ...], notes: dict[str, int], runs: Iterator[str]) -> str:
    out: list[str] = []
    for node in nodes:
        if isinstance(node, Text):
            out.append(_md_escape(next(runs)))
        elif isinstance(node, Emphasis):
            mark = "**" if node.strong else "*"
            out.append(mark + _md(node.children, notes, runs) + mark)
        elif isinstance(node, Mention):
            out.append(f"[{_md(node.children, notes, runs)}]"
                       f"{{#{node.anchor} .mention ref=\"{' '.join(node.entity_ids)}\"}}")
        elif isinstance(node, Link):
            out.append(f"[{_md(node.children, notes, runs)}]({node.href})")
        elif isinstance(node, Correction):
            if node.corrected:  # the same runs as inline.text_runs: brackets, then the content
                opening = _md_escape(next(runs))
                inner = _md(node.content, notes, runs)
                out.append(opening + inner + _md_escape(next(runs)))
            out.append(_md_note(node.note_id, notes))
        elif isinstance(node, NoteRef):
            out.append(_md_note(node.note_id, notes))
    return "".join(out)


def _md_note(note_id: str, notes: dict[str, int]) -> str:
    return f"[^{note_id}]" if note_id in notes else ""


def _yaml_str(text: str) -> str:
    """A front matter value: quoted for YAML, escaped for the Markdown Pandoc reads it as."""
    return json.dumps(_md_block_start(_md_escape(text)), ensure_ascii=False)


def export_markdown(manuscript: Manuscript) -> str:
    """The whole book as Pandoc Markdown: headings with ids, spans for mentions, footnotes."""
    view = build_view(manuscript)
    notes = view.note_numbers
    meta = view.meta
    lines = ["---", f"title: {_yaml_str(meta.title)}"]
    if meta.subtitle:
        lines.append(f"subtitle: {_yaml_str(meta.subtitle)}")
    lines += [f"lang: {_yaml_str(meta.language)}", f"identifier: {_yaml_str(meta.identifier)}",
              "author:", *(f"  - {_yaml_str(c.name)}" for c in meta.editors),
              f"description: {_yaml_str(meta.description)}",
              f"rights: {_yaml_str(meta.rights)}", "---", ""]
    figures = _standing_with(view)

    def figures_of(anchor: str) -> list[str]:
        return [line for figure in figures.get(anchor, ())
                for line in (_md_figure(figure, notes, view.locale), "")]

    for part in view.parts:
        lines += [f"# {_md_block_start(_md_escape(part.part.title))} {{#{part.anchor}}}", ""]
        lines += figures_of(part.anchor)
        for demand in part.demands:
            text = " ".join(_md_paragraph(p.children, notes, view.locale)
                            for p in demand.demand.text.paragraphs)
            refs = ", ".join(f"[{r.event.reference}](#{r.event.anchor})" for r in demand.events)
            lines += [f"[{demand.demand.label}]{{#{demand.anchor}}} {text}"
                      + (f" (→ {refs})" if refs else ""), ""]
            lines += figures_of(demand.anchor)
        for event in part.events:
            lines += _md_event(event, f"{event.date_label} – ", "##", notes, view.locale)
            lines += figures_of(event.anchor)
        for group in part.groups:
            lines += [f"## {group.heading} {{#{group.anchor}}}", ""]
            for event in group.events:
                lines += _md_event(event, f"{event.when} – " if event.when else "", "###", notes,
                                   view.locale)
                lines += figures_of(event.anchor)
    labels = {e.anchor: e.reference for e in view.events}
    labels.update({d.anchor: view.locale.demand_point(d.demand.label) for d in view.demands})
    labels.update({p.anchor: p.part.title for p in view.parts})  # its own figures' captions
    for section in view.indexes:
        lines += [f"# {section.title} {{#{section.anchor} .unnumbered}}", ""]
        for row in section.rows:
            if isinstance(row, SeeReference):
                lines.append(f"- *{_md_escape(row.form)}* → {view.locale.word('see')} "
                             f"[{_md_escape(row.target.name)}]"
                             f"(#{row.anchor})")
                continue
            entity = row.entity
            extra = f" ({entity.life_years})" if entity.life_years else ""
            extra += f" – {entity.expansion}" if entity.expansion else ""
            extra += f", {entity.role}" if entity.role else ""
            owners: list[str] = []
            for mention in row.mentions:
                if mention.owner not in owners:
                    owners.append(mention.owner)
            refs = ", ".join(f"[{_md_escape(labels.get(o, o))}](#{o})" for o in owners)
            lines.append(f"- []{{#{row.anchor}}}**{_md_escape(entity.name)}**"
                         f"{_md_escape(extra)}: {refs}")
        lines.append("")
    for note in view.notes:
        text = " ".join(_md_paragraph(p.children, notes, view.locale)
                        for p in note.note.text.paragraphs)
        lines += [f"[^{note.note.id}]: {text}", ""]
    return "\n".join(lines)


def _md_figure(figure: FigureView, notes: dict[str, int], locale: Locale) -> str:
    """A figure as Pandoc's implicit figure: the image alone in its paragraph, the label,
    caption and credit as its caption, the path from the project's folder."""
    caption = " ".join(_md(p.children, notes, iter(locale.typeset_runs(list(text_runs(
        p.children))))) for p in figure.figure.caption.paragraphs)
    path = quote(f"manuscript/{IMAGES_DIR}/{figure.figure.file}")
    alt = "" if figure.figure.decorative else figure.figure.alt
    alt = alt.replace("\\", "\\\\").replace('"', '\\"')
    return (f"![{_md_escape(figure.label)}: {caption}{_md_escape(_figure_credit(figure))}]"
            f"({path}){{#{figure.anchor} alt=\"{alt}\"}}")


def _md_event(event: EventView, prefix: str, level: str, notes: dict[str, int],
              locale: Locale) -> list[str]:
    out = [f"{level} {_md_block_start(_md_escape(prefix + event.event.title))} "
           f"{{#{event.anchor}}}", ""]
    for paragraph in event.event.text.paragraphs:  # a blank line between paragraphs
        out += [_md_paragraph(paragraph.children, notes, locale), ""]
    out.pop()
    if event.demands:
        out += ["", "→ " + ", ".join(f"[{r.label}](#{r.demand.id})" for r in event.demands)]
    return [*out, ""]
