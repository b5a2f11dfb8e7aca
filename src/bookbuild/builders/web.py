"""The web edition: one responsive HTML page with its stylesheets and fonts, in ``html/``."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, ClassVar

from markupsafe import Markup

from ..manuscript.model import Edition
from .base import BuildJob, BuildResult, Output, PagesOf
from .outputs import HTML_FOLDER

if TYPE_CHECKING:  # the renderer is imported to build, not to plan a build
    from ..render.book import IndexEntry
    from ..render.fonts import FontFace

FOLDER = HTML_FOLDER


def mention_locators(entry: IndexEntry, said: dict[str, str] | None = None) -> Markup:
    """Links to every place an entity is mentioned, labelled by day or demand (and named
    in full for screen readers: ``said``, from :mod:`.linktext`)."""
    seen: list[str] = []
    links: list[Markup] = []
    for mention in entry.mentions:
        if mention.owner in seen:
            continue
        seen.append(mention.owner)
        label = (said or {}).get(mention.anchor, mention.label)
        links.append(Markup('<a href="#{}" aria-label="{}">{}</a>').format(
            mention.anchor, label, mention.label))
    return Markup(", ").join(links)


class WebBuilder:
    """Renders the whole book as ``html/index.html`` with relative links only."""

    format: ClassVar[str] = "html"
    needs: ClassVar[tuple[PagesOf, ...]] = ()
    templates: ClassVar[tuple[str, ...]] = ("{layout}.html.j2",)

    @classmethod
    def outputs(cls, edition: Edition, slug: str) -> tuple[str, ...]:
        return (FOLDER + "/",)  # index.html, css/, fonts/

    def build(self, job: BuildJob) -> BuildResult:
        from ..render.book import build_view
        from ..render.figures import timeline_figure
        from ..render.fonts import font_face_css, subset_fonts, visible_text
        from ..render.html import PageContext, render_page
        from ..render.inline import Linker
        from ..render.layoutdirs import stylesheet_paths
        from .confine import read_confined
        from .figures import figure_context, web_files
        from .linktext import target_descriptions

        view = build_view(job.manuscript, job.edition)
        folder = job.staging / FOLDER
        (folder / "css").mkdir(parents=True, exist_ok=True)
        (folder / "fonts").mkdir(exist_ok=True)
        stylesheets = []
        for source in stylesheet_paths(job.layout_dirs, job.edition.layout):
            # read through the confinement: a layout file linked from outside is refused
            (folder / "css" / source.name).write_bytes(read_confined(source, job.layout_dirs))
            stylesheets.append(f"css/{source.name}")
        figure_images, image_files = web_files(job, view)
        for name, image in image_files:
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(image.data)

        def font_url(face: FontFace) -> str:
            return f"fonts/{face.path.name}"

        context = PageContext(
            edition=job.edition,
            build_date=job.build_date,
            linker=Linker(link_mentions=True,
                          note_numbers=view.note_numbers),
            stylesheets=tuple(stylesheets),
            font_faces=font_face_css(font_url),
            locators=partial(mention_locators, said=target_descriptions(view)),
            extra={"timeline_figure": timeline_figure(view)},
            figures=figure_context(view, figure_images),
        )
        html = render_page(job.env, f"{job.edition.layout}.html.j2", view, context)
        page = folder / "index.html"
        page.write_text(html, encoding="utf-8")
        for face, data in subset_fonts(visible_text(html)):
            (folder / "fonts" / face.path.name).write_bytes(data)
        outputs = [Output.of(page, job.staging, job.edition.name, "html")]
        outputs += [Output.of(p, job.staging, job.edition.name, "asset")
                    for p in sorted(folder.rglob("*")) if p.is_file() and p != page]
        return BuildResult(tuple(outputs))
