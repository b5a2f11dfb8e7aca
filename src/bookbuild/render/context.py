"""The typed context every layout template receives: its fields are the templates' only names."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from ..manuscript.model import Edition, Paragraph, PartKind, RichText
from .book import BookView, DayGroup, IndexEntry, IndexSection, PartView
from .current import RenderState
from .inline import Linker, render_inlines, render_text

if TYPE_CHECKING:  # what an EPUB document's template receives, named for the type checker
    from ..builders.epub.documents import Document
    from ..builders.epub.navigation import NavEntry
    from .figures import TimelineFigure

# The linker of the rendering under way (see render/current.py for why filters read it).
_LINKER: RenderState[Linker] = RenderState("linker", Linker())
current_linker = _LINKER.using


def _linker() -> Linker:
    return _LINKER.get()


def _rich(text: RichText, owner: str = "") -> Markup:
    """A running text as paragraphs."""
    return render_text(text, _linker(), owner=owner)


def _rich_inline(paragraph: Paragraph) -> Markup:
    """One paragraph's inline content, without the ``<p>``."""
    return render_inlines(paragraph.children, _linker())


def _headline(paragraph: Paragraph) -> Markup:
    """A heading's inline content: like ``rich_inline``, never hyphenated."""
    return render_inlines(paragraph.children, replace(_linker(), hyphenate=False))


def _href(target: str) -> str:
    """A ``#anchor`` as the output links it (another document of an EPUB); URLs as they are."""
    return _linker().href(target[1:]) if target.startswith("#") else target


TEXT_FILTERS: dict[str, Callable[..., object]] = {
    "rich": _rich, "rich_inline": _rich_inline, "headline": _headline, "href": _href,
}


def _no_locators(entry: IndexEntry) -> Markup:
    return Markup("")


@dataclass(frozen=True)
class LayoutContext:
    """What a template may use, and nothing else (``StrictUndefined`` refuses other names).

    The page templates (``booklet.html.j2``, ``epub/content.html.j2`` …) pass these values
    on to the macros of ``partials/`` as parameters; see docs/layouts.md.
    """

    book: BookView
    edition: Edition
    labels: Mapping[str, object]  # the words the book prints around its content
    authors: str  # the editors' names, comma-separated
    build_date: str  # ISO date of the build
    build_date_label: str  # the build date as the book prints it
    stylesheets: tuple[str, ...] = ()
    font_faces: Markup = field(default_factory=Markup)
    locators: Callable[[IndexEntry], Markup] = _no_locators  # index entry -> where it stands
    show_demand_events: bool = True  # demands list the events linked to them
    timeline_figure: TimelineFigure | None = None
    cover_figure: Markup | None = None
    # one EPUB document (epub/*.html.j2)
    doc: Document | None = None
    part: PartView | None = None
    day: DayGroup | None = None
    section: IndexSection | None = None
    cover_image: str = ""
    landmarks: Sequence[Mapping[str, str]] = ()
    page_list: Sequence[Mapping[str, str]] = ()
    contents: Sequence[NavEntry] = ()  # the navigation's entries

    def figure_for(self, part: PartView) -> TimelineFigure | None:
        """The timeline figure a part opens with: the day-by-day parts show it."""
        return self.timeline_figure if part.part.kind is PartKind.DAYS else None

    def with_values(self, extra: Mapping[str, object]) -> LayoutContext:
        """The context with a builder's own values set (only names it declares)."""
        unknown = sorted(set(extra) - set(context_names()))
        if unknown:
            raise ValueError(f"not a layout context value: {', '.join(unknown)}")
        values: dict[str, Any] = dict(extra)
        return replace(self, **values)

    @property
    def page_style(self) -> Markup:
        """``@page { size: … }`` when book.yaml sets the edition's page size (PDF only);
        without it the layout's stylesheet decides."""
        if self.edition.format == "pdf" and self.edition.page_size:
            return Markup("@page {{ size: {}; }}").format(self.edition.page_size)
        return Markup("")

    def values(self) -> dict[str, object]:
        """The names a template sees: every field, and the helpers."""
        out: dict[str, object] = {f.name: getattr(self, f.name) for f in fields(self)}
        out["figure_for"] = self.figure_for
        out["page_style"] = self.page_style
        return out


def context_names() -> tuple[str, ...]:
    """The values a builder may set beyond the defaults (``PageContext.extra`` keys)."""
    return tuple(f.name for f in fields(LayoutContext))

