"""PDF editions (booklet, handout) through WeasyPrint, and the imposed print booklet."""

from __future__ import annotations

import gc
import hashlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from ..errors import BookbuildError
from ..manuscript.model import Edition
from .base import BuildJob, BuildResult, Output, PagesOf
from .outputs import imposed_name, pdf_name
from .pagemap import PageMap, PrintedPages, page_locators

MAX_PASSES = 6  # layouts spent on making the printed page numbers right, at most

if TYPE_CHECKING:  # WeasyPrint and the renderer are imported to build, not to plan a build
    from weasyprint.document import Document

    from ..render.book import BookView
    from ..render.pagerefs import PageSlots
    from .renderlog import RenderLog


def stylesheet_urls(job: BuildJob) -> tuple[str, ...]:
    """The edition's stylesheets as URLs (the confined fetcher reads them)."""
    from ..render.html import stylesheet_paths

    return tuple(p.as_uri() for p in stylesheet_paths(job.layout_dirs, job.edition.layout))


def render_html(job: BuildJob, view: BookView, *, calls: list[str] | None = None) -> Rendered:
    """The edition's HTML, with slots for the pages it prints (filled after each layout);
    ``calls`` gets the note calls rendered."""
    from ..render.figures import timeline_figure
    from ..render.fonts import font_face_css
    from ..render.html import PageContext, render_page
    from ..render.inline import Linker
    from ..render.labels import page_reference_css
    from ..render.pagerefs import PageSlots
    from .figures import figure_context, print_refs

    linker = Linker(link_mentions=False, hyphenate=True,
                    note_numbers=view.note_numbers, calls=calls)
    extra: dict[str, object] = {"timeline_figure": timeline_figure(view)}
    slots = PageSlots()
    context = PageContext(
        edition=job.edition,
        build_date=job.build_date,
        linker=linker,
        stylesheets=stylesheet_urls(job),
        font_faces=font_face_css() + page_reference_css(view.locale),
        locators=slots.locators,
        extra=extra,
        figures=figure_context(view, print_refs(job, view)),
        page_slots=slots,
    )
    return Rendered(render_page(job.env, f"{job.edition.layout}.html.j2", view, context),
                    slots)


@dataclass(frozen=True)
class Rendered:
    """An edition's HTML with its page slots."""

    html: str
    slots: PageSlots

    def numbered(self, page_map: PageMap | None) -> str:
        """The HTML printing the pages of ``page_map`` (None: placeholders)."""
        return self.slots.fill(self.html, page_map.pages if page_map else None,
                               page_locators(page_map or PageMap({}, 0)))


