"""What a laid-out WeasyPrint document keeps of its layout, and need not.

An SVG image (the timeline, an SVG figure) keeps WeasyPrint's layout context, to lay out
its text when it is drawn; and the context keeps everything the layout was made with:
the computed style of every element and of six pseudo-elements of each (``::marker``,
``::footnote-call`` … match every element), the tables where the targets of links and
counters were looked up, the state of every page made. For a book with a timeline that
is half the memory of its laid-out pages. Drawing an SVG uses only the context's fonts,
hyphenation dictionaries and image loader (``weasyprint.svg``); what the layout alone
used is let go as soon as the document is laid out.
"""

from __future__ import annotations

from typing import Any

__all__ = ["LAYOUT_ONLY", "release_layout_state"]

# the LayoutContext attributes used only while laying out (WeasyPrint 70: layout/, css/,
# formatting_structure/); drawing and writing the PDF read none of them
LAYOUT_ONLY = ("style_for", "target_collector", "page_maker")


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
