"""Line ends in a PDF's text layer: a word break keeps its space, an added hyphen is soft.

WeasyPrint drops the space where a line breaks, so text read in tag order glues the last
word of a line to the first of the next ("aGerő"); and the hyphen it adds where it
breaks a word is the same glyph, with the same text, as a real hyphen ("ellensé-geskedés"
copies with a hyphen, and a viewer that joins hyphenated lines also joins "Duna-parton").

Here every text object of a page is read with its font's ToUnicode map and its position.
Where the next text object starts a new line (or stands apart on the same one) and no
space separates them, a space glyph is added with a backward move of its own width: the
page looks the same, the text has its space. Where a line ends in a hyphen that the
book's hyphenation added (the two halves are a soft-hyphen split of one of its words),
the hyphen is drawn through a new character code of the same glyph whose text is U+00AD
SOFT HYPHEN, as ISO 32000 asks for hyphens added at line ends; a real hyphen at a line
end says U+2010 HYPHEN (pdftotext and viewers drop a U+002D there, joining "Dunaparton"),
and every other hyphen U+002D.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pikepdf

from ..render.typography import SOFT_HYPHEN

HYPHEN = "\u2010"  # a real hyphen at a line end: not "-", which extractors take for an added one
HYPHENS = ("-", "\u2010")
DASHES = ("\u2013", "\u2014")
NO_SPACE_AFTER = ("-", "\u2010", "\u2013", "\u2014", "/", "(", "[", "„", "»", "\u00a0")
_WORD = re.compile(r"[^\W\d_]+(?:[\u00ad-][^\W\d_]+)*", re.UNICODE)
_BFCHAR = re.compile(rb"<([0-9a-fA-F]{4})> <([0-9a-fA-F]*)>")
Instructions = list[Any]  # a page's content stream, parsed (pikepdf instructions)


def real_hyphen_words(text: str) -> frozenset[str]:
    """The words of ``text`` written with a hyphen of their own ("Duna-parton")."""
    return frozenset(w for w in _WORD.findall(text.replace(SOFT_HYPHEN, "")) if "-" in w)


def hyphenation_pairs(text: str) -> frozenset[tuple[str, str]]:
    """(left, right) of every place the text's soft hyphens allow a word to break."""
    pairs = set()
    for word in _WORD.findall(text):
        if SOFT_HYPHEN not in word:
            continue
        pieces = word.split(SOFT_HYPHEN)
        for k in range(1, len(pieces)):
            pairs.add(("".join(pieces[:k]).rsplit("-", 1)[-1],
                       "".join(pieces[k:]).split("-", 1)[0]))
    return frozenset(pairs)


@dataclass
class Font:
    """One Type0 font of the file: its codes' text and widths, and what was added to it."""

    obj: pikepdf.Dictionary
    text: dict[int, str]
    widths: dict[int, float]
    default_width: float
    added: dict[int, tuple[int, str, float]] = field(default_factory=dict)

    @classmethod
    def read(cls, obj: pikepdf.Dictionary) -> Font | None:
        if obj.get("/Subtype") != "/Type0" or "/ToUnicode" not in obj:
            return None
        descendant = obj.DescendantFonts[0]
        if str(descendant.get("/CIDToGIDMap", "/Identity")) != "/Identity":
            return None
        text = {int(code, 16): bytes.fromhex(value.decode()).decode("utf-16-be")
                for code, value in _BFCHAR.findall(obj.ToUnicode.read_bytes())}
        widths: dict[int, float] = {}
        w = list(descendant.get("/W", []))
        k = 0
        while k < len(w):
            first = int(w[k])
            if isinstance(w[k + 1], pikepdf.Array):
                for n, width in enumerate(w[k + 1]):
                    widths[first + n] = float(width)
                k += 2
            else:
                for code in range(first, int(w[k + 1]) + 1):
                    widths[code] = float(w[k + 2])
                k += 3
        return cls(obj, text, widths, float(descendant.get("/DW", 1000)))

    def code_of(self, char: str) -> int:
        return next((c for c, t in sorted(self.text.items()) if t == char), -1)

    def width(self, code: int) -> float:
        return self.widths.get(code, self.default_width)

    def code_for(self, gid: int, text: str) -> int:
        """A code drawing glyph ``gid`` with the text ``text`` (added once, then reused)."""
        for code, (glyph, said, _width) in self.added.items():
            if glyph == gid and said == text:
                return code
        code = max([*self.text, *self.widths, *self.added, 0]) + 1
        self.added[code] = (gid, text, self.width(gid))
        return code

    def write(self, pdf: pikepdf.Pdf) -> None:
        """Record the added codes: their glyph (CIDToGIDMap), width and text."""
        if not self.added:
            return
        for gid, _text, _width in self.added.values():
            # the glyph's own code now draws only real hyphens (the first hyphen drawn,
            # often an added one, gave it the text of the hyphenate-character U+2010)
            self.text[gid] = "-"
        descendant = self.obj.DescendantFonts[0]
        top = max(self.added)
        table = bytearray()
        for code in range(top + 1):
            gid = self.added[code][0] if code in self.added else code
            table += gid.to_bytes(2, "big")
        descendant.CIDToGIDMap = pdf.make_stream(bytes(table))
        w = descendant.get("/W", pikepdf.Array())
        for code, (_gid, _text, width) in sorted(self.added.items()):
            w.append(code)
            w.append(pikepdf.Array([Decimal(str(width))]))
        descendant.W = w
        data = self.obj.ToUnicode.read_bytes()
        for gid, _text, _width in self.added.values():
            data = re.sub(rb"<%04x> <[0-9a-fA-F]*>" % gid, b"<%04x> <002d>" % gid, data)
        entries = b"".join(b"<%04x> <%s>\n" % (code, text.encode("utf-16-be").hex().encode())
                           for code, (_gid, text, _w) in sorted(self.added.items()))
        block = b"%d beginbfchar\n%sendbfchar\nendcmap" % (len(self.added), entries)
        self.obj.ToUnicode.write(data.replace(b"endcmap", block, 1))


