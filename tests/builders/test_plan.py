"""The build plan, the builder registry and parallel builds of books of other shapes."""

from __future__ import annotations

import io
import re
import shutil
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from click.testing import Result

from bookbuild.builders.base import BuildJob, BuildResult, Output, PagesOf
from bookbuild.builders.cache import edition_keys
from bookbuild.builders.pagemap import PageMap, PrintedPages
from bookbuild.builders.plan import Step, plan_build
from bookbuild.builders.registry import RegistryError, add_builder, formats, remove_builder
from bookbuild.commands.build import build
from bookbuild.manuscript import find_project
from bookbuild.manuscript.model import Edition
from conftest import EPOCH, VALID

BOOK_EDITIONS = re.compile(r"^editions:\n(?:  .*\n)+", re.M)


def book_with(tmp_path: Path, editions: str) -> Path:
    """A copy of the valid fixture whose book.yaml declares ``editions`` instead."""
    project = tmp_path / "book"
    shutil.copytree(VALID, project)
    book = project / "manuscript" / "book.yaml"
    book.write_text(BOOK_EDITIONS.sub("editions:\n" + editions, book.read_text("utf-8")),
                    encoding="utf-8")
    return project


def page_list(epub: Path) -> list[str]:
    with zipfile.ZipFile(epub) as z:
        nav = z.read("EPUB/nav.xhtml").decode()
    section = re.search(r'<nav[^>]*epub:type="page-list".*?</nav>', nav, re.S)
    return re.findall(r">(\d+)</a>", section.group(0)) if section else []


def pdf_pages(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(pdf).pages)


# ---------------------------------------------------------------- the plan


def edition(name: str, fmt: str, impose: bool = False) -> Edition:
    return Edition(name=name, format=fmt, layout=name, impose=impose)


def test_the_epub_follows_the_imposed_pdf_edition_only() -> None:
    handout, booklet = edition("handout", "pdf"), edition("booklet", "pdf", impose=True)
    epub, html = edition("epub", "epub"), edition("html", "html")
    plan = plan_build([epub, handout, html, booklet])
    assert plan.steps == (Step(handout), Step(html), Step(booklet), Step(epub, "booklet"))
    assert plan.after("epub") == "booklet" and plan.after("handout") == ""
    assert [s.edition.name for s in plan.ready()] == ["handout", "html", "booklet"]
    assert [s.edition.name for s in plan.ready(["handout", "html", "booklet"])] == ["epub"]
    # only the EPUB asked for: the booklet is laid out for its pages, not written
    assert plan.select(["epub"]).steps == (Step(booklet, write=False), Step(epub, "booklet"))
    assert plan.select(["html"]).steps == (Step(html),)


def test_without_an_imposed_edition_nothing_waits() -> None:
    plan = plan_build([edition("handout", "pdf"), edition("epub", "epub")])
    assert plan.after("epub") == "" and len(plan.ready()) == 2


def test_the_epub_key_follows_the_booklet_key(tmp_path: Path) -> None:
    project = find_project(book_with(tmp_path, "  booklet: {format: pdf, impose: true}\n"
                                               "  epub: {format: epub}\n"))
    editions = [edition("booklet", "pdf", impose=True), edition("epub", "epub")]
    dirs = [project.layouts_dir]
    keys = edition_keys(project, dirs, plan_build(editions), "2023-11-14")
    changed = [edition("booklet", "pdf", impose=True), edition("epub", "epub")]
    changed[0] = Edition(name="booklet", format="pdf", layout="booklet", impose=True,
                         max_pages=40)
    again = edition_keys(project, dirs, plan_build(changed), "2023-11-14")
    assert again["booklet"] != keys["booklet"] and again["epub"] != keys["epub"]
    alone = edition_keys(project, dirs, plan_build([edition("epub", "epub")]), "2023-11-14")
    assert alone["epub"] != keys["epub"]


