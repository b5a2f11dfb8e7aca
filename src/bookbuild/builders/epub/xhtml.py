"""XHTML in and out: a rendered template parsed as XML, a tree written as XHTML bytes."""

from __future__ import annotations

from lxml import etree

from ...errors import BookbuildError

XHTML_NS = "http://www.w3.org/1999/xhtml"
OPS_NS = "http://www.idpf.org/2007/ops"
SVG_NS = "http://www.w3.org/2000/svg"
EPUB_TYPE = f"{{{OPS_NS}}}type"

VOID_TAGS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
                       "meta", "source", "track", "wbr"})


def local_name(element: etree._Element) -> str:
    """The tag without its namespace; ``""`` for comments and processing instructions."""
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True,
                           huge_tree=False)


def parse(html: str) -> etree._Element:
    """A rendered template as an XML tree; a template that is not well-formed XHTML fails."""
    try:
        return etree.fromstring(html.encode("utf-8"), _parser())
    except etree.XMLSyntaxError as exc:
        raise BookbuildError(f"a layout template produced malformed XHTML: {exc}",
                             "EPUB templates must be well-formed XML (close every element)") \
            from exc


def serialise(root: etree._Element) -> bytes:
    """XHTML bytes; an empty element is written ``<span></span>``, never ``<span/>``.

    A self-closing ``span`` is well-formed XML, but a reading system that parses the
    document as HTML would leave it open and swallow the text after it.
    """
    for element in root.iter(f"{{{XHTML_NS}}}*"):
        if element.text is None and not len(element) and local_name(element) not in VOID_TAGS:
            element.text = ""
    data: bytes = etree.tostring(etree.ElementTree(root), encoding="utf-8",
                                 xml_declaration=True, doctype="<!DOCTYPE html>")
    return data


def text_of(*documents: bytes) -> str:
    """All the text of serialised documents, one after the other."""
    return "".join("".join(etree.fromstring(data, _parser()).itertext()) for data in documents)
