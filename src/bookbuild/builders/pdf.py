"""PDF editions (booklet, handout) through WeasyPrint, and the imposed print booklet."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from ..errors import BookbuildError
from ..manuscript.model import Edition
from ..render.book import BookView, build_view
from ..render.editionnotes import numbered_as_printed
from ..render.figures import timeline_figure
from ..render.fonts import font_dirs, font_face_css, missing_glyphs, visible_text
from ..render.html import PageContext, render_page, stylesheet_paths
from ..render.hyphenate import load_dictionary
from ..render.inline import Linker
from ..render.labels import page_reference_css
from .base import BuildJob, BuildResult, Output, PagesOf
from .figures import figure_context, print_refs, printed_resolution
from .linktext import target_descriptions
from .outputs import imposed_name, pdf_name
from .pagemap import PageMap, PrintedPages, page_locators

if TYPE_CHECKING:  # WeasyPrint is imported when an edition is laid out, not to plan a build
    from weasyprint.document import Document

    from .renderlog import RenderLog


def stylesheet_urls(job: BuildJob) -> tuple[str, ...]:
    """The edition's stylesheets as URLs (the confined fetcher reads them)."""
    return tuple(p.as_uri() for p in stylesheet_paths(job.layout_dirs, job.edition.layout))


def render_html(job: BuildJob, view: BookView, page_map: PageMap | None, *,
                template: str = "", first_page: int = 1, calls: list[str] | None = None) -> str:
    """The edition's HTML; index locators come from ``page_map`` when given.

    ``template`` renders another page of the same layout (the index alone),
    numbered from ``first_page``; ``calls`` gets the note calls rendered.
    """
    linker = Linker(link_mentions=False, hyphenate=True,
                    note_numbers=view.note_numbers, calls=calls)
    extra: dict[str, object] = {"timeline_figure": timeline_figure(view)}
    context = PageContext(
        edition=job.edition,
        build_date=job.build_date,
        linker=linker,
        stylesheets=stylesheet_urls(job),
        font_faces=font_face_css() + page_reference_css(view.locale) + (
            f"\n@page :first {{ counter-reset: page {first_page}; }}" if first_page > 1
            else ""),
        locators=page_locators(page_map) if page_map else page_locators(PageMap({}, 0)),
        extra=extra,
        figures=figure_context(view, print_refs(job, view)),
    )
    return render_page(job.env, template or f"{job.edition.layout}.html.j2", view, context)


def edition_view(job: BuildJob) -> tuple[BookView, str]:
    """The book as the edition prints it (the notes it calls numbered in its own order),
    and the edition's HTML rendered from it."""
    view = build_view(job.manuscript, job.edition)
    load_dictionary(view.locale.hyphenator.dictionary)  # not inside the bounded render
    rendered: dict[int, str] = {}

    def render(shown: BookView, calls: list[str] | None = None) -> str:
        rendered[id(shown)] = render_html(job, shown, None, calls=calls)
        return rendered[id(shown)]

    numbered = numbered_as_printed(view, render)
    return numbered, rendered.get(id(numbered)) or render(numbered)


