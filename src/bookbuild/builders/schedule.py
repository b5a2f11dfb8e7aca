"""Run edition builds, in parallel processes where there are cores to spare.

Loading and validating happen once, in the parent; each worker process gets
the validated manuscript when it starts. The EPUB waits for the booklet, whose
page map (where each printed page begins) its page-list needs; the other
editions are independent.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from ..manuscript import Manuscript, Project
from ..manuscript.model import Edition, OutputFormat
from .base import BuildJob, BuildResult
from .pagemap import PageMap


@dataclass(frozen=True)
class BuildContext:
    """What every edition of one build shares (picklable: it goes to the workers)."""

    project: Project
    manuscript: Manuscript
    layout_dirs: tuple[Path, ...]
    staging: Path
    build_date: object  # datetime.date


def builder_for(fmt: OutputFormat) -> object:
    """The builder of one output format, imported only when an edition needs it."""
    if fmt is OutputFormat.EPUB:
        from .epub import EpubBuilder

        return EpubBuilder()
    if fmt is OutputFormat.HTML:
        from .web import WebBuilder

        return WebBuilder()
    from .pdf import PdfBuilder

    return PdfBuilder()


_CONTEXT: BuildContext | None = None
_ENV: object = None


def _init_worker(context: BuildContext) -> None:
    global _CONTEXT, _ENV
    _CONTEXT, _ENV = context, None


def _init_child(context: BuildContext) -> None:
    """A worker process: dies with its parent and holds none of its locks."""
    from .outdir import release_inherited_lock

    release_inherited_lock()
    _die_with_parent()
    _init_worker(context)


def _die_with_parent() -> None:
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: workers end when their queue closes
        pass


def build_edition(edition: Edition, booklet_pages: PageMap | None,
                  layout_only: bool = False) -> tuple[BuildResult, float]:
    """Build one edition in this process; returns its result and the seconds it took.

    ``layout_only``: lay the edition out for its page map and write nothing (the
    booklet, when only the EPUB that follows its pages is asked for).
    """
    global _ENV
    assert _CONTEXT is not None, "the worker was not initialised"
    from ..render.html import make_environment

    if _ENV is None:
        _ENV = make_environment(list(_CONTEXT.layout_dirs))
    started = time.perf_counter()
    job = BuildJob(_CONTEXT.project, _CONTEXT.manuscript, edition, _ENV,  # type: ignore[arg-type]
                   _CONTEXT.layout_dirs, _CONTEXT.staging,
                   _CONTEXT.build_date, booklet_pages)  # type: ignore[arg-type]
    if layout_only:
        from .pdf import PdfBuilder

        result = BuildResult((), PdfBuilder().page_map(job))
    else:
        result = builder_for(edition.format).build(job)  # type: ignore[attr-defined]
    return result, time.perf_counter() - started


def booklet_of(manuscript: Manuscript) -> Edition | None:
    """The edition whose pages the EPUB's page-list follows: the imposed PDF booklet."""
    return next((e for e in manuscript.editions if e.format is OutputFormat.PDF and e.impose),
                None)


Listener = Callable[[str, Edition, BuildResult | None, float], None]


def run_editions(context: BuildContext, editions: list[Edition], *, jobs: int,
                 listen: Listener) -> dict[str, BuildResult]:
    """Build ``editions`` with up to ``jobs`` processes; ``listen`` hears starts and ends."""
    booklet = booklet_of(context.manuscript)
    needs_pages = [e for e in editions if e.format is OutputFormat.EPUB]
    first = [e for e in editions if e.format is not OutputFormat.EPUB]
    layout_only = bool(needs_pages and booklet is not None and booklet not in first)
    if layout_only and booklet is not None:
        first.insert(0, booklet)  # laid out for its page map, not written
    plan = _Plan(first, needs_pages, booklet, booklet.name if layout_only and booklet else "")
    if jobs <= 1:
        return _run_serial(context, plan, listen)
    return _run_parallel(context, plan, jobs, listen)


@dataclass(frozen=True)
class _Plan:
    first: list[Edition]  # independent editions (the booklet among them)
    later: list[Edition]  # editions that wait for the booklet's page map
    booklet: Edition | None
    layout_only: str  # name of an edition laid out only for its page map


def _run_serial(context: BuildContext, plan: _Plan, listen: Listener) -> dict[str, BuildResult]:
    _init_worker(context)
    results: dict[str, BuildResult] = {}
    booklet = plan.booklet
    for edition in plan.first + plan.later:
        pages = results[booklet.name].page_map if booklet and booklet.name in results else None
        listen("start", edition, None, 0.0)
        result, seconds = build_edition(edition, pages, edition.name == plan.layout_only)
        results[edition.name] = result
        listen("done", edition, result, seconds)
    return results


def _warm_up(editions: list[Edition], language: str) -> None:
    """Load once, before the workers fork, what every print worker needs (a second each)."""
    if any(e.format is OutputFormat.PDF for e in editions):
        import weasyprint  # noqa: F401 - imported for the workers to inherit

        from ..locale import locale_for
        from ..render.hyphenate import load_dictionary

        load_dictionary(locale_for(language).hyphenator.dictionary)


def _run_parallel(context: BuildContext, plan: _Plan, jobs: int,
                  listen: Listener) -> dict[str, BuildResult]:
    results: dict[str, BuildResult] = {}
    first, later, booklet = plan.first, plan.later, plan.booklet
    _warm_up(first, context.manuscript.meta.language)
    pool = ProcessPoolExecutor(max_workers=min(jobs, len(first) + len(later)),
                               mp_context=multiprocessing.get_context("fork"),
                               initializer=_init_child, initargs=(context,))
    pending: dict[Future[tuple[BuildResult, float]], Edition] = {}
    try:
        for edition in first:
            listen("start", edition, None, 0.0)
            pending[pool.submit(build_edition, edition, None,
                                edition.name == plan.layout_only)] = edition
        waiting = list(later)
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                edition = pending.pop(future)
                result, seconds = future.result()
                results[edition.name] = result
                listen("done", edition, result, seconds)
                if booklet is not None and edition.name == booklet.name:
                    for dependent in waiting:
                        listen("start", dependent, None, 0.0)
                        pending[pool.submit(build_edition, dependent, result.page_map)] = \
                            dependent
                    waiting = []
    except BaseException:
        for future in pending:
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return results