def test_an_unknown_format_is_a_located_error(tmp_path: Path,
                                              cli: Callable[..., Result]) -> None:
    project = book_with(tmp_path, "  booklet: {format: pfd}\n")
    result = cli("check", project)
    assert result.exit_code != 0
    assert "book.yaml:" in result.output and "unknown output format 'pfd'" in result.output
    assert "pdf" in result.output  # the suggestion


# ---------------------------------------------------------------- parallel builds


@pytest.mark.slow
@pytest.mark.parametrize("asked", [["epub"], ["html", "epub"]])
def test_parallel_epub_without_an_imposed_edition(tmp_path: Path, asked: list[str],
                                                  cli: Callable[..., Result],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    project = book_with(tmp_path, "  handout: {format: pdf, page_size: A4, layout: handout}\n"
                                  "  epub: {format: epub, layout: epub}\n"
                                  "  html: {format: html, layout: html}\n")
    args = [a for name in asked for a in ("-e", name)]
    result = cli("build", "--jobs", "2", *args, "-o", tmp_path / "out", project)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    epub = tmp_path / "out" / "probakonyv.epub"
    assert epub.is_file() and page_list(epub) == []  # no booklet: no page-list
    assert (tmp_path / "out" / "html" / "index.html").is_file() == ("html" in asked)
    assert not (tmp_path / "out" / "probakonyv-handout.pdf").exists()


@pytest.mark.slow
def test_parallel_epub_with_several_pdf_editions(tmp_path: Path, cli: Callable[..., Result],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The page-list follows the imposed edition, whichever place it has among the PDFs."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    project = book_with(tmp_path, "  handout: {format: pdf, page_size: A4, layout: handout}\n"
                                  "  proof: {format: pdf, page_size: A4, layout: handout}\n"
                                  "  booklet: {format: pdf, page_size: A5, layout: booklet,"
                                  " impose: true}\n"
                                  "  epub: {format: epub, layout: epub}\n")
    out = tmp_path / "out"
    result = cli("build", "--jobs", "2", "-o", out, project)
    assert result.exit_code == 0, result.output
    booklet, proof = out / "probakonyv-booklet.pdf", out / "probakonyv-proof.pdf"
    assert pdf_pages(booklet) > pdf_pages(proof)
    assert page_list(out / "probakonyv.epub") == [str(n) for n in
                                                 range(1, pdf_pages(booklet) + 1)]
    # the EPUB alone, in parallel: the booklet laid out for its pages, the same EPUB
    alone = tmp_path / "alone"
    assert cli("build", "--jobs", "2", "-e", "epub", "-o", alone, project).exit_code == 0
    assert (alone / "probakonyv.epub").read_bytes() == (out / "probakonyv.epub").read_bytes()
    assert not (alone / "probakonyv-booklet.pdf").exists()


# ---------------------------------------------------------------- the registry


class ToyBuilder:
    """A format bookbuild does not know: the book's title and the pages it follows."""

    format: ClassVar[str] = "toy"
    needs: ClassVar[tuple[PagesOf, ...]] = (PagesOf("pdf", imposed=True),)
    templates: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def outputs(cls, edition: Edition, slug: str) -> tuple[str, ...]:
        return (f"{slug}.toy",)

    def build(self, job: BuildJob) -> BuildResult:
        target = job.staging / f"{job.slug}.toy"
        pages = job.booklet_pages.page_count if job.booklet_pages else 0
        target.write_text(f"{job.manuscript.meta.title}\n{pages}\n", encoding="utf-8")
        return BuildResult((Output.of(target, job.staging, job.edition.name, "toy"),))


@pytest.fixture
def toy() -> Iterator[type[ToyBuilder]]:
    add_builder(ToyBuilder)
    try:
        yield ToyBuilder
    finally:
        remove_builder("toy")


def test_a_format_is_registered_once(toy: type[ToyBuilder]) -> None:
    assert "toy" in formats() and {"pdf", "epub", "html"} <= set(formats())
    add_builder(ToyBuilder)  # the same class again: nothing happens

    class Other(ToyBuilder):
        pass

    with pytest.raises(RegistryError):
        add_builder(Other)
    with pytest.raises(RegistryError):
        add_builder(type("Pdf", (ToyBuilder,), {"format": "pdf"}))


@pytest.mark.slow
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_registered_builder_builds_its_editions(toy: type[ToyBuilder], tmp_path: Path,
                                                  jobs: str) -> None:
    project = book_with(tmp_path, "  booklet: {format: pdf, layout: booklet, impose: true}\n"
                                  "  toy: {format: toy, layout: toy}\n")
    out = tmp_path / "out"
    outputs = build(project, editions=["toy"], out=out, err=io.StringIO(), jobs=int(jobs))
    assert [o.name for o in outputs] == ["probakonyv.toy"]
    title, pages = (out / "probakonyv.toy").read_text(encoding="utf-8").splitlines()
    assert title == "Próbakönyv" and int(pages) > 4  # the booklet laid out, not written
    assert not (out / "probakonyv-booklet.pdf").exists()


# ---------------------------------------------------------------- serve


@pytest.mark.slow
def test_serve_builds_the_web_edition_as_build_does(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The preview is the built web edition (same date rule, same builder) plus its script."""
    from bookbuild.commands.serve import Preview, reload_script

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    build(VALID, editions=["html"], out=tmp_path / "out", err=io.StringIO())
    (tmp_path / "serve").mkdir()
    preview = Preview(find_project(VALID), tmp_path / "serve", io.StringIO())
    assert preview.rebuild()
    served = (tmp_path / "serve" / "site" / "index.html").read_text(encoding="utf-8")
    built = (tmp_path / "out" / "html" / "index.html").read_text(encoding="utf-8")
    assert 'content="2023-11-14"' in built
    assert served == built.replace("</body>", reload_script(1) + "</body>")


# ---------------------------------------------------------------- one render, one rule


@pytest.mark.slow
@pytest.mark.parametrize("asked", [["epub"], ["booklet", "epub"]])
def test_the_booklet_html_is_rendered_once(tmp_path: Path, asked: list[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The EPUB marks the booklet's pages in the HTML the booklet was laid out from."""
    import bookbuild.builders.pdf as pdf

    rendered: list[str] = []
    real = pdf.render_html

    def counted(job: BuildJob, *args: object, **kwargs: object) -> object:
        rendered.append(str(kwargs.get("template") or job.edition.layout))
        return real(job, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pdf, "render_html", counted)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    build(VALID, editions=asked, out=tmp_path / "out", err=io.StringIO(), jobs=1)
    # the book once, laid out with placeholder page numbers, then with its own pages
    assert rendered == ["booklet"]
    assert page_list(tmp_path / "out" / "probakonyv.epub")


def test_nothing_in_the_epub_builder_imports_the_scheduler() -> None:
    import ast

    import bookbuild.builders.epub as epub

    for module in Path(epub.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                assert not (node.module or "").endswith(("schedule", "plan")), module.name


# ---------------------------------------------------------------- starting early


class ToyPages:
    """A page source that announces its pages, then waits for its follower to be done."""

    format: ClassVar[str] = "toypages"
    needs: ClassVar[tuple[PagesOf, ...]] = ()
    templates: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def outputs(cls, edition: Edition, slug: str) -> tuple[str, ...]:
        return (f"{slug}.pages",)

    def lay_out(self, job: BuildJob) -> PrintedPages:
        return PrintedPages(job.edition, PageMap({"start": 1}, 7), ("<html/>",))

    def build(self, job: BuildJob) -> BuildResult:
        printed = self.lay_out(job)
        assert job.announce is not None, "its follower waits for it"
        job.announce(printed)
        follower = job.staging / f"{job.slug}.follower"
        for _ in range(1200):  # the follower runs meanwhile; a minute at most, not a limit
            if follower.exists():
                break
            time.sleep(0.05)
        target = job.staging / f"{job.slug}.pages"
        target.write_text(f"follower done first: {follower.exists()}\n", encoding="utf-8")
        return BuildResult((Output.of(target, job.staging, job.edition.name, "toy"),), printed)


class ToyFollower:
    format: ClassVar[str] = "toyfollower"
    needs: ClassVar[tuple[PagesOf, ...]] = (PagesOf("toypages"),)
    templates: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def outputs(cls, edition: Edition, slug: str) -> tuple[str, ...]:
        return (f"{slug}.follower",)

    def build(self, job: BuildJob) -> BuildResult:
        target = job.staging / f"{job.slug}.follower"
        pages = job.booklet_pages.page_count if job.booklet_pages else 0
        target.write_text(f"{pages}\n", encoding="utf-8")
        return BuildResult((Output.of(target, job.staging, job.edition.name, "toy"),))


def test_a_follower_starts_when_the_pages_are_known(tmp_path: Path) -> None:
    """In parallel, the edition that follows another's pages does not wait for its files."""
    add_builder(ToyPages)
    add_builder(ToyFollower)
    try:
        project = book_with(tmp_path, "  pages: {format: toypages}\n"
                                      "  follower: {format: toyfollower}\n")
        out = tmp_path / "out"
        build(project, out=out, err=io.StringIO(), jobs=2)
        assert (out / "probakonyv.follower").read_text(encoding="utf-8") == "7\n"
        assert (out / "probakonyv.pages").read_text(encoding="utf-8") == \
            "follower done first: True\n"
    finally:
        remove_builder("toypages")
        remove_builder("toyfollower")


@pytest.mark.slow
@pytest.mark.parametrize("jobs", [1, 2])
def test_a_book_without_pdf_editions_never_loads_weasyprint(tmp_path: Path, jobs: int) -> None:
    """The EPUB and web builders copy layout files through the WeasyPrint-free confinement
    (builders/confine.py); WeasyPrint is imported only where something is laid out."""
    import subprocess
    import sys

    project = book_with(tmp_path, "  epub: {format: epub, layout: epub}\n"
                                  "  web: {format: html, layout: html}\n")
    script = (
        "import io, sys\n"
        "from pathlib import Path\n"
        "from bookbuild.commands.build import build\n"
        f"build(Path({str(project)!r}), out=Path({str(tmp_path / 'out')!r}), "
        f"err=io.StringIO(), jobs={jobs})\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'weasyprint'))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env={**__import__("os").environ, "SOURCE_DATE_EPOCH": EPOCH},
                          check=True)
    assert done.stdout.strip() == "[]"
    assert (tmp_path / "out" / "probakonyv.epub").is_file()


def test_a_build_with_nothing_to_do_loads_no_renderer(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache decides before anything heavy is imported: no Jinja2, rich,
    WeasyPrint, ebooklib or Pillow for a build that has nothing to do (the builders'
    modules declare their needs without importing what they build with)."""
    import os
    import subprocess
    import sys

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    project = tmp_path / "book"
    shutil.copytree(VALID, project)
    build(project, out=tmp_path / "out", err=io.StringIO(), jobs=1)
    script = (
        "import io, sys\n"
        "from pathlib import Path\n"
        "from bookbuild.commands.build import build\n"
        f"build(Path({str(project)!r}), out=Path({str(tmp_path / 'out')!r}), "
        "err=sys.stdout)\n"
        "heavy = ('jinja2', 'rich', 'weasyprint', 'ebooklib', 'PIL', 'pypdf',\n"
        "         'bookbuild.render.html', 'bookbuild.render.book')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH}, check=True)
    said, loaded = done.stdout.strip().splitlines()
    assert said.startswith("nothing to do") and loaded == "[]"


class ToyPid:
    """Writes the id of the process that built it; ``crash`` editions end that process."""

    format: ClassVar[str] = "toypid"
    needs: ClassVar[tuple[PagesOf, ...]] = ()
    templates: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def outputs(cls, edition: Edition, slug: str) -> tuple[str, ...]:
        return (f"{slug}-{edition.name}.pid",)

    def build(self, job: BuildJob) -> BuildResult:
        import gc
        import os

        if job.edition.name.startswith("crash"):
            os._exit(3)
        running = job.staging / f".running-{job.edition.name}"
        running.touch()
        at_once = len(list(job.staging.glob(".running-*")))
        time.sleep(0.2)  # the others start meanwhile, when there are jobs to spare
        running.unlink()
        target = job.staging / f"{job.slug}-{job.edition.name}.pid"
        target.write_text(f"{os.getpid()} {at_once} {gc.get_freeze_count()}\n",
                          encoding="utf-8")
        return BuildResult((Output.of(target, job.staging, job.edition.name, "toy"),))


def test_each_step_has_a_process_of_its_own_that_ends_with_it(tmp_path: Path) -> None:
    """In parallel, no worker outlives its step (an idle worker kept what its edition
    held, a laid-out book, beside the editions still building); at most ``jobs`` at once;
    what the parent held is frozen for the workers' collector (it would copy it, page by
    page, by looking at it), and collected again once the build is done."""
    import gc
    import os

    add_builder(ToyPid)
    try:
        project = book_with(tmp_path, "".join(f"  toy{k}: {{format: toypid}}\n"
                                              for k in range(4)))
        out = tmp_path / "out"
        build(project, out=out, err=io.StringIO(), jobs=2)
        runs = [(out / f"probakonyv-toy{k}.pid").read_text(encoding="utf-8").split()
                for k in range(4)]
    finally:
        remove_builder("toypid")
    pids = {int(pid) for pid, _at_once, _frozen in runs}
    assert len(pids) == 4 and os.getpid() not in pids
    assert max(int(at_once) for _pid, at_once, _frozen in runs) <= 2
    assert all(int(frozen) > 1000 for _pid, _at_once, frozen in runs)
    assert gc.get_freeze_count() == 0
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # ended, and reaped


def test_a_step_whose_process_dies_fails_the_build_naming_it(tmp_path: Path) -> None:
    from bookbuild.builders.schedule import StepDied

    add_builder(ToyPid)
    try:
        project = book_with(tmp_path, "  toy: {format: toypid}\n  crash: {format: toypid}\n")
        with pytest.raises(StepDied, match="edition 'crash' ended without a result"):
            build(project, out=tmp_path / "out", err=io.StringIO(), jobs=2)
    finally:
        remove_builder("toypid")


class ToyBig(ToyPid):
    """Fails in one edition; builds a result larger than a pipe holds in the other."""

    format = "toybig"

    def build(self, job: BuildJob) -> BuildResult:
        if job.edition.name == "fails":
            raise ValueError("this edition fails")
        time.sleep(0.5)  # still building when the other one has failed
        result = super().build(job)
        return BuildResult(result.outputs, result.pages, {"x" * 200_000: 1.0}, result.warnings)


def test_a_failed_step_does_not_wait_forever_for_one_with_a_large_result(
        tmp_path: Path) -> None:
    """The build fails with the first error; a step still running, whose result is larger
    than a pipe's buffer, is read to its end, not waited for with its pipe full."""
    add_builder(ToyBig)
    try:
        project = book_with(tmp_path, "  big: {format: toybig}\n  fails: {format: toybig}\n")
        with pytest.raises(ValueError, match="this edition fails") as raised:
            build(project, out=tmp_path / "out", err=io.StringIO(), jobs=2)
        assert "Traceback" in str(raised.value.__cause__)  # the child's, as text
    finally:
        remove_builder("toybig")
