"""The EPUB builder: plan the documents, render them twice, mark the pages, package, write.

Every document is rendered by ``layouts/<layout>/<template>.html.j2`` from the same
partials as the print editions; the hooks below say which template and with what.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from ...manuscript.model import Edition
from ..base import BuildJob, BuildResult, Output, PagesOf
from ..outputs import epub_name
from .resources import COVER_IMAGE

if TYPE_CHECKING:  # the renderer, lxml, ebooklib: imported to build, not to plan a build
    from lxml import etree
    from markupsafe import Markup

    from ...render.book import BookView, IndexEntry
    from ...render.figurecontext import ImageRef
    from ...render.html import PageContext
    from ...render.inline import Linker
    from .documents import Document, Rendered



class EpubBuilder:
    """Builds ``<slug>.epub`` for an edition of format epub."""

    format: ClassVar[str] = "epub"
    # the page-list and the page-break markers follow the printed booklet, if there is one
    needs: ClassVar[tuple[PagesOf, ...]] = (PagesOf("pdf", imposed=True),)
    templates: ClassVar[tuple[str, ...]] = ("{layout}/content.html.j2", "{layout}/nav.html.j2",
                                            "{layout}/cover.html.j2")

    @classmethod
    def outputs(cls, edition: Edition, slug: str) -> tuple[str, ...]:
        return (epub_name(slug),)

    def build(self, job: BuildJob) -> BuildResult:
        from ...render.book import build_view
        from ...render.figures import timeline_figure
        from ...render.inline import Linker
        from ..figures import epub_files
        from .documents import href_in, mention_locators, no_locators, plan_documents
        from .endnotes import link_back, split_notes
        from .package import assemble_book, write_book
        from .pagebreaks import place_page_markers
        from .resources import stylesheets, subset_fonts
        from .semantics import add_semantics
        from .xhtml import text_of

        started = time.perf_counter()
        view = build_view(job.manuscript, job.edition)
        docs = plan_documents(view)
        note_numbers = view.note_numbers
        figure = timeline_figure(view)
        figure_images, image_files = epub_files(job, view)

        # pass 1: where every id stands, so that links can name the document
        probe = Linker(link_mentions=True, note_numbers=note_numbers)
        href = href_in(split_notes([self.render_document(job, view, doc, probe, no_locators,
                                                         figure, figure_images)
                                    for doc in docs], view.locale))

        # pass 2: the documents with cross-document links
        # no soft hyphens in the text: reading systems hyphenate by CSS (epub.css)
        linker = Linker(href=href, link_mentions=True, note_numbers=note_numbers)
        locators = mention_locators(view, job.booklet_pages, href)
        rendered = split_notes([self.render_document(job, view, doc, linker, locators, figure,
                                                     figure_images) for doc in docs],
                               view.locale)
        docs = [document.doc for document in rendered]
        link_back(rendered, view.locale)
        for document in rendered:
            add_semantics(document.root, document.doc.kind)
        page_list = place_page_markers(job, rendered)
        timings = {"render": time.perf_counter() - started}

        nav = self.render_nav(job, view, linker, rendered, page_list)
        cover_name = figure_images[view.cover.id].src if view.cover else COVER_IMAGE
        cover_page = self.render_cover_page(job, view, linker, page_list, cover_name)
        contents = [(document.doc, document.serialise()) for document in rendered]
        fonts = subset_fonts(text_of(nav, cover_page, *(data for _doc, data in contents)))
        book = assemble_book(job, view, docs, contents, nav, cover_page, fonts,
                             stylesheets(job), paginated=bool(page_list),
                             images=image_files, cover_image=cover_name)
        target = job.staging / epub_name(job.slug)
        write_book(book, job.build_date, target)
        timings["total"] = time.perf_counter() - started
        return BuildResult((Output.of(target, job.staging, job.edition.name, "epub"),),
                           None, timings)

    # -------------------------------------------------------------- hooks

    def page_context(self, job: BuildJob, linker: Linker,
                     locators: Callable[[IndexEntry], Markup],
                     extra: dict[str, object]) -> PageContext:
        """What every template of the edition gets."""
        from ...render.html import PageContext
        from .resources import stylesheet_names

        return PageContext(
            edition=job.edition,
            build_date=job.build_date,
            linker=linker,
            stylesheets=tuple(f"css/{name}" for name in stylesheet_names(job)),
            font_faces="",
            locators=locators,
            extra=extra,
        )

    def render_document(self, job: BuildJob, view: BookView, doc: Document, linker: Linker,
                        locators: Callable[[IndexEntry], Markup], figure: object,
                        figure_images: dict[str, ImageRef]) -> Rendered:
        """One content document, rendered by ``content.html.j2`` and parsed."""
        from lxml import etree

        from ...render.html import render_page
        from ..figures import figure_context
        from .documents import Rendered
        from .xhtml import parse

        context = replace(self.page_context(job, linker, locators,
                                            {"doc": doc, "timeline_figure": figure,
                                             **doc.values}),
                          figures=figure_context(view, figure_images))
        html = render_page(job.env, f"{job.edition.layout}/content.html.j2", view, context)
        return Rendered(doc, etree.ElementTree(parse(html)))

    def render_nav(self, job: BuildJob, view: BookView, linker: Linker,
                   rendered: list[Rendered], page_list: list[tuple[int, str]]) -> bytes:
        """The navigation document: contents, landmarks and the booklet's page-list."""
        from ...render.html import render_page
        from .documents import no_locators
        from .navigation import table_of_contents
        from .semantics import add_semantics
        from .xhtml import parse, serialise

        docs = [document.doc for document in rendered]
        first_part = next((d for d in docs if d.kind in ("part", "opener", "day")), docs[0])
        first_index = next((d for d in docs if d.kind == "index"), None)
        landmarks = [
            {"type": "cover", "href": "cover.xhtml", "title": view.locale.word("cover")},
            {"type": "toc", "href": "nav.xhtml#toc", "title": view.locale.word("contents")},
            {"type": "bodymatter", "href": first_part.name, "title": first_part.title},
        ]
        if first_index is not None:
            landmarks.append({"type": "index", "href": first_index.name,
                              "title": first_index.title})
        pages = [{"href": f"{name}#page-{page}", "label": str(page)} for page, name in page_list]
        context = self.page_context(job, linker, no_locators,
                                    {"landmarks": landmarks, "page_list": pages,
                                     "contents": table_of_contents(rendered)})
        html = render_page(job.env, f"{job.edition.layout}/nav.html.j2", view, context)
        root = parse(html)
        add_semantics(root, "nav")
        _mark_print_pages(root, "nav.xhtml", page_list)
        return serialise(root)

    def render_cover_page(self, job: BuildJob, view: BookView, linker: Linker,
                          page_list: list[tuple[int, str]],
                          cover_image: str = COVER_IMAGE) -> bytes:
        """The cover document, which shows the cover image."""
        from ...render.html import render_page
        from .documents import no_locators
        from .xhtml import parse, serialise

        context = self.page_context(job, linker, no_locators, {"cover_image": cover_image})
        html = render_page(job.env, f"{job.edition.layout}/cover.html.j2", view, context)
        root = parse(html)
        _mark_print_pages(root, "cover.xhtml", page_list)
        return serialise(root)


def _mark_print_pages(root: etree._Element, name: str, page_list: list[tuple[int, str]]) -> None:
    """Mark the print pages that ``page_list`` places in document ``name`` (cover, contents)."""
    from .pagebreaks import PRINT_ONLY, mark_page

    element_id = next((k for k, v in PRINT_ONLY.items() if v == name), "")
    for page, where in page_list:
        if where == name:
            mark_page(root, element_id, page)