@dataclass
class Run:
    """One text-showing instruction (TJ/Tj) of a text object, as read."""

    index: int  # of the instruction in the page's list
    font: Font
    codes: list[int]
    x: float
    y: float
    end_x: float
    size: float

    @property
    def text(self) -> str:
        return "".join(self.font.text.get(c, "") for c in self.codes)


def _codes(value: object) -> list[int]:
    data = bytes(value)  # type: ignore[call-overload]
    return [int.from_bytes(data[k:k + 2], "big") for k in range(0, len(data) - 1, 2)]


def _runs(instructions: Instructions,
          fonts: dict[str, Font]) -> list[Run]:
    """The page's text runs outside artifacts, in content order."""
    runs: list[Run] = []
    artifact_depth: list[bool] = []
    font: Font | None = None
    size = 1.0
    scale, x, y = 1.0, 0.0, 0.0
    for index, item in enumerate(instructions):
        op = str(item.operator)
        if op in ("BDC", "BMC"):
            artifact_depth.append(str(item.operands[0]) == "/Artifact")
        elif op == "EMC" and artifact_depth:
            artifact_depth.pop()
        elif op == "Tf":
            font = fonts.get(str(item.operands[0]))
            size = float(item.operands[1])
        elif op == "Tm":
            scale, x, y = (float(item.operands[0]), float(item.operands[4]),
                           float(item.operands[5]))
        elif op in ("TJ", "Tj") and font is not None and not any(artifact_depth):
            parts = list(item.operands[0]) if op == "TJ" else [item.operands[0]]
            codes: list[int] = []
            advance = 0.0
            for part in parts:
                if isinstance(part, pikepdf.String):
                    found = _codes(part)
                    codes += found
                    advance += sum(font.width(c) for c in found)
                else:
                    advance -= float(part)
            runs.append(Run(index, font, codes, x, y, x + advance / 1000 * size * scale,
                            size * abs(scale)))
    return runs


def _last_word(text: str) -> str:
    found = _WORD.findall(text)
    return found[-1] if found and text.rstrip().endswith(found[-1]) else ""


def _first_word(text: str) -> str:
    found = _WORD.findall(text)
    return found[0] if found and text.lstrip().startswith(found[0]) else ""


def mend_line_ends(pdf: pikepdf.Pdf, pairs: frozenset[tuple[str, str]],
                   words: frozenset[str]) -> None:
    """Spaces at word breaks and soft hyphens at added hyphens, on every page of ``pdf``.

    A page's last line goes on with the next page's text (its first runs: a margin
    time may be drawn before the continued paragraph). The pages are read one after the
    other, and a page is mended once the next page with text is read: the parsed content
    of two pages is held at a time, not the book's.
    """
    fonts: dict[tuple[int, int], Font] = {}
    waiting: tuple[pikepdf.Page, Instructions, list[Run]] | None = None
    for page in pdf.pages:
        instructions = list(pikepdf.parse_content_stream(page))
        runs = _runs(instructions, _page_fonts(page, fonts))
        if not runs:
            continue  # nothing to mend on it, nothing for the page before to go on with
        if waiting is not None:
            _mend_page(pdf, *waiting, runs[:6], pairs, words)
        waiting = (page, instructions, runs)
    if waiting is not None:
        _mend_page(pdf, *waiting, [], pairs, words)
    for font in fonts.values():
        font.write(pdf)


