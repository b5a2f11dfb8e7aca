"""Where things stand on a PDF page: the drawn extent of figures and the boxes of words."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pikepdf
from lxml import etree

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


@dataclass(frozen=True)
class Box:
    """A rectangle in PDF user space (origin bottom left, points)."""

    x0: float
    y0: float
    x1: float
    y1: float

    def within(self, outer: Box, slack: float = 0.5) -> bool:
        return (self.x0 >= outer.x0 - slack and self.y0 >= outer.y0 - slack
                and self.x1 <= outer.x1 + slack and self.y1 <= outer.y1 + slack)

    def overlaps(self, other: Box) -> bool:
        return not (self.x1 < other.x0 or other.x1 < self.x0
                    or self.y1 < other.y0 or other.y1 < self.y0)


def _multiply(m: Matrix, n: Matrix) -> Matrix:
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
            e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


def figure_extents(pdf: pikepdf.Pdf, index: int) -> list[Box]:
    """The extent of what each /Figure marked-content sequence on page ``index`` draws:
    its path points, images and text origins, through every transformation and form
    XObject."""
    page = pdf.pages[index]
    boxes: list[Box] = []

    def run(stream: object, resources: pikepdf.Dictionary, ctm: Matrix,
            points: list[tuple[float, float]] | None, depth: int) -> None:
        stack: list[Matrix] = []
        tags: list[bool] = []
        current = points
        for operands, operator in pikepdf.parse_content_stream(stream):  # type: ignore[arg-type]
            op = str(operator)
            values = [float(v) if isinstance(v, int | float | Decimal) else 0.0
                      for v in operands]
            if op == "q":
                stack.append(ctm)
            elif op == "Q" and stack:
                ctm = stack.pop()
            elif op == "cm":
                ctm = _multiply(tuple(float(v) for v in operands), ctm)  # type: ignore[arg-type]
            elif op in ("BDC", "BMC"):
                is_figure = str(operands[0]) == "/Figure" and current is None
                tags.append(is_figure)
                if is_figure:
                    current = []
            elif op == "EMC" and tags:
                if tags.pop() and current is not None:
                    if current:
                        xs, ys = zip(*current, strict=True)
                        boxes.append(Box(min(xs), min(ys), max(xs), max(ys)))
                    current = points
            elif current is not None and op in ("m", "l"):
                current.append(_apply(ctm, values[0], values[1]))
            elif current is not None and op == "c":
                for i in (0, 2, 4):
                    current.append(_apply(ctm, values[i], values[i + 1]))
            elif current is not None and op == "re":
                x, y, w, h = values[:4]
                current.extend([_apply(ctm, x, y), _apply(ctm, x + w, y + h)])
            elif current is not None and op == "Tm":
                m = tuple(float(v) for v in operands)
                current.append(_apply(_multiply(m, ctm), 0, 0))  # type: ignore[arg-type]
            elif op == "Do" and depth < 8:
                xobject = resources.get("/XObject", {}).get(operands[0])
                if current is not None and xobject is not None \
                        and xobject.get("/Subtype") == "/Image":
                    current.extend([_apply(ctm, 0, 0), _apply(ctm, 1, 1)])
                elif xobject is not None and xobject.get("/Subtype") == "/Form":
                    matrix = tuple(float(v) for v in xobject.get("/Matrix", IDENTITY))
                    run(xobject, xobject.get("/Resources", resources),
                        _multiply(matrix, ctm), current, depth + 1)  # type: ignore[arg-type]

    run(page, page.Resources, IDENTITY, None, 0)
    return boxes


@dataclass(frozen=True)
class Word:
    text: str
    box: Box


def page_words(pdf_path: Path, page_number: int) -> list[Word]:
    """The words of a 1-based page with their boxes (poppler's pdftotext -bbox)."""
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page_number), "-l", str(page_number),
         str(pdf_path), "-"], check=True, capture_output=True).stdout
    root = etree.fromstring(html, etree.XMLParser(recover=True))
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    page = root.find(".//x:page", ns)
    assert page is not None
    height = float(page.get("height"))
    return [Word(w.text or "", Box(float(w.get("xMin")), height - float(w.get("yMax")),
                                   float(w.get("xMax")), height - float(w.get("yMin"))))
            for w in page.iterfind("x:word", ns)]


def overlapping_words(pdf_path: Path, page_number: int) -> list[tuple[str, str]]:
    """Pairs of words printed over each other on a page (line boxes that merely touch, as
    font boxes of adjacent lines do, are not counted)."""
    found = page_words(pdf_path, page_number)
    out: list[tuple[str, str]] = []
    for i, word in enumerate(found):
        for other in found[i + 1:]:
            a, b = word.box, other.box
            width = min(a.x1, b.x1) - max(a.x0, b.x0)
            height = min(a.y1, b.y1) - max(a.y0, b.y0)
            if width > 0.5 and height > 0.3 * min(a.y1 - a.y0, b.y1 - b.y0):
                out.append((word.text, other.text))
    return out


def struct_figures(pdf: pikepdf.Pdf) -> list[str]:
    """The /Alt of every /Figure structure element."""
    found: list[str] = []

    def walk(node: object, depth: int = 0) -> None:
        if depth > 60 or not isinstance(node, pikepdf.Dictionary):
            return
        if node.get("/S") == "/Figure":
            found.append(str(node.get("/Alt", "")))
        kids = node.get("/K")
        for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
            walk(kid, depth + 1)

    walk(pdf.Root.StructTreeRoot)
    return found
