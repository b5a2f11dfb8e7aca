"""The PDF's text layer and tags after WeasyPrint: what a screen reader, search and copy get.

WeasyPrint lays the book out and tags it; a few things it leaves wrong are put right
here with pikepdf, for every book:

* a ligature glyph (ff, fi, fl, ffi …) whose first use stood next to a soft hyphen gets
  an empty ToUnicode entry, and then extracts as nothing everywhere ("O enheit"): its
  text is taken from the font's own ligature table (GSUB) instead;
* running heads and folios (the page's margin boxes) hang outside the tag tree: their
  marked content becomes ``/Artifact``;
* the space at a line break and the soft hyphen of an added hyphen (:mod:`.pdflines`);
* the tree cut by the pages is joined again, leaders are artifacts, index terms go with
  their descriptions (:mod:`.pdfstruct`);
* a heading nested in a heading becomes a Span of it;
* a link's description (``/Contents``) is the id of its target ("demand-12"): it becomes
  what stands there, said for a person ("13. pont", "okt. 23., 21:30 – …");
* the imposed print file gets the language, the title shown, XMP and a structure tree.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import pikepdf
from fontTools.ttLib import TTFont

from ..render.fonts import font_faces
from .boxtags import PageElements, origins
from .pdflines import hyphenation_pairs, mend_line_ends, real_hyphen_words
from .pdfstruct import mark_artifacts, parent_tree, restructure

__all__ = ["finish_imposed", "finish_pdf", "ligature_texts"]


def finish_pdf(path: Path, descriptions: dict[str, str], html: str = "",
               pages: Sequence[PageElements] = ()) -> None:
    """Put the text layer and tags of the PDF at ``path`` right, in place.

    ``html`` is what was laid out: its soft hyphens tell the hyphens added at line ends
    from the real ones (:mod:`.pdflines`). ``pages`` are the walks of the laid-out pages
    written (:func:`.boxtags.page_elements`, not the boxes: the layout is let go before
    the file is opened): they tell which elements of the tag tree stand for one box cut
    by the pages, to be joined (:mod:`.boxtags`, :mod:`.pdfstruct`).
    """
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        found = origins(pdf, pages) if pages else {}
        _ligature_text(pdf)
        _margin_artifacts(pdf)
        restructure(pdf, found)
        _no_heading_in_a_heading(pdf)
        mend_line_ends(pdf, hyphenation_pairs(html), real_hyphen_words(html))
        for page in pdf.pages:
            _link_descriptions(page, descriptions)
        _save(pdf, path)


def _save(pdf: pikepdf.Pdf, target: Path | io.BytesIO) -> None:
    # the same input gives the same bytes: no timestamps, an id from the content
    pdf.save(target, deterministic_id=True, compress_streams=True,
             object_stream_mode=pikepdf.ObjectStreamMode.generate)


# ---------------------------------------------------------------- ligatures


@cache
def _face_paths() -> dict[str, Path]:
    """PostScript name → font file, for the faces a book can use."""
    found = {}
    for face in font_faces():
        with TTFont(face.path, lazy=True) as font:
            found[str(font["name"].getDebugName(6))] = face.path
    return found


@cache
def ligature_texts(path: Path) -> dict[int, str]:
    """Glyph id → the characters it stands for, for every ligature of the font at ``path``."""
    with TTFont(path) as font:
        reverse: dict[str, str] = {}
        for code, name in sorted(font.getBestCmap().items()):
            reverse.setdefault(name, chr(code))
        out: dict[int, str] = {}
        if "GSUB" not in font:
            return out
        for lookup in font["GSUB"].table.LookupList.Lookup:
            for sub in lookup.SubTable:
                table = sub.ExtSubTable if lookup.LookupType == 7 else sub
                for first, ligatures in (getattr(table, "ligatures", None) or {}).items():
                    for lig in ligatures:
                        parts = [first, *lig.Component]
                        if all(p in reverse for p in parts):
                            out.setdefault(font.getGlyphID(lig.LigGlyph),
                                           "".join(reverse[p] for p in parts))
        return out


_BFCHAR = re.compile(rb"<([0-9a-fA-F]{4})> <([0-9a-fA-F]*)>")


def _ligature_text(pdf: pikepdf.Pdf) -> None:
    """Give ligature glyphs mapped to no text their letters, in every font's ToUnicode."""
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary) or obj.get("/Subtype") != "/Type0":
            continue
        to_unicode = obj.get("/ToUnicode")
        descendants = obj.get("/DescendantFonts")
        if to_unicode is None or not descendants:
            continue
        name = str(descendants[0].get("/BaseFont", "")).lstrip("/")
        descriptor = descendants[0].get("/FontDescriptor")
        embedded = descriptor.get("/FontFile2") if descriptor is not None else None
        if embedded is None:
            continue
        with TTFont(io.BytesIO(embedded.read_bytes()), lazy=True) as font:
            postscript = str(font["name"].getDebugName(6))
        original = _face_paths().get(postscript)
        if original is None:
            continue
        texts = ligature_texts(original)
        data = to_unicode.read_bytes()

        def fill(match: re.Match[bytes], texts: dict[int, str] = texts) -> bytes:
            gid = int(match.group(1), 16)
            if match.group(2) or gid not in texts:
                return match.group(0)
            return b"<%s> <%s>" % (match.group(1), texts[gid].encode("utf-16-be").hex().encode())

        fixed = _BFCHAR.sub(fill, data)
        if fixed != data:
            to_unicode.write(fixed)
        del name


