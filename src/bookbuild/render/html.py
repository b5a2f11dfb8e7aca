"""Render a book view through the Jinja2 layouts into HTML for one edition."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from markupsafe import Markup

from ..manuscript.model import Edition
from .book import BookView, IndexEntry
from .context import TEXT_FILTERS, LayoutContext, current_linker
from .figurecontext import FIGURE_FILTERS, FigureContext, current_figures
from .inline import Linker
from .labels import template_labels
from .layoutdirs import builtin_layouts as builtin_layouts  # the layout folders' home
from .layoutdirs import layout_dirs as layout_dirs
from .layoutdirs import stylesheet_paths as stylesheet_paths
from .pagerefs import PAGE_FILTERS, PageSlots, current_page_slots
from .sandbox import ConfinedLoader, LayoutSandbox, render


def make_environment(dirs: list[Path]) -> LayoutSandbox:
    """The layouts' sandbox over ``dirs`` (the project's layouts first)."""
    return LayoutSandbox(ConfinedLoader([str(d) for d in dirs]), dirs)


@dataclass(frozen=True)
class PageContext:
    """What one rendering of a template needs beyond the book itself."""

    edition: Edition
    build_date: dt.date
    linker: Linker = field(default_factory=Linker)
    stylesheets: tuple[str, ...] = ()
    font_faces: str = ""
    locators: Callable[[IndexEntry], Markup] = lambda entry: Markup("")
    extra: Mapping[str, object] = field(default_factory=dict)
    figures: FigureContext = field(default_factory=FigureContext)  # placed figures, images
    page_slots: PageSlots | None = None  # where pages are printed (print editions)


def render_page(env: LayoutSandbox, template: str, view: BookView,
                context: PageContext) -> str:
    """Render ``template`` for ``view``; all manuscript text is escaped on the way."""
    linker = replace(context.linker, locale=view.locale)
    env.filters.update(TEXT_FILTERS)
    env.filters.update(FIGURE_FILTERS)
    env.filters.update(PAGE_FILTERS)
    layout_context = LayoutContext(
        book=view,
        edition=context.edition,
        labels=template_labels(view.locale),
        authors=", ".join(c.name for c in view.meta.editors),
        build_date=context.build_date.isoformat(),
        build_date_label=view.locale.build_date(context.build_date),
        stylesheets=context.stylesheets,
        font_faces=Markup(context.font_faces),
        locators=context.locators,
    ).with_values(context.extra)
    with current_linker(linker), current_figures(context.figures), \
            current_page_slots(context.page_slots):
        return render(env, template, layout_context.values())
