"""The navigation's table of contents, read from the rendered documents' own headings.

Front matter (title page, imprint), every part, the days of a day-by-day part, the
events under a part or a day, the endnotes and the indexes: each entry is named by
the heading the reader sees, and points at the section or article that holds it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from lxml import etree

from .documents import Rendered
from .xhtml import XHTML_NS, local_name

X = f"{{{XHTML_NS}}}"
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
FRONT_SECTIONS = ("titlepage", "imprint")


@dataclass
class NavEntry:
    """One line of the contents: its label, where it points, the lines under it."""

    label: str
    href: str
    children: list[NavEntry] = field(default_factory=list)


def _text(element: etree._Element) -> str:
    return " ".join("".join(element.itertext()).split())


def _heading(element: etree._Element) -> etree._Element | None:
    return next((e for e in element.iter(f"{X}*") if local_name(e) in HEADINGS), None)


def _label(heading: etree._Element) -> str:
    """A heading's text; an event's time and headline joined by a dash ("21:30 – …")."""
    spans = {cls: _text(span) for span in heading.iter(f"{X}span")
             for cls in (span.get("class") or "").split() if cls in ("when", "headline")}
    if spans.get("when") and spans.get("headline"):
        return f"{spans['when']} – {spans['headline']}"
    return _text(heading)


def _entry(rendered: Rendered, element: etree._Element, fallback: str = "") -> NavEntry:
    heading = _heading(element)
    label = _label(heading) if heading is not None else fallback
    return NavEntry(label or fallback or rendered.doc.title,
                    f"{rendered.doc.name}#{element.get('id')}")


def _events(rendered: Rendered, within: etree._Element) -> list[NavEntry]:
    return [_entry(rendered, article) for article in within.iter(f"{X}article")
            if article.get("id") and _heading(article) is not None]


def table_of_contents(documents: Sequence[Rendered]) -> list[NavEntry]:
    """The contents of the book in reading order, down to its events."""
    entries: list[NavEntry] = []
    opener: NavEntry | None = None
    for rendered in documents:
        kind = rendered.doc.kind
        body = next(rendered.root.iter(f"{X}body"))
        if kind == "front":
            for cls in FRONT_SECTIONS:
                section = next((s for s in body.iter(f"{X}section")
                                if cls in (s.get("class") or "").split() and s.get("id")),
                               None)
                if section is not None:
                    entries.append(_entry(rendered, section))
            continue
        section = next((s for s in body.iter(f"{X}section") if s.get("id")), None)
        if section is None:
            continue
        entry = _entry(rendered, section)
        if kind == "day" and opener is not None:
            entry.children = _events(rendered, section)
            opener.children.append(entry)
            continue
        if kind in ("part", "opener"):
            entry.children = _events(rendered, section)
        opener = entry if kind == "opener" else None
        entries.append(entry)
    return entries