def edition_view(job: BuildJob) -> tuple[BookView, Rendered | None]:
    """The book as the edition prints it: the notes it calls numbered in its own order;
    and its rendering, when the one that found the calls already had those numbers."""
    from ..render.book import build_view
    from ..render.editionnotes import numbered_as_printed
    from ..render.hyphenate import load_dictionary

    view = build_view(job.manuscript, job.edition)
    load_dictionary(view.locale.hyphenator.dictionary)  # not inside the bounded render
    made: list[tuple[BookView, Rendered]] = []

    def render(view: BookView, calls: list[str]) -> None:
        made.append((view, render_html(job, view, calls=calls)))

    printed = numbered_as_printed(view, render)
    return printed, next((r for v, r in made if v is printed), None)


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
        self.passes = 0  # layouts made

    def build(self, job: BuildJob) -> BuildResult:
        from .boxpages import page_map_of
        from .boxtags import page_elements
        from .figures import printed_resolution
        from .impose import impose_saddle_stitch
        from .linktext import target_descriptions
        from .pdftags import finish_imposed, finish_pdf

        timings: dict[str, float] = {}
        start = time.perf_counter()
        view, rendered = edition_view(job)
        document, html = self.laid_out(job, view, timings, job.seed, rendered)
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
        mark = time.perf_counter()
        self.write(document, target, identifier)
        timings["write"] = time.perf_counter() - mark
        mark = time.perf_counter()
        # what is wanted of the layout is taken from it, and the layout let go: its boxes
        # are the largest thing a build holds, not to be held beside the PDF opened next
        resolution = printed_resolution(job, view, document)
        laid = page_elements(document.pages)
        del document
        gc.collect()  # a page with footnotes is a cycle of boxes (the area knows its page)
        # the text layer and tags, put right after WeasyPrint (pdftags)
        finish_pdf(target, target_descriptions(view), "\n".join(html), laid)
        del laid
        timings["tags"] = time.perf_counter() - mark
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
        return BuildResult(tuple(outputs), printed, timings, found + resolution)

    def lay_out(self, job: BuildJob) -> PrintedPages:
        """Lay the edition out without writing it: where its anchors and pages fall."""
        from .boxpages import page_map_of

        view, rendered = edition_view(job)
        document, html = self.laid_out(job, view, {}, job.seed, rendered)
        return PrintedPages(job.edition, page_map_of(document), html)

    def page_map(self, job: BuildJob) -> PageMap:
        return self.lay_out(job).page_map

    def laid_out(self, job: BuildJob, view: BookView, timings: dict[str, float],
                 seed: PageMap | None = None, rendered: Rendered | None = None,
                 ) -> tuple[Document, tuple[str, ...]]:
        """The edition laid out with the page numbers it prints, and the HTML laid out.

        ``seed``: where the pages stood last time, if known; with the right numbers the
        first layout is the last. ``rendered``: ``view`` rendered already.
        """
        from ..render.hyphenate import load_dictionary

        start = time.perf_counter()
        # the hyphenation patterns take a second to load: not inside the bounded render
        # (the scheduler loads them before any step; a caller of lay_out may not have)
        load_dictionary(view.locale.hyphenator.dictionary)
        laid = self.numbered(job, view, seed, check=True, rendered=rendered)
        if view.figures:
            view, laid = self.settle(job, view, laid)
        timings["layout"] = time.perf_counter() - start
        return laid.document, (laid.html,)

    def numbered(self, job: BuildJob, view: BookView, page_map: PageMap | None, *,
                 check: bool = False, rendered: Rendered | None = None) -> Laid:
        """Lay ``view`` out until the page numbers it prints are those of its own pages.

        The contents, the cross-references and the index take their numbers from the
        page map of the layout before (``page_map``, or placeholders); a layout whose
        pages still stand where those numbers say is final, normally the second (the
        first when ``page_map`` was right). The book is rendered once, numbered anew
        for each layout.
        """
        from .boxpages import page_map_of, printed_page_refs

        rendered = rendered or render_html(job, view)
        if check:
            check_glyphs(rendered.html)
        indexed = rendered.slots.indexed()
        for _ in range(MAX_PASSES):
            html = rendered.numbered(page_map)
            laid = Laid(self.layout(job, html), html, page_map, indexed)
            pages = page_map_of(laid.document)
            if laid.settled(pages, printed_page_refs(laid.document)):
                return laid
            page_map = pages
            del laid  # the next layout replaces this one: never two documents held at once
        raise BookbuildError(
            f"edition '{job.edition.name}': the page numbers of the contents and "
            f"cross-references did not settle after {MAX_PASSES} layouts",
            "a page reference that pushes its own target to another page can never be "
            "right: shorten the text around it, or report the book to bookbuild",
        )

    def settle(self, job: BuildJob, view: BookView, laid: Laid) -> tuple[BookView, Laid]:
        """Figures pushed to the next page let the following text fill theirs."""
        from .figureflow import settle_figures

        made: dict[int, Laid] = {}

        def relayout(moved: BookView) -> Document:
            for earlier in list(made)[:-1]:  # only the last one made may still be kept
                del made[earlier]
            made[id(moved)] = self.numbered(job, moved, laid.page_map)
            return made[id(moved)].document

        settled, _document = settle_figures(view, laid.document, relayout)
        return settled, made.get(id(settled), laid)

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
        from ..render.fonts import font_dirs, private_fontconfig

        private_fontconfig()  # the bundled fonts only, whatever the machine has
        from .figurefetch import FigureFetcher
        from .layoutstate import render
        from .renderlog import RenderLog, WatchedFetcher, listening

        if self.log is None:
            template = next((d / f"{job.edition.layout}.html.j2" for d in job.layout_dirs
                             if (d / f"{job.edition.layout}.html.j2").is_file()),
                            job.layout_dirs[0])
            self.log = RenderLog(job.project.root, template)
        roots = [*job.layout_dirs, job.project.manuscript_dir, *font_dirs()]
        base = job.layout_dirs[0].as_uri() + "/"
        fetcher = FigureFetcher(job, WatchedFetcher(roots, self.log))
        self.passes += 1
        with listening(self.log):  # WeasyPrint's layout, keeping less of its state
            return render(html, base, fetcher)


@dataclass(frozen=True)
class Laid:
    """One layout: the document, the HTML it was laid out from, the page map whose numbers
    that HTML prints (None: placeholders) and the anchors whose pages its index prints."""

    document: Document
    html: str
    page_map: PageMap | None
    indexed: frozenset[str]

    def settled(self, pages: PageMap, printed: dict[str, str]) -> bool:
        """Whether every page number this layout prints is the page it found."""
        if any(shown != str(pages.page_of(anchor)) for anchor, shown in printed.items()):
            return False
        before = self.page_map or PageMap({}, 0)
        return all(pages.page_of(a) == before.page_of(a) for a in self.indexed)


def check_glyphs(html: str) -> None:
    """Fail with a clear message when the text face cannot print a character."""
    from ..render.fonts import missing_glyphs, visible_text

    missing = missing_glyphs(visible_text(html))
    if missing:
        shown = ", ".join(f"'{c}' (U+{ord(c):04X})" for c in missing[:10])
        raise BookbuildError(
            f"the text font has no glyph for {shown}",
            "replace the character in the manuscript, or use a layout with a font that has it",
        )

