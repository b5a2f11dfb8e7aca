"""The PDF's tag tree in the document's shape, not the pages': what WeasyPrint cut, joined.

WeasyPrint tags every page on its own (:mod:`.boxtags`), so the tree is cut where the
pages are: each page has its own section, and a paragraph running over a page break is
two ``P`` elements. Knowing which box each element stands for, the tree is put right:

* elements that stand for the same box and follow each other (a box split by a page or a
  column break) become one element, whose marked content is on both pages (each marked
  content reference with its page); an element standing for its parent's own box (a
  column of a multi-column section) gives its kids to the parent;
* a ``leader()`` (the dots before a page number in the contents) is drawn as an artifact
  and leaves the tree: it is not the link's text;
* an index term and its description (``dt``/``dd``, which WeasyPrint makes two sibling
  list items) become one list item: the term its label (``Lbl``), the description its body;
* the Span WeasyPrint makes for every text run (a line of a paragraph) gives way to its
  marked content: a paragraph's /K holds its marked content references, page by page;
* the parent tree (page and MCID → element) is written again from the tree, so every
  marked content maps back to the element that owns it now.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pikepdf

from .boxtags import Origin

__all__ = ["mark_artifacts", "restructure", "struct_kids"]

ObjGen = tuple[int, int]
PdfObject = Any  # a pikepdf object: what it holds is checked where it matters, at run time


def restructure(pdf: pikepdf.Pdf, found: dict[ObjGen, Origin]) -> None:
    """Join what the pages cut, make leaders artifacts, pair index terms (see module)."""
    root = pdf.Root.get("/StructTreeRoot")
    if root is None or not found:
        return
    for document in struct_kids(root):
        _join_split(document, found)
    _leaders_as_artifacts(pdf, found)
    for document in struct_kids(root):
        _terms_with_descriptions(document, found)
        _runs_into_owners(document, found)
    rebuild_parent_tree(pdf)


def struct_kids(element: PdfObject) -> list[PdfObject]:
    """The structure elements among ``element``'s kids (not its marked content)."""
    return [k for k in _kids(element) if isinstance(k, pikepdf.Dictionary) and "/S" in k]


def _kids(element: PdfObject) -> list[PdfObject]:
    k = element.get("/K")
    if k is None:
        return []
    return list(k) if isinstance(k, pikepdf.Array) else [k]


def _same_box(a: object, b: object, found: dict[ObjGen, Origin]) -> bool:
    if not (isinstance(a, pikepdf.Dictionary) and isinstance(b, pikepdf.Dictionary)):
        return False
    if "/S" not in a or "/S" not in b or a.S != b.S:
        return False
    first, second = found.get(a.objgen), found.get(b.objgen)
    return (first is not None and second is not None and first.key == second.key
            and not first.leader and not second.leader)


def _join_split(element: PdfObject, found: dict[ObjGen, Origin]) -> None:
    """Following kids that stand for one box become one, all the way down; a kid that
    stands for its parent's own box (a column of a multi-column section) gives its kids
    to the parent."""
    kids: list[PdfObject] = []
    for kid in _lifted(element, element, found):
        if kids and _same_box(kids[-1], kid, found):
            kids[-1].K = pikepdf.Array([*_kids(kids[-1]), *_moved(kid, kids[-1])])
        else:
            kids.append(kid)
    if isinstance(element.get("/K"), pikepdf.Array):
        element.K = pikepdf.Array(kids)
    for kid in struct_kids(element):
        _join_split(kid, found)


def _lifted(owner: PdfObject, element: PdfObject,
            found: dict[ObjGen, Origin]) -> Iterator[PdfObject]:
    for kid in _kids(element) if element is owner else _moved(element, owner):
        if _same_box(owner, kid, found):
            yield from _lifted(owner, kid, found)
        else:
            yield kid


def _moved(other: PdfObject, into: PdfObject) -> Iterator[PdfObject]:
    """``other``'s kids, to go on in ``into``: marked content of another page as an MCR."""
    page = other.get("/Pg")
    own_page = into.get("/Pg")
    for kid in _kids(other):
        if isinstance(kid, int) and page is not None and (
                own_page is None or page.objgen != own_page.objgen):
            kid = pikepdf.Dictionary(Type=pikepdf.Name("/MCR"), Pg=page, MCID=kid)
        elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            kid.P = into
        elif isinstance(kid, pikepdf.Dictionary) and "/Pg" not in kid and page is not None:
            kid.Pg = page  # an MCR or OBJR that took its page from ``other``
        yield kid


def _marked_contents(element: PdfObject) -> Iterator[tuple[PdfObject, int]]:
    """(page, MCID) of the marked content ``element`` itself owns."""
    for kid in _kids(element):
        if isinstance(kid, int):
            yield element.get("/Pg"), kid
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
            yield kid.get("/Pg", element.get("/Pg")), int(kid.MCID)


# ---------------------------------------------------------------- leaders


def _leaders_as_artifacts(pdf: pikepdf.Pdf, found: dict[ObjGen, Origin]) -> None:
    leaders = [e for e in _all_elements(pdf) if (o := found.get(e.objgen)) and o.leader]
    by_page: dict[ObjGen, set[int]] = defaultdict(set)
    for leader in leaders:
        for page, mcid in _marked_contents(leader):
            if page is not None:
                by_page[page.objgen].add(mcid)
        parent = leader.get("/P")
        if isinstance(parent, pikepdf.Dictionary) and isinstance(parent.get("/K"),
                                                                  pikepdf.Array):
            parent.K = pikepdf.Array([k for k in parent.K if not (
                isinstance(k, pikepdf.Dictionary) and k.objgen == leader.objgen)])
    for page in pdf.pages:
        where: Any = page.objgen
        if where in by_page:
            mark_artifacts(pdf, page, by_page[where], "/Layout")


