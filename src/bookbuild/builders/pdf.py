"""PDF editions (booklet, handout) through WeasyPrint, and the imposed print booklet."""

from __future__ import annotations

import hashlib
import time

import weasyprint

from ..errors import BookbuildError
from ..render.book import BookView, build_view
from ..render.figures import timeline_figure
from ..render.fonts import font_dirs, font_face_css, missing_glyphs, visible_text
from ..render.html import PageContext, render_page, stylesheet_paths
from ..render.inline import Linker
from .base import BuildJob, BuildResult, Output
from .fetch import ConfinedFetcher
from .impose import impose_saddle_stitch
from .linktext import target_descriptions
from .pagemap import PageMap, page_locators
from .pdftags import finish_imposed, finish_pdf


def stylesheet_urls(job: BuildJob) -> tuple[str, ...]:
    """The edition's stylesheets as URLs (the confined fetcher reads them)."""
    return tuple(p.as_uri() for p in stylesheet_paths(job.layout_dirs, job.edition.layout))


def render_html(job: BuildJob, view: BookView, page_map: PageMap | None, *,
                template: str = "", first_page: int = 1) -> str:
    """The edition's HTML; index locators come from ``page_map`` when given.

    ``template`` renders another page of the same layout (the index alone),
    numbered from ``first_page``.
    """
    linker = Linker(link_mentions=False, hyphenate=True,
                    note_numbers=view.note_numbers)
    extra: dict[str, object] = {"timeline_figure": timeline_figure(view)}
    context = PageContext(
        edition=job.edition,
        build_date=job.build_date,
        linker=linker,
        stylesheets=stylesheet_urls(job),
        font_faces=font_face_css() + (
            f"\n@page :first {{ counter-reset: page {first_page}; }}" if first_page > 1
            else ""),
        locators=page_locators(page_map) if page_map else page_locators(PageMap({}, 0)),
        extra=extra,
    )
    return render_page(job.env, template or f"{job.edition.layout}.html.j2", view, context)


class PdfBuilder:
    """Lays the edition out with WeasyPrint; the index gets the pages of the layout itself."""

    def build(self, job: BuildJob) -> BuildResult:
        view = build_view(job.manuscript, job.edition)
        timings: dict[str, float] = {}
        start = time.perf_counter()
        html = render_html(job, view, None)
        check_glyphs(html)
        document = self.layout(job, html)
        timings["layout"] = time.perf_counter() - start
        document = self.with_index(job, view, document)
        final_map = PageMap.from_document(document)
        timings["index"] = time.perf_counter() - start - timings["layout"]
        pages = len(document.pages)
        if job.edition.max_pages and pages > job.edition.max_pages:
            raise BookbuildError(
                f"edition '{job.edition.name}' has {pages} pages; its limit is "
                f"{job.edition.max_pages}",
                "mark fewer events or people as key, or raise max_pages in book.yaml",
            )
        name = f"{job.slug}-{job.edition.name}.pdf"
        target = job.staging / name
        identifier = hashlib.sha256(html.encode()).hexdigest()[:32].encode()
        # PDF/UA-1: tagged, with the title shown and the XMP identification
        document.write_pdf(target, pdf_identifier=identifier, pdf_variant="pdf/ua-1")
        finish_pdf(target, target_descriptions(view), html)  # text layer and tags (pdftags)
        outputs = [Output.of(target, job.staging, job.edition.name, "pdf", pages)]
        if job.edition.impose:
            imposed = job.staging / f"{job.slug}-{job.edition.name}-print.pdf"
            title = f"{job.manuscript.meta.title} (nyomtatáshoz)"
            data = finish_imposed(impose_saddle_stitch(target.read_bytes(), title=title),
                                  language=job.manuscript.meta.language, title=title)
            imposed.write_bytes(data)
            sheets = ((pages + 3) // 4) * 2
            outputs.append(Output.of(imposed, job.staging, job.edition.name, "pdf-imposed",
                                     sheets))
        timings["total"] = time.perf_counter() - start
        return BuildResult(tuple(outputs), final_map, timings)

    def page_map(self, job: BuildJob) -> PageMap:
        """Lay the edition out without writing it: where its anchors and pages fall."""
        view = build_view(job.manuscript, job.edition)
        document = self.layout(job, render_html(job, view, None))
        return PageMap.from_document(self.with_index(job, view, document))

    def with_index(self, job: BuildJob, view: BookView,
                   document: weasyprint.document.Document) -> weasyprint.document.Document:
        """Give the index the page numbers of the layout itself.

        The book is laid out once with empty index locators; the pages before the
        index do not depend on them. Only the index is laid out again, numbered on
        from where it starts, and its pages take the place of the first ones. If
        the real locators move a later index section to another page than the
        contents list says, the whole book is laid out again with them instead.
        """
        template = f"{job.edition.layout}-index.html.j2"
        if not view.indexes or template not in job.env.list_templates():
            return document
        page_map = PageMap.from_document(document)
        start = page_map.page_of(view.indexes[0].anchor)
        if start < 1:
            return document
        index_html = render_html(job, view, page_map, template=template, first_page=start)
        index = self.layout(job, index_html)
        index_map = PageMap.from_document(index)
        moved = [s.anchor for s in view.indexes
                 if index_map.page_of(s.anchor) + start - 1 != page_map.page_of(s.anchor)]
        if moved:
            return self.layout(job, render_html(job, view, page_map))
        return document.copy(document.pages[: start - 1] + index.pages)

    def layout(self, job: BuildJob, html: str) -> weasyprint.document.Document:
        roots = [*job.layout_dirs, job.project.manuscript_dir, *font_dirs()]
        base = job.layout_dirs[0].as_uri() + "/"
        return weasyprint.HTML(string=html, base_url=base,
                               url_fetcher=ConfinedFetcher(roots)).render()


def check_glyphs(html: str) -> None:
    """Fail with a clear message when the text face cannot print a character."""
    missing = missing_glyphs(visible_text(html))
    if missing:
        shown = ", ".join(f"'{c}' (U+{ord(c):04X})" for c in missing[:10])
        raise BookbuildError(
            f"the text font has no glyph for {shown}",
            "replace the character in the manuscript, or use a layout with a font that has it",
        )

