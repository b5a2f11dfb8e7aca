"""SVG from the manuscript, made safe: hostile constructs refused with their line, the rest
re-serialised without comments and metadata."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
# elements that run code, embed other documents or change attributes over time
REFUSED_ELEMENTS = frozenset({"script", "foreignObject", "iframe", "object", "embed", "handler",
                              "listener", "set", "animate", "animateMotion",
                              "animateTransform", "discard", "audio", "video", "canvas"})
DROPPED_ELEMENTS = frozenset({"metadata"})
URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class SvgProblem:
    line: int
    message: str


class UnsafeSvg(Exception):
    def __init__(self, problem: SvgProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _local(name: object) -> str:
    return etree.QName(name).localname if isinstance(name, str) else ""


def _internal(reference: str) -> bool:
    return reference.strip().startswith("#")


def _check_css(text: str, line: int) -> None:
    if "@import" in text.lower():
        raise UnsafeSvg(SvgProblem(line, "the SVG's style imports another stylesheet"))
    for match in URL.finditer(text):
        if not _internal(match.group(2)):
            raise UnsafeSvg(SvgProblem(line, f"the SVG's style refers to '{match.group(2)[:60]}'"
                                             " outside the drawing"))
    if re.search(r"expression\s*\(|javascript:", text, re.IGNORECASE):
        raise UnsafeSvg(SvgProblem(line, "the SVG's style holds script"))


def sanitise_svg(data: bytes) -> bytes:
    """The drawing as clean SVG bytes, or :class:`UnsafeSvg` naming the first problem's line.

    Refused: DOCTYPE and entities, processing instructions, scripts, event handlers,
    ``foreignObject`` and other embedding or animating elements, references (``href``,
    ``url()``, ``@import``) to anything outside the drawing. Comments and ``metadata``
    are dropped.
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             dtd_validation=False, huge_tree=False, remove_comments=True,
                             remove_pis=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise UnsafeSvg(SvgProblem(exc.lineno or 1,
                                   f"the SVG is not well-formed XML: {exc.msg}")) from None
    tree = root.getroottree()
    if tree.docinfo.doctype or b"<!ENTITY" in data or b"<!DOCTYPE" in data:
        raise UnsafeSvg(SvgProblem(1, "the SVG has a DOCTYPE (entities are refused)"))
    if root.tag != f"{{{SVG_NS}}}svg":
        raise UnsafeSvg(SvgProblem(root.sourceline or 1, "the file's root element is not an SVG "
                                                         "<svg> in the SVG namespace"))
    for node in list(root.iter()):
        line = node.sourceline or 1
        if isinstance(node, etree._ProcessingInstruction):
            raise UnsafeSvg(SvgProblem(line, "the SVG holds a processing instruction "
                                             f"'<?{node.target}'"))
        if not isinstance(node.tag, str):
            continue
        name = _local(node.tag)
        if name in REFUSED_ELEMENTS:
            raise UnsafeSvg(SvgProblem(line, f"the SVG holds a <{name}> element"))
        if name in DROPPED_ELEMENTS:
            parent = node.getparent()
            if parent is not None:
                parent.remove(node)
            continue
        if name == "style":
            _check_css(node.text or "", line)
        for attribute, value in node.attrib.items():
            local = _local(attribute).lower()
            if local.startswith("on"):
                raise UnsafeSvg(SvgProblem(line, f"the SVG has an event handler '{local}' on "
                                                 f"<{name}>"))
            if local == "href" and not _internal(value):
                raise UnsafeSvg(SvgProblem(line, f"<{name}> refers to '{value[:60]}' outside "
                                                 "the drawing"))
            if local == "style" or "url(" in value.lower():
                _check_css(value, line)
    clean: bytes = etree.tostring(root, xml_declaration=False, encoding="utf-8")
    return clean
