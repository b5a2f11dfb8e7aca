"""The editorial notes as the EPUB's endnotes: a document of their own, typed, with links back.

Print sets the notes in the imprint; an e-reader shows them as endnotes: the notes
section is moved out of the front matter into ``notes.xhtml`` (after the parts, before
the indexes), typed ``endnotes``/``endnote`` for reading systems and ``doc-endnotes``
for assistive technology, and every note gets a ``doc-backlink`` to each place that
calls it (a call gets an id for that).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

from lxml import etree

from ...locale import Locale
from .documents import Document, Rendered
from .xhtml import EPUB_TYPE, XHTML_NS, local_name

NOTES_NAME = "notes.xhtml"
X = f"{{{XHTML_NS}}}"


def _is_notes(element: etree._Element) -> bool:
    return local_name(element) == "section" and "notes" in (element.get("class") or "").split()


def split_notes(rendered: Sequence[Rendered], locale: Locale) -> list[Rendered]:
    """``rendered`` with the notes section of the front matter moved into a document of its own.

    The notes document stands after the last part (before the first index); without
    notes, the documents are returned as they are.
    """
    front = next((r for r in rendered if r.doc.kind == "front"), None)
    section = None
    if front is not None:
        section = next((e for e in front.root.iter(f"{X}section") if _is_notes(e)), None)
    if front is None or section is None:
        return list(rendered)
    parent = section.getparent()
    assert parent is not None
    parent.remove(section)
    heading = next(section.iter(f"{X}h1", f"{X}h2", f"{X}h3", f"{X}h4"), None)
    title = locale.word("notes")
    if heading is not None:
        heading.tag = f"{X}h1"
        title = " ".join("".join(heading.itertext()).split()) or title
    if not section.get("id"):  # the section is what the contents and landmarks point at
        section.set("id", (heading.attrib.pop("id", None) if heading is not None else None)
                    or "notes")
    root = copy.deepcopy(front.root)
    body = next(root.iter(f"{X}body"))
    for child in list(body):
        body.remove(child)
    body.text = "\n"
    body.append(section)
    section.tail = "\n"
    title_element = next(root.iter(f"{X}title"), None)
    if title_element is not None:
        title_element.text = title
    notes = Rendered(Document("notes", NOTES_NAME, title), etree.ElementTree(root))
    out = list(rendered)
    at = next((k for k, r in enumerate(out) if r.doc.kind == "index"), len(out))
    out.insert(at, notes)
    return out


def link_back(rendered: Sequence[Rendered], locale: Locale) -> None:
    """Give every note call an id and every note a back-link to each of its calls."""
    notes = next((r for r in rendered if r.doc.kind == "notes"), None)
    if notes is None:
        return
    items = {li.get("id"): li for li in notes.root.iter(f"{X}li") if li.get("id")}
    calls: dict[str, list[tuple[str, str]]] = {}
    for document in rendered:
        for link in document.root.iterfind(f".//{X}sup[@class='noteref']/{X}a"):
            target = (link.get("href") or "").rpartition("#")[2]
            if target not in items:
                continue
            seen = calls.setdefault(target, [])
            call_id = f"ref-{target}" + (f"-{len(seen) + 1}" if seen else "")
            link.set("id", call_id)
            seen.append((document.doc.name, call_id))
    for anchor, item in items.items():
        item.set(EPUB_TYPE, "endnote")
        places = calls.get(anchor or "", [])
        number = next(item.iter(f"{X}span"), None)
        if number is None or not places:
            continue
        label = "".join(number.itertext()).strip()
        # the note's number takes the reader back to the first call; later calls get [2] …
        first = etree.SubElement(number, f"{X}a",
                                 _backlink(locale, places[0], label, 1, len(places)))
        first.text, number.text = number.text, None
        for children in list(number)[:-1]:
            number.remove(children)
            first.append(children)
        last = item[-1] if len(item) and local_name(item[-1]) == "p" else item
        for k, place in enumerate(places[1:], start=2):
            more = etree.SubElement(last, f"{X}a",
                                    _backlink(locale, place, label, k, len(places)))
            more.text = f"[{k}]"
            previous = more.getprevious()
            if previous is not None and previous is not more:
                previous.tail = (previous.tail or "").rstrip() + " "
            else:
                last.text = (last.text or "").rstrip() + " "


def _backlink(locale: Locale, place: tuple[str, str], label: str, k: int,
              count: int) -> dict[str, str]:
    name, call_id = place
    said = f"{locale.word('backlink')}: {label.rstrip('.')}" + (f" ({k})" if count > 1 else "")
    return {"href": f"{name}#{call_id}", "role": "doc-backlink", "aria-label": said}