def _page_fonts(page: pikepdf.Page, fonts: dict[tuple[int, int], Font]) -> dict[str, Font]:
    """The page's fonts by resource name (read once for the file, in ``fonts``)."""
    resources: Any = page.get("/Resources", pikepdf.Dictionary()).get("/Font", {})
    page_fonts: dict[str, Font] = {}
    for name, obj in resources.items():
        key = obj.objgen
        if key not in fonts:
            read = Font.read(obj) if isinstance(obj, pikepdf.Dictionary) else None
            if read is None:
                continue
            fonts[key] = read
        page_fonts[name] = fonts[key]
    return page_fonts


def _mend_page(pdf: pikepdf.Pdf, page: pikepdf.Page, instructions: Instructions,
               runs: list[Run], following_page: list[Run],
               pairs: frozenset[tuple[str, str]], words: frozenset[str]) -> None:
    """Mend the line ends of one page (``following_page``: the next text's first runs)."""
    changed = False
    for k, run in enumerate(runs):
        afters = runs[k + 1:k + 2] or following_page
        if afters and _mend(instructions, run, afters, k + 1 < len(runs), pairs, words):
            changed = True
    if changed:
        page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(instructions))


def _mend(instructions: Instructions, run: Run, afters: list[Run], same_page: bool,
          pairs: frozenset[tuple[str, str]], words: frozenset[str]) -> bool:
    """Mend the end of ``run``, followed by ``afters[0]`` (or one of the next page's runs)."""
    after = afters[0]
    text, following = run.text, after.text
    if not text or not following or text[-1].isspace() or following[0].isspace():
        return False
    new_line = not same_page or (abs(after.y - run.y) > run.size * 0.6
                                 and after.x < run.end_x - run.size * 0.5)
    apart = same_page and after.x > run.end_x + run.size * 0.15
    if not (new_line or apart):
        return False
    if new_line and text.endswith(HYPHENS):
        left = _last_word(text[:-1])
        added = False
        for candidate in afters:
            right = _first_word(candidate.text)
            split = (left.rsplit("-", 1)[-1], right.split("-", 1)[0])
            if split in pairs and f"{left}-{right}" not in words:
                added = True
                break
        return _recode_last(instructions, run, SOFT_HYPHEN if added else HYPHEN)
    if text.endswith(NO_SPACE_AFTER) and not _spaced_dash(text):
        return False
    return _add_space(instructions, run)


def _spaced_dash(text: str) -> bool:
    """A dash standing between spaces ("Tanácsa – elnöke"), not glued to a word (1953–55):
    the line broke at the space after it."""
    return text.endswith(DASHES) and len(text) > 1 and text[-2].isspace()


def _recode_last(instructions: Instructions, run: Run, text: str) -> bool:
    """Draw the run's last glyph (a hyphen at the line end) through a code saying ``text``."""
    item = instructions[run.index]
    parts = list(item.operands[0]) if str(item.operator) == "TJ" else [item.operands[0]]
    for k in range(len(parts) - 1, -1, -1):
        if isinstance(parts[k], pikepdf.String) and len(bytes(parts[k])) >= 2:
            data = bytes(parts[k])
            soft = run.font.code_for(int.from_bytes(data[-2:], "big"), text)
            parts[k] = pikepdf.String(data[:-2] + soft.to_bytes(2, "big"))
            instructions[run.index] = pikepdf.ContentStreamInstruction(
                [pikepdf.Array(parts)], pikepdf.Operator("TJ"))
            return True
    return False


def _add_space(instructions: Instructions, run: Run) -> bool:
    """Add a space glyph at the run's end, moved back by its own width (nothing shows)."""
    space = run.font.code_of(" ")
    if space < 0:
        return False
    item = instructions[run.index]
    parts: list[Any] = (list(item.operands[0]) if str(item.operator) == "TJ"
                        else [item.operands[0]])
    width = run.font.width(space)
    parts += [pikepdf.String(space.to_bytes(2, "big")), Decimal(str(round(width, 3)))]
    instructions[run.index] = pikepdf.ContentStreamInstruction([pikepdf.Array(parts)],
                                                               pikepdf.Operator("TJ"))
    return True
