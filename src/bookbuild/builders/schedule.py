"""Run a build plan's steps, in parallel processes where there are cores to spare.

Loading and validating happen once, in the parent; each worker process gets the
validated manuscript when it starts. What waits for what is the plan's
(:mod:`.plan`): a step starts as soon as the edition it follows is laid out, the
others at once.
"""

from __future__ import annotations

import datetime as dt
import gc
import multiprocessing
import pickle
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from multiprocessing import connection
from multiprocessing.queues import Queue
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..manuscript import Manuscript, Project
from ..manuscript.model import Edition
from .base import BuildJob, BuildResult, PageSource
from .pagemap import PageMap, PrintedPages
from .plan import Plan, Step
from .registry import builder_class, builder_for

if TYPE_CHECKING:
    from ..render.sandbox import LayoutSandbox


@dataclass(frozen=True)
class BuildContext:
    """What every edition of one build shares (picklable: it goes to the workers)."""

    project: Project
    manuscript: Manuscript
    layout_dirs: tuple[Path, ...]
    staging: Path
    build_date: dt.date
    # per edition, where its anchors stood in the last build (page numbers to start from)
    seeds: Mapping[str, Mapping[str, int]] = field(default_factory=dict)


_CONTEXT: BuildContext | None = None
_ENV: LayoutSandbox | None = None
_PAGES: Queue[str] | None = None  # a worker's way to announce its pages


def _init_worker(context: BuildContext, pages: Queue[str] | None = None) -> None:
    global _CONTEXT, _ENV, _PAGES
    _CONTEXT, _ENV, _PAGES = context, None, pages


def _init_child(context: BuildContext, pages: Queue[str]) -> None:
    """A worker process: dies with its parent and holds none of its locks."""
    from .outdir import release_inherited_lock

    release_inherited_lock()
    _die_with_parent()
    _init_worker(context, pages)


def _pages_file(context: BuildContext, edition: str) -> Path:
    return context.staging / f".pages-{edition}.pickle"


def _announce(printed: PrintedPages) -> None:
    """Tell the parent that ``printed``'s pages are known (its files are still to come).

    The pages go through a file in the staging folder and only the edition's name
    through the queue: a message that small never waits for the parent to read it.
    """
    assert _CONTEXT is not None and _PAGES is not None
    path = _pages_file(_CONTEXT, printed.edition.name)
    path.write_bytes(pickle.dumps(printed, protocol=pickle.HIGHEST_PROTOCOL))
    _PAGES.put(printed.edition.name)


def _die_with_parent() -> None:
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: workers end when their queue closes
        pass


def build_step(step: Step, follows: PrintedPages | None,
               announce: bool = False) -> tuple[BuildResult, float]:
    """Build one step in this process; returns its result and the seconds it took.

    A step that is not written (``step.write`` false) is only laid out, for the
    editions that follow its pages. ``announce``: others follow this step's pages;
    tell the parent as soon as they are known.
    """
    global _ENV
    assert _CONTEXT is not None, "the worker was not initialised"
    from ..render.html import make_environment

    if _ENV is None:
        _ENV = make_environment(list(_CONTEXT.layout_dirs))
    started = time.perf_counter()
    seed = _CONTEXT.seeds.get(step.edition.name)
    job = BuildJob(_CONTEXT.project, _CONTEXT.manuscript, step.edition, _ENV,
                   _CONTEXT.layout_dirs, _CONTEXT.staging, _CONTEXT.build_date, follows,
                   _announce if announce and _PAGES is not None else None,
                   PageMap(dict(seed), 0) if seed else None)
    builder = builder_for(step.edition.format)
    if step.write:
        result = builder.build(job)
    elif isinstance(builder, PageSource):
        result = BuildResult((), builder.lay_out(job))
    else:  # the plan gives only page sources as steps to lay out
        raise TypeError(f"the {step.edition.format} builder cannot lay out without writing")
    return result, time.perf_counter() - started


Listener = Callable[[str, Edition, BuildResult | None, float], None]


def run_plan(context: BuildContext, plan: Plan, *, jobs: int,
             listen: Listener) -> dict[str, BuildResult]:
    """Build the plan's steps with up to ``jobs`` processes; ``listen`` hears starts and ends.

    Returns the results of the steps that were written.
    """
    if jobs <= 1 or len(plan.steps) <= 1:
        results = _run_serial(context, plan, listen)
    else:
        results = _run_parallel(context, plan, jobs, listen)
    written = {s.edition.name for s in plan.steps if s.write}
    return {name: r for name, r in results.items() if name in written}


def _run_serial(context: BuildContext, plan: Plan, listen: Listener) -> dict[str, BuildResult]:
    _init_worker(context)
    _warm_up(plan, context.manuscript.meta.language)
    results: dict[str, BuildResult] = {}
    for step in plan.steps:
        follows = results[step.after].pages if step.after else None
        listen("start", step.edition, None, 0.0)
        result, seconds = build_step(step, follows)
        results[step.edition.name] = result
        listen("done", step.edition, result, seconds)
    return results


def _warm_up(plan: Plan, language: str) -> None:
    """Load once, before any step (and before the workers fork, for them to share it), what
    the steps need: their builders, WeasyPrint, the language's hyphenation patterns (a
    second to load, which must not count against a template's bounded render time)."""
    from ..locale import locale_for
    from ..render.hyphenate import load_dictionary

    for step in plan.steps:
        builder_class(step.edition.format)
    if any(step.edition.format == "pdf" for step in plan.steps):
        from ..render.fonts import private_fontconfig
        from .weasyimport import import_weasyprint

        private_fontconfig()  # before WeasyPrint loads fontconfig: the bundled fonts only
        import_weasyprint()  # for the workers to inherit
    load_dictionary(locale_for(language).hyphenator.dictionary)