# ---------------------------------------------------------------- artifacts


def _reachable(pdf: pikepdf.Pdf) -> set[tuple[int, int]]:
    """The structure elements reachable from the tree's root (by object number)."""
    root = pdf.Root.get("/StructTreeRoot")
    seen: set[tuple[int, int]] = set()
    stack = [root.get("/K")] if root is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Array):
            stack.extend(node)
        elif isinstance(node, pikepdf.Dictionary) and node.get("/Type") != "/MCR" \
                and node.get("/Type") != "/OBJR":
            if node.is_indirect and node.objgen in seen:
                continue
            if node.is_indirect:
                seen.add(node.objgen)
            if "/K" in node:
                stack.append(node.K)
    return seen


def _margin_artifacts(pdf: pikepdf.Pdf) -> None:
    """Running heads and folios become artifacts (WeasyPrint hangs them outside the tree).

    WeasyPrint marks a margin box's text with an MCID whose element is not a child of
    the document: such content is neither read nor skipped as decoration. Every
    marked-content sequence whose element cannot be reached from the root is re-marked
    ``/Artifact /Pagination`` and its parent-tree entry cleared.
    """
    reachable = _reachable(pdf)
    tree = parent_tree(pdf)
    for page in pdf.pages:
        key = page.get("/StructParents")
        parents = tree.get(int(key)) if key is not None else None
        if not isinstance(parents, pikepdf.Array):
            continue
        orphans = {k for k, element in enumerate(parents)
                   if isinstance(element, pikepdf.Dictionary)
                   and element.objgen not in reachable}
        if not orphans:
            continue
        mark_artifacts(pdf, page, orphans, "/Pagination")
        for k in orphans:
            parents[k] = pikepdf.Object.parse(b"null")


HEADINGS = frozenset({"/H", "/H1", "/H2", "/H3", "/H4", "/H5", "/H6"})


def _no_heading_in_a_heading(pdf: pikepdf.Pdf) -> None:
    """A heading inside a heading (WeasyPrint tags a floated part of one, such as an
    event's time in the margin, with the heading's tag again) becomes a Span of it."""
    root = pdf.Root.get("/StructTreeRoot")
    stack: list[tuple[object, bool]] = [(root.get("/K"), False)] if root is not None else []
    seen: set[tuple[int, int]] = set()
    while stack:
        node, in_heading = stack.pop()
        if isinstance(node, pikepdf.Array):
            stack.extend((kid, in_heading) for kid in node)
            continue
        if not isinstance(node, pikepdf.Dictionary) or "/S" not in node:
            continue
        if node.is_indirect:
            if node.objgen in seen:
                continue
            seen.add(node.objgen)
        heading = str(node.S) in HEADINGS
        if heading and in_heading:
            node.S = pikepdf.Name("/Span")
        if "/K" in node:
            stack.append((node.K, in_heading or heading))


# ---------------------------------------------------------------- links


def _link_descriptions(page: pikepdf.Page, descriptions: dict[str, str]) -> None:
    """A link's /Contents says where it goes, in words (not the id of its target)."""
    for annot in page.get("/Annots", []):
        if annot.get("/Subtype") != "/Link":
            continue
        dest = annot.get("/Dest")
        target = str(dest) if isinstance(dest, pikepdf.String) else ""
        if target in descriptions:
            annot.Contents = pikepdf.String(descriptions[target])


# ---------------------------------------------------------------- the imposed file


def finish_imposed(data: bytes, *, language: str, title: str) -> bytes:
    """The imposed print file with its language, its title shown, XMP and a tag tree.

    Its pages are the booklet's, placed two to a sheet: there is nothing on them to
    read in another order, so the placed pages are artifacts of print and the tree is
    one empty Document; the booklet itself is the file to read.
    """
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pdf.Root.Lang = pikepdf.String(language)
        pdf.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
        pdf.Root.MarkInfo = pikepdf.Dictionary(Marked=True)
        document = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name("/StructElem"), S=pikepdf.Name("/Document"),
            T=pikepdf.String(title), K=pikepdf.Array()))
        root = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name("/StructTreeRoot"), K=document,
            ParentTree=pdf.make_indirect(pikepdf.Dictionary(Nums=pikepdf.Array()))))
        document.P = root
        pdf.Root.StructTreeRoot = root
        for page in pdf.pages:
            instructions = pikepdf.parse_content_stream(page)
            page.Contents = pdf.make_stream(pikepdf.unparse_content_stream([
                pikepdf.ContentStreamInstruction([pikepdf.Name("/Artifact")],
                                                 pikepdf.Operator("BMC")),
                *instructions,
                pikepdf.ContentStreamInstruction([], pikepdf.Operator("EMC"))]))
        pdf.docinfo[pikepdf.Name("/Title")] = pikepdf.String(title)
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            meta["dc:title"] = title
            meta["dc:language"] = [language]
            meta["pdfuaid:part"] = "1"
        out = io.BytesIO()
        _save(pdf, out)
        return out.getvalue()