def mark_artifacts(pdf: pikepdf.Pdf, page: pikepdf.Page, mcids: set[int], kind: str) -> None:
    """The marked content ``mcids`` of ``page`` becomes ``/Artifact`` of type ``kind``."""
    out = []
    for item in pikepdf.parse_content_stream(page):
        operands = item.operands
        if (str(item.operator) == "BDC" and len(operands) == 2
                and isinstance(operands[1], pikepdf.Dictionary)
                and int(operands[1].get("/MCID", -1)) in mcids):
            item = pikepdf.ContentStreamInstruction(
                [pikepdf.Name("/Artifact"), pikepdf.Dictionary(Type=pikepdf.Name(kind))],
                pikepdf.Operator("BDC"))
        out.append(item)
    page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(out))


# ---------------------------------------------------------------- index terms


def _terms_with_descriptions(element: PdfObject,
                             found: dict[ObjGen, Origin]) -> None:
    """In a list made from a ``dl``: LI(dt) LI(dd) → LI(Lbl, LBody)."""
    def tag(e: PdfObject) -> str:
        origin = found.get(e.objgen)
        return origin.tag if origin is not None else ""

    if str(element.get("/S")) == "/L" and isinstance(element.get("/K"), pikepdf.Array):
        kids: list[PdfObject] = []
        term: PdfObject | None = None
        for kid in element.K:
            is_item = isinstance(kid, pikepdf.Dictionary) and kid.get("/S") == "/LI"
            if is_item and tag(kid) == "dt":
                term = kid
                for body in struct_kids(kid):
                    if body.S == "/LBody":
                        body.S = pikepdf.Name("/Lbl")
            elif is_item and tag(kid) == "dd" and term is not None:
                moved = _kids(term)
                for body in _kids(kid):
                    if isinstance(body, pikepdf.Dictionary) and "/S" in body:
                        body.P = term
                    moved.append(body)
                term.K = pikepdf.Array(moved)
                continue
            else:
                term = None
            kids.append(kid)
        element.K = pikepdf.Array(kids)
    for kid in struct_kids(element):
        _terms_with_descriptions(kid, found)


# ---------------------------------------------------------------- text runs


def _runs_into_owners(element: PdfObject, found: dict[ObjGen, Origin]) -> None:
    """A text run's Span is replaced by its marked content, in the element owning the run."""
    if not isinstance(element.get("/K"), pikepdf.Array):
        return
    kids: list[PdfObject] = []
    changed = False
    for kid in element.K:
        origin = found.get(kid.objgen) if isinstance(kid, pikepdf.Dictionary) else None
        if origin is not None and origin.run and not struct_kids(kid):
            kids.extend(_moved(kid, element))
            changed = True
        else:
            kids.append(kid)
    if changed:
        element.K = pikepdf.Array(kids)
    for kid in struct_kids(element):
        _runs_into_owners(kid, found)


# ---------------------------------------------------------------- the parent tree


def _all_elements(pdf: pikepdf.Pdf) -> list[PdfObject]:
    """Every structure element reachable from the root, in document order."""
    root = pdf.Root.get("/StructTreeRoot")
    out: list[PdfObject] = []
    seen: set[ObjGen] = set()
    stack = list(reversed(struct_kids(root))) if root is not None else []
    while stack:
        element = stack.pop()
        if element.is_indirect:
            if element.objgen in seen:
                continue
            seen.add(element.objgen)
        out.append(element)
        stack.extend(reversed(struct_kids(element)))
    return out


def rebuild_parent_tree(pdf: pikepdf.Pdf) -> None:
    """Write the parent tree from the tree: page's MCID → its owner, annotation → its link.

    Marked content no element owns (artifacts now) maps to null.
    """
    root = pdf.Root.StructTreeRoot
    old: dict[int, PdfObject] = dict(parent_tree(pdf))
    key_of_page = {page.objgen: int(page.StructParents) for page in pdf.pages
                   if "/StructParents" in page}
    owners: dict[int, dict[int, PdfObject]] = defaultdict(dict)
    annotations: dict[int, PdfObject] = {}
    for element in _all_elements(pdf):
        for page, mcid in _marked_contents(element):
            if page is not None and page.objgen in key_of_page:
                owners[key_of_page[page.objgen]][mcid] = element
        for kid in _kids(element):
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR":
                parent_key = kid.Obj.get("/StructParent")
                if parent_key is not None:
                    annotations[int(parent_key)] = element
    nums = pikepdf.Array()
    for key in sorted({*old, *owners, *annotations}):
        if key in key_of_page.values():
            before = old.get(key)
            size = max([len(before) if isinstance(before, pikepdf.Array) else 0,
                        *(m + 1 for m in owners[key])])
            value: PdfObject = pikepdf.Array([
                owners[key].get(m, pikepdf.Object.parse(b"null")) for m in range(size)])
        else:
            value = annotations.get(key, old.get(key))
        nums.append(key)
        nums.append(value)
    root.ParentTree = pdf.make_indirect(pikepdf.Dictionary(Nums=nums))


def parent_tree(pdf: pikepdf.Pdf) -> dict[int, pikepdf.Object]:
    """The parent tree's number tree flattened: StructParents key → value."""
    root = pdf.Root.get("/StructTreeRoot")
    found: dict[int, pikepdf.Object] = {}
    stack = [root.get("/ParentTree")] if root is not None else []
    while stack:
        node = stack.pop()
        if not isinstance(node, pikepdf.Dictionary):
            continue
        nums = node.get("/Nums", pikepdf.Array())
        for k in range(0, len(nums) - 1, 2):
            found[int(nums[k])] = nums[k + 1]
        stack.extend(node.get("/Kids", pikepdf.Array()))
    return found
