"""What the print markup means, said for e-readers: epub:type, ARIA roles, heading levels."""

from __future__ import annotations

from lxml import etree

from .xhtml import EPUB_TYPE, XHTML_NS, local_name

# (tag, class, epub:type, ARIA role): what the print markup means, said for e-readers
SEMANTICS: tuple[tuple[str, str, str, str], ...] = (
    ("section", "titlepage", "titlepage", ""),
    ("section", "imprint", "imprint", ""),
    ("section", "notes", "endnotes", "doc-endnotes"),
    ("section", "part", "chapter", "doc-chapter"),
    ("section", "day", "chapter", "doc-chapter"),
    ("section", "index", "index", "doc-index"),
    ("nav", "toc", "toc", "doc-toc"),
)


def add_semantics(root: etree._Element, kind: str) -> None:
    """epub:type and ARIA roles on the print markup (which stays free of EPUB attributes)."""
    for element in root.iter(f"{{{XHTML_NS}}}*"):
        classes = (element.get("class") or "").split()
        tag = etree.QName(element).localname
        for want_tag, want_class, epub_type, role in SEMANTICS:
            if tag != want_tag or want_class not in classes:
                continue
            if kind == "opener" and want_class == "part":
                epub_type, role = "part", "doc-part"
            if epub_type:
                element.set(EPUB_TYPE, epub_type)
            if role:
                element.set("role", role)
    for link in root.iterfind(f".//{{{XHTML_NS}}}sup[@class='noteref']/{{{XHTML_NS}}}a"):
        link.set(EPUB_TYPE, "noteref")
        link.set("role", "doc-noteref")
    # the notes' items carry no type: epub:type endnote and role doc-endnote are deprecated,
    # the section around them says what they are
    _close_heading_gaps(root)


HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def _close_heading_gaps(root: etree._Element) -> None:
    """Renumber headings that skip a level (an event's h3 right under a part's h1).

    Print sets every event title as h3, under a day's h2 or straight under the part's
    h1; a reader's navigation and a screen reader need the levels in order.
    """
    stack: list[tuple[int, int]] = []  # (level as written, level given)
    for heading in [e for e in root.iter(f"{{{XHTML_NS}}}*") if local_name(e) in HEADINGS]:
        level = int(local_name(heading)[1])
        while stack and stack[-1][0] >= level:
            stack.pop()
        given = stack[-1][1] + 1 if stack else level
        stack.append((level, given))
        if given != level:
            heading.tag = f"{{{XHTML_NS}}}h{given}"
