"""The template contract: a typed context, macros with parameters, filters bound per rendering."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bookbuild.errors import BookbuildError, Diagnostics
from bookbuild.manuscript import find_project, read_manuscript
from bookbuild.render.book import BookView, build_view
from bookbuild.render.context import LayoutContext, context_names
from bookbuild.render.html import PageContext, layout_dirs, make_environment, render_page
from bookbuild.render.inline import Linker
from conftest import REPO, VALID


@pytest.fixture(scope="module")
def view() -> BookView:
    manuscript = read_manuscript(find_project(VALID), Diagnostics())
    return build_view(manuscript)


def context(view: BookView, **extra: object) -> PageContext:
    edition = read_manuscript(find_project(VALID), Diagnostics()).editions[0]
    return PageContext(edition=edition, build_date=dt.date(2024, 1, 2), extra=extra)


def test_a_builder_may_set_only_what_the_context_declares(view: BookView) -> None:
    env = make_environment(layout_dirs(None))
    with pytest.raises(ValueError, match="not a layout context value: part_kind"):
        render_page(env, "html.html.j2", view, context(view, part_kind="days"))
    assert {"book", "labels", "locators", "part", "day", "section"} <= set(context_names())


def test_a_template_sees_only_the_context(view: BookView, tmp_path: Path) -> None:
    (tmp_path / "x.html.j2").write_text("{{ book.meta.title }} {{ ev.anchor }}")
    env = make_environment(layout_dirs(tmp_path))
    with pytest.raises(BookbuildError, match="ev"):
        render_page(env, "x.html.j2", view, context(view))


def test_macros_take_parameters_not_loop_variables(view: BookView, tmp_path: Path) -> None:
    (tmp_path / "one.html.j2").write_text(
        '{% from "partials/event.html.j2" import event %}{{ event(book.events[0]) }}')
    env = make_environment(layout_dirs(tmp_path))
    html = render_page(env, "one.html.j2", view, context(view))
    first = view.events[0]
    assert f'id="{first.anchor}"' in html and first.event.title in html


def test_partials_do_not_read_their_callers_variables() -> None:
    partials = REPO / "layouts" / "partials"
    for path in partials.glob("*.j2"):
        text = path.read_text()
        assert "{% include" not in text, path.name
        assert "{% macro" in text, path.name


def test_text_filters_follow_the_rendering_not_the_first_one(view: BookView) -> None:
    """Jinja caches imported macro modules: print text must not leak into the web edition."""
    env = make_environment(layout_dirs(None))
    printed = PageContext(edition=context(view).edition, build_date=dt.date(2024, 1, 2),
                          linker=Linker(link_mentions=False, hyphenate=True))
    render_page(env, "html.html.j2", view, printed)
    screen = render_page(env, "html.html.j2", view, context(view))
    assert '<a class="mention"' in screen and "\u00ad" not in screen


def test_layout_context_values_are_its_fields(view: BookView) -> None:
    ctx = LayoutContext(book=view, edition=context(view).edition, labels={}, authors="",
                        build_date="", build_date_label="")
    assert set(ctx.values()) == {*context_names(), "figure_for", "page_style"}