def _run_parallel(context: BuildContext, plan: Plan, jobs: int,
                  listen: Listener) -> dict[str, BuildResult]:
    """Steps start when what they follow is laid out: announced by its worker before it
    writes its files (the EPUB does not wait for the booklet's PDF and imposition).

    Each step runs in a process forked for it, at most ``jobs`` at once, and the process
    ends with its step: what one edition held (a laid-out book, its PDF) is given back
    when it is done, not kept by an idle worker beside the editions still building.
    """
    results: dict[str, BuildResult] = {}
    laid_out: dict[str, PrintedPages | None] = {}
    _warm_up(plan, context.manuscript.meta.language)
    # what the parent holds (the manuscript, the modules, the hyphenation patterns) is
    # shared with the workers until one writes to it: the collector of a worker would,
    # to every object it looks at, and copy the parent's memory page by page
    gc.freeze()
    fork = multiprocessing.get_context("fork")
    announced: Queue[str] = fork.Queue()
    followed = {s.after for s in plan.steps if s.after}
    running: list[_StepProcess] = []
    started: set[str] = set()

    def start_ready() -> None:
        for step in plan.ready(list(laid_out)):
            if step.edition.name in started or len(running) >= jobs:
                continue
            started.add(step.edition.name)
            listen("start", step.edition, None, 0.0)
            follows = laid_out[step.after] if step.after else None
            announce = step.write and step.edition.name in followed
            running.append(_StepProcess(fork, context, announced, step, follows, announce))

    try:
        start_ready()
        while running:
            waits_for_pages = any(s.after and s.after not in laid_out for s in plan.steps)
            ready = connection.wait([w.receive for w in running],
                                    timeout=0.05 if waits_for_pages else None)
            while not announced.empty():
                name = announced.get()
                if name not in laid_out:
                    laid_out[name] = pickle.loads(_pages_file(context, name).read_bytes())
            for worker in [w for w in running if w.receive in ready]:
                running.remove(worker)
                result, seconds = worker.result()
                results[worker.step.edition.name] = result
                laid_out.setdefault(worker.step.edition.name, result.pages)
                listen("done", worker.step.edition, result, seconds)
            start_ready()
    except BaseException:
        for worker in running:  # the steps under way finish (or die with this process)
            worker.abandon()
        raise
    finally:
        announced.close()
        gc.unfreeze()
    return results


class _StepProcess:
    """One step, built in a process forked for it; its result comes back through a pipe."""

    def __init__(self, fork: Any, context: BuildContext, announced: Queue[str], step: Step,
                 follows: PrintedPages | None, announce: bool) -> None:
        self.step = step
        self.receive, send = fork.Pipe(duplex=False)
        self.process = fork.Process(target=_step_child, daemon=True,
                                    args=(send, context, announced, step, follows, announce))
        self.process.start()
        send.close()  # the child's end only: the pipe ends when the child does

    def result(self) -> tuple[BuildResult, float]:
        """The step's result, or its exception raised here (with the child's traceback)."""
        try:
            outcome: _Outcome = self.receive.recv()
        except EOFError:
            self.process.join()
            raise StepDied(
                f"the process building edition '{self.step.edition.name}' ended without a "
                f"result (exit code {self.process.exitcode})") from None
        finally:
            self.receive.close()
        self.process.join()
        if outcome.error is not None:
            raise outcome.error from RemoteTraceback(outcome.traceback)
        assert outcome.result is not None
        return outcome.result

    def abandon(self) -> None:
        """Let the step end, reading (and dropping) what it sends: a child blocked on a
        full pipe would never end, and the build would hang waiting for it."""
        while self.process.is_alive():
            if self.receive.poll(0.05):
                try:
                    self.receive.recv()
                except (EOFError, OSError):
                    break
        self.process.join()
        self.receive.close()


class StepDied(RuntimeError):
    """A step's process ended without sending its result (killed, or crashed)."""


class RemoteTraceback(Exception):
    """The traceback of an exception raised in a step's process, as text."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class _Outcome:
    """What a step's process sends back: its result, or its exception and traceback."""

    result: tuple[BuildResult, float] | None = None
    error: BaseException | None = None
    traceback: str = ""


def _step_child(send: Any, context: BuildContext, announced: Queue[str], step: Step,
                follows: PrintedPages | None, announce: bool) -> None:
    _init_child(context, announced)
    try:
        outcome = _Outcome(result=build_step(step, follows, announce))
    except BaseException as error:  # raised in the parent, as a process pool would
        outcome = _failed(error)
    try:
        send.send(outcome)
    except Exception as error:  # a result or an exception that cannot be pickled
        send.send(_failed(error))
    finally:
        send.close()


def _failed(error: BaseException) -> _Outcome:
    """``error`` to send to the parent, with this process's traceback as text (an
    exception that cannot be pickled is sent as its description)."""
    import traceback

    text = "".join(traceback.format_exception(error))
    try:
        pickle.dumps(error)
    except Exception:
        error = RuntimeError(f"{type(error).__name__}: {error}")
    return _Outcome(error=error, traceback=text)
