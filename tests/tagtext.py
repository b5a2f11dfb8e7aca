"""The tagged text of a PDF: each structure element's text, read from its marked content.

What a screen reader gets: the text of every marked-content sequence (decoded with its
font's ToUnicode map), gathered in the order of the tag tree, element by element.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator

import pikepdf

ObjGen = tuple[int, int]
_BFCHAR = re.compile(rb"<([0-9a-fA-F]{4})> <([0-9a-fA-F]*)>")


def _to_unicode(font: pikepdf.Dictionary) -> dict[int, str] | None:
    """Code → text of a two-byte font, from its ToUnicode map."""
    if font.get("/Subtype") != "/Type0" or "/ToUnicode" not in font:
        return None
    return {int(code, 16): bytes.fromhex(value.decode()).decode("utf-16-be")
            for code, value in _BFCHAR.findall(font.ToUnicode.read_bytes())}


def marked_texts(pdf: pikepdf.Pdf) -> dict[tuple[ObjGen, int], str]:
    """(page, MCID) → the text drawn inside that marked content."""
    texts: dict[tuple[ObjGen, int], str] = defaultdict(str)
    fonts: dict[ObjGen, dict[int, str] | None] = {}
    for page in pdf.pages:
        resources = page.get("/Resources", pikepdf.Dictionary()).get("/Font", {})
        by_name: dict[str, dict[int, str] | None] = {}
        for name, obj in resources.items():
            if obj.objgen not in fonts:
                fonts[obj.objgen] = _to_unicode(obj)
            by_name[name] = fonts[obj.objgen]
        stack: list[int] = []
        font: dict[int, str] | None = None
        for item in pikepdf.parse_content_stream(page):
            op = str(item.operator)
            if op in ("BDC", "BMC"):
                props = item.operands[1] if len(item.operands) > 1 else None
                mcid = props.get("/MCID", -1) if isinstance(props, pikepdf.Dictionary) else -1
                stack.append(int(mcid) if str(item.operands[0]) != "/Artifact" else -1)
            elif op == "EMC" and stack:
                stack.pop()
            elif op == "Tf":
                font = by_name.get(str(item.operands[0]))
            elif op in ("TJ", "Tj") and font is not None and stack and stack[-1] >= 0:
                parts = list(item.operands[0]) if op == "TJ" else [item.operands[0]]
                for part in parts:
                    if isinstance(part, pikepdf.String):
                        data = bytes(part)
                        texts[page.objgen, stack[-1]] += "".join(
                            font.get(int.from_bytes(data[k:k + 2], "big"), "")
                            for k in range(0, len(data) - 1, 2))
    return dict(texts)


def elements(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Dictionary]:
    """Every structure element of the tree, in document order."""
    stack = [pdf.Root.StructTreeRoot.K]
    seen: set[ObjGen] = set()
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Array):
            stack.extend(reversed(list(node)))
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
            if node.objgen in seen:
                continue
            seen.add(node.objgen)
            yield node
            if "/K" in node:
                stack.append(node.K)


def element_text(element: pikepdf.Dictionary,
                 texts: dict[tuple[ObjGen, int], str]) -> str:
    """The text of ``element``: its marked content and its kids', in tree order."""
    kids = element.get("/K")
    items = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
    out = []
    for kid in items:
        if isinstance(kid, int):
            out.append(texts.get((element.Pg.objgen, kid), ""))
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
            page = kid.get("/Pg", element.get("/Pg"))
            out.append(texts.get((page.objgen, int(kid.MCID)), ""))
        elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            out.append(element_text(kid, texts))
    return "".join(out)


def pages_of(element: pikepdf.Dictionary) -> set[ObjGen]:
    """The pages the marked content of ``element`` and its kids is on."""
    kids = element.get("/K")
    items = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
    found: set[ObjGen] = set()
    for kid in items:
        if isinstance(kid, int):
            found.add(element.Pg.objgen)
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
            found.add(kid.get("/Pg", element.get("/Pg")).objgen)
        elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            found |= pages_of(kid)
    return found