class PdfBuilder:
    """Lays the edition out with WeasyPrint; the index gets the pages of the layout itself."""

    format: ClassVar[str] = "pdf"
    needs: ClassVar[tuple[PagesOf, ...]] = ()
    templates: ClassVar[tuple[str, ...]] = ("{layout}.html.j2", "{layout}-index.html.j2")

    @classmethod
    def outputs(cls, edition: Edition, slug: str) -> tuple[str, ...]:
        """The PDF, and the imposed print PDF when the edition is imposed."""
        if edition.impose:
            return pdf_name(slug, edition.name), imposed_name(slug, edition.name)
        return (pdf_name(slug, edition.name),)

    def __init__(self) -> None:
        self.log: RenderLog | None = None

    def build(self, job: BuildJob) -> BuildResult:
        from .boxpages import page_map_of
        from .impose import impose_saddle_stitch
        from .pdftags import finish_imposed, finish_pdf

        timings: dict[str, float] = {}
        start = time.perf_counter()
        view, first = edition_view(job)
        document, html = self.laid_out(job, view, timings, first)
        printed = PrintedPages(job.edition, page_map_of(document), html)
        if job.announce is not None:
            job.announce(printed)
        pages = len(document.pages)
        if job.edition.max_pages and pages > job.edition.max_pages:
            raise BookbuildError(
                f"edition '{job.edition.name}' has {pages} pages; its limit is "
                f"{job.edition.max_pages}",
                "mark fewer events or people as key, or raise max_pages in book.yaml",
            )
        name = pdf_name(job.slug, job.edition.name)
        target = job.staging / name
        identifier = hashlib.sha256(html[0].encode()).hexdigest()[:32].encode()
        self.write(document, target, identifier)
        # the text layer and tags, put right after WeasyPrint (pdftags)
        finish_pdf(target, target_descriptions(view), "\n".join(html), document.pages)
        outputs = [Output.of(target, job.staging, job.edition.name, "pdf", pages)]
        if job.edition.impose:
            imposed = job.staging / imposed_name(job.slug, job.edition.name)
            title = view.locale.print_title(job.manuscript.meta.title)
            data = finish_imposed(impose_saddle_stitch(target.read_bytes(), title=title),
                                  language=job.manuscript.meta.language, title=title)
            imposed.write_bytes(data)
            sheets = ((pages + 3) // 4) * 2
            outputs.append(Output.of(imposed, job.staging, job.edition.name, "pdf-imposed",
                                     sheets))
        timings["total"] = time.perf_counter() - start
        found = tuple(self.log.found) if self.log else ()
        return BuildResult(tuple(outputs), printed, timings,
                           found + printed_resolution(job, view, document))

    def lay_out(self, job: BuildJob) -> PrintedPages:
        """Lay the edition out without writing it: where its anchors and pages fall."""
        from .boxpages import page_map_of

        view, first = edition_view(job)
        document, html = self.laid_out(job, view, {}, first)
        return PrintedPages(job.edition, page_map_of(document), html)

    def page_map(self, job: BuildJob) -> PageMap:
        return self.lay_out(job).page_map

    def laid_out(self, job: BuildJob, view: BookView, timings: dict[str, float],
                 first: str = "") -> tuple[Document, tuple[str, ...]]:
        """The edition laid out, index page numbers included, and the HTML laid out
        (``first``: the edition's HTML, when already rendered from ``view``)."""
        start = time.perf_counter()
        # the hyphenation patterns take a second to load: not inside the bounded render
        # (the scheduler loads them before any step; a caller of lay_out may not have)
        load_dictionary(view.locale.hyphenator.dictionary)
        html = first or render_html(job, view, None)
        check_glyphs(html)
        document = self.layout(job, html)
        view, document, html = self.settle(job, view, document, html)
        timings["layout"] = time.perf_counter() - start
        laid_out = self.with_index(job, view, document, html)
        timings["index"] = time.perf_counter() - start - timings["layout"]
        return laid_out

    def settle(self, job: BuildJob, view: BookView, document: Document,
               html: str) -> tuple[BookView, Document, str]:
        """Figures pushed to the next page let the following text fill theirs."""
        from .figureflow import settle_figures

        if not view.figures:
            return view, document, html
        laid: dict[int, str] = {}

        def relayout(moved: BookView) -> Document:
            laid[id(moved)] = render_html(job, moved, None)
            return self.layout(job, laid[id(moved)])

        settled, document = settle_figures(view, document, relayout)
        return settled, document, laid.get(id(settled), html)

    def with_index(self, job: BuildJob, view: BookView, document: Document,
                   html: str) -> tuple[Document, tuple[str, ...]]:
        """Give the index the page numbers of the layout itself.

        The book is laid out once with empty index locators; the pages before the
        index do not depend on them. Only the index is laid out again, numbered on
        from where it starts, and its pages take the place of the first ones. If
        the real locators move a later index section to another page than the
        contents list says, the whole book is laid out again with them instead.
        """
        from .boxpages import page_map_of

        template = f"{job.edition.layout}-index.html.j2"
        if not view.indexes or template not in job.env.list_templates():
            return document, (html,)
        page_map = page_map_of(document)
        start = page_map.page_of(view.indexes[0].anchor)
        if start < 1:
            return document, (html,)
        index_html = render_html(job, view, page_map, template=template, first_page=start)
        index = self.layout(job, index_html)
        index_map = page_map_of(index)
        moved = [s.anchor for s in view.indexes
                 if index_map.page_of(s.anchor) + start - 1 != page_map.page_of(s.anchor)]
        if moved:
            again = render_html(job, view, page_map)
            return self.layout(job, again), (again,)
        return document.copy(document.pages[: start - 1] + index.pages), (html, index_html)

    def write(self, document: Document, target: Path, identifier: bytes) -> None:
        """The PDF, as PDF/UA-1: tagged, with the title shown and the XMP identification."""
        from .renderlog import listening

        if self.log is None:
            document.write_pdf(target, pdf_identifier=identifier, pdf_variant="pdf/ua-1")
            return
        with listening(self.log):
            document.write_pdf(target, pdf_identifier=identifier, pdf_variant="pdf/ua-1")

    def layout(self, job: BuildJob, html: str) -> Document:
        """``html`` laid out; WeasyPrint's warnings go to ``self.log``."""
        from ..render.fonts import private_fontconfig

        private_fontconfig()  # the bundled fonts only, whatever the machine has
        import weasyprint

        from .figurefetch import FigureFetcher
        from .renderlog import RenderLog, WatchedFetcher, listening

        if self.log is None:
            template = next((d / f"{job.edition.layout}.html.j2" for d in job.layout_dirs
                             if (d / f"{job.edition.layout}.html.j2").is_file()),
                            job.layout_dirs[0])
            self.log = RenderLog(job.project.root, template)
        roots = [*job.layout_dirs, job.project.manuscript_dir, *font_dirs()]
        base = job.layout_dirs[0].as_uri() + "/"
        fetcher = FigureFetcher(job, WatchedFetcher(roots, self.log))
        with listening(self.log):
            return weasyprint.HTML(string=html, base_url=base, url_fetcher=fetcher).render()


def check_glyphs(html: str) -> None:
    """Fail with a clear message when the text face cannot print a character."""
    missing = missing_glyphs(visible_text(html))
    if missing:
        shown = ", ".join(f"'{c}' (U+{ord(c):04X})" for c in missing[:10])
        raise BookbuildError(
            f"the text font has no glyph for {shown}",
            "replace the character in the manuscript, or use a layout with a font that has it",
        )

