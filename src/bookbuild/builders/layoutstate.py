"""WeasyPrint's layout, keeping no more of its state than the laid-out pages need.

WeasyPrint (70) computes, before it builds any box, a style for every element and for
six pseudo-elements of every element: its user-agent stylesheet styles ``::marker``,
``::footnote-call``, ``::footnote-marker``, ``::note-call``, ``::note-marker`` and
``::note-callback`` of any element (``html5_ua.css``), and a pseudo-element with a style
gets a computed style. Only a list item asks for its marker, only a footnote (``float:
footnote``) for its call and marker, only a note (``position: note()``) for its call,
marker and callback (``formatting_structure/build.py``); the other styles are never
read, and they are about a quarter of a laid-out book's memory. They are dropped before
the boxes are built (:func:`drop_unused_pseudo_styles`).

And an SVG image (the timeline, an SVG figure) keeps WeasyPrint's layout context, to lay
out its text when it is drawn; the context keeps what the layout was made with: every
computed style, the tables where the targets of links and counters were looked up, the
state of every page made: about half of a laid-out book. Drawing an SVG uses only the
context's fonts, hyphenation dictionaries and image loader (``weasyprint/svg``); what
the layout alone used is let go once the document is laid out
(:func:`release_layout_state`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from weasyprint.document import Document

__all__ = ["LAYOUT_ONLY", "UNIVERSAL_PSEUDO", "drop_unused_pseudo_styles",
           "release_layout_state", "render"]

# the pseudo-elements WeasyPrint's user-agent stylesheet styles on every element
UNIVERSAL_PSEUDO = frozenset({"marker", "footnote-call", "footnote-marker",
                              "note-call", "note-marker", "note-callback"})

# the LayoutContext attributes used only while laying out (WeasyPrint 70: layout/, css/,
# formatting_structure/); drawing and writing the PDF read none of them
LAYOUT_ONLY = ("style_for", "target_collector", "page_maker")


def render(html: str, base_url: str | None = None, url_fetcher: Any = None) -> Document:
    """``html`` laid out by WeasyPrint (``HTML(...).render()``), keeping less (see module)."""
    from .weasyimport import import_weasyprint

    import_weasyprint()
    import weasyprint

    document = _lean_document()._render(
        weasyprint.HTML(string=html, base_url=base_url, url_fetcher=url_fetcher),
        None, None, None, dict(weasyprint.DEFAULT_OPTIONS))
    release_layout_state(document)
    return document


def _lean_document() -> Any:
    """WeasyPrint's Document, whose layout context drops the unused pseudo-element styles
    before the boxes are built (``Document._render`` builds them from the context)."""
    global _LEAN
    if _LEAN is None:
        from weasyprint.document import Document

        class LeanDocument(Document):  # type: ignore[misc]
            @classmethod
            def _build_layout_context(cls, html: Any, *args: Any) -> Any:
                context = super()._build_layout_context(html, *args)
                drop_unused_pseudo_styles(context.style_for, html.etree_element)
                return context

        _LEAN = LeanDocument
    return _LEAN


_LEAN: Any = None


def drop_unused_pseudo_styles(style_for: Any, root: Any) -> int:
    """Drop the styles of the universal pseudo-elements (:data:`UNIVERSAL_PSEUDO`) of the
    elements that cannot have them; the number dropped.

    An element keeps them all when it is a list item, a footnote or a note, or when its
    ``::before`` or ``::after`` is a list item (whose marker is the element's); the
    elements inside a ``display: none`` one get no boxes, and keep none.
    """
    styles: dict[tuple[Any, Any], Any] = style_for._computed_styles
    keeps = {id(element) for element in _shown(styles, root) if _has_pseudo(styles, element)}
    unused = [key for key in styles
              if key[1] in UNIVERSAL_PSEUDO and id(key[0]) not in keeps]
    for key in unused:
        del styles[key]
    return len(unused)


def _shown(styles: dict[tuple[Any, Any], Any], root: Any) -> Iterator[Any]:
    """The elements the boxes are built for, as WeasyPrint walks them: not inside an
    element with ``display: none`` (nor comments, processing instructions)."""
    stack = [root]
    while stack:
        element = stack.pop()
        if not isinstance(element.tag, str):
            continue
        style = styles.get((element, None))
        if style is not None and style["display"] == ("none",):
            continue
        yield element
        stack.extend(reversed(list(element)))


def _has_pseudo(styles: dict[tuple[Any, Any], Any], element: Any) -> bool:
    style = styles.get((element, None))
    if style is None:
        return True  # not known here: kept
    if ("list-item" in style["display"] or style["float"] == "footnote"
            or style["position"][0] == "note()"):
        return True
    return any(pseudo is not None and "list-item" in pseudo["display"]
               for pseudo in (styles.get((element, "before")), styles.get((element, "after"))))


def release_layout_state(document: Any) -> int:
    """Drop what the laid-out ``document``'s SVG images keep of the layout context;
    the number of contexts released."""
    released: dict[int, Any] = {}
    for page in document.pages:
        for box in page._page_box.descendants():
            context = getattr(getattr(box, "replacement", None), "_context", None)
            if context is not None and id(context) not in released:
                released[id(context)] = context
                for name in LAYOUT_ONLY:
                    if hasattr(context, name):
                        setattr(context, name, None)
    return len(released)
