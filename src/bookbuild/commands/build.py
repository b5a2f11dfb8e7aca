"""``bookbuild build``: load → validate → enrich → render → write, for every edition.

Read top to bottom: find the project and the editions asked for; skip the
editions whose inputs did not change since the last build; load and validate
the manuscript once; build the rest (in parallel processes where possible)
into a private staging folder; move the finished files into the output
folder; record what was built.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ..builders.base import BuildResult, Output
from ..builders.cache import CACHE_FILE, BuildRecord, edition_keys
from ..builders.outdir import (
    describe_os_error,
    locked,
    publish,
    remove_stale_staging,
    staging_folder,
)
from ..errors import BookbuildError, Diagnostics, Location, ManuscriptError
from ..manuscript import Manuscript, Project, find_project, read_manuscript
from ..manuscript.load import BOOK_FILE
from ..manuscript.model import Edition
from ..render.layoutdirs import layout_dirs
from .check import report
from .progress import Reporter

if TYPE_CHECKING:
    from ..builders.plan import Plan
    from ..builders.schedule import Listener

MANIFEST = "manifest.json"


def build(path: Path | None, *, editions: Sequence[str] = (), out: Path | None = None,
          err: TextIO, force: bool = False, jobs: int = 0,
          verbosity: int = 1, strict: bool = False) -> list[Output]:
    """Build the editions asked for (all by default); returns every output in the folder.

    Render-time warnings are reported like the manuscript's; with ``strict`` they fail
    the build and nothing is published.
    """
    reporter = Reporter(err, verbosity)
    project = find_project(path)
    out_dir = resolve_out(project, out)
    dirs = tuple(layout_dirs(project.layouts_dir))
    date = build_date()
    with locked(out_dir):
        remove_stale_staging(out_dir)
        record = BuildRecord(out_dir)
        declared = declared_editions(project, err)
        requested = select_editions(declared, editions)
        plan = make_plan(declared)
        keys = edition_keys(project, dirs, plan, date.isoformat())
        todo = [e for e in requested
                if force or not record.is_current(e.name, keys[e.name], strict=strict)]
        if not todo:
            reporter.up_to_date(out_dir, [e.name for e in requested])
            return _all_outputs(record, declared)
        manuscript = load_valid(project, err)
        selected = select_editions(manuscript.editions, [e.name for e in todo])
        seeds = {e.name: record.pages(e.name) for e in selected}
        before = record.all_outputs()
        with staging_folder(out_dir) as staging:
            results = build_loaded(project, manuscript, plan.select([e.name for e in selected]),
                                   staging, date=date, jobs=jobs, listen=reporter.edition,
                                   seeds=seeds)
            report_warnings(results, err, strict=strict)
            for edition in selected:
                result = results[edition.name]
                record.update(edition.name, keys[edition.name], list(result.outputs),
                              result.pages.page_map.pages if result.pages else None,
                              warned=bool(result.warnings))
            record.forget_others(e.name for e in manuscript.editions)
            outputs = _all_outputs(record, manuscript.editions)
            _write_manifest(staging, manuscript, outputs, date)
            (staging / CACHE_FILE).write_text(record.text(), encoding="utf-8")
            names = [o.name for r in results.values() for o in r.outputs]
            # an edition removed, an output no longer made (impose: false): its old file
            # goes with the same publish, so the folder holds what the manifest lists
            publish(staging, out_dir, [*names, MANIFEST, CACHE_FILE],
                    retire=record.left_behind(before))
    reporter.summary(out_dir, outputs, [e.name for e in selected],
                     [e.name for e in requested if e not in todo])
    return outputs


def make_plan(editions: Sequence[Edition]) -> Plan:
    """The build's plan of which edition follows which (once per build)."""
    from ..builders.plan import plan_build

    try:
        return plan_build(editions)
    except ValueError as exc:
        raise BookbuildError(str(exc), "an edition may follow the pages of one that "
                             "follows no other") from None


def build_loaded(project: Project, manuscript: Manuscript, plan: Plan, staging: Path, *,
                 date: dt.date, jobs: int, listen: Listener,
                 seeds: Mapping[str, Mapping[str, int]] | None = None,
                 ) -> dict[str, BuildResult]:
    """Build the plan's editions of a loaded, valid manuscript into ``staging``.

    ``build`` and ``serve`` both build through here: the same builders, the same plan.
    ``jobs`` 0: as many processes as there are cores. ``seeds``: per edition, where its
    anchors stood in the last build (the page numbers its first layout prints).
    """
    from jinja2 import TemplateNotFound

    from ..builders.plan import missing_templates
    from ..builders.schedule import BuildContext, run_plan

    dirs = tuple(layout_dirs(project.layouts_dir))
    missing = missing_templates(plan, dirs)
    if missing:  # before anything is built, every one of them
        raise BookbuildError(
            "; ".join(f"edition '{e.name}' (layout '{e.layout}'): template '{name}' not "
                      "found" for e, name in missing),
            f"put {missing[0][1]} in the project's layouts/ folder, or give the edition "
            "a layout bookbuild has (booklet, handout, epub, html)")
    context = BuildContext(project, manuscript, dirs,
                           staging, date, {k: v for k, v in (seeds or {}).items() if v})
    try:
        results = run_plan(context, plan, jobs=jobs or os.cpu_count() or 1, listen=listen)
    except TemplateNotFound as exc:
        raise BookbuildError(f"layout template '{exc.name}' not found",
                             "an edition's layout names a template in layouts/ (or "
                             "bookbuild's own): booklet, handout, epub, html") from None
    except OSError as exc:
        raise describe_os_error(exc, "the outputs") from None
    except BaseException as exc:  # a refused resource is one, so that WeasyPrint stops on it
        refused = _refused_resource()
        if refused is not None and isinstance(exc, refused):
            error: BookbuildError = exc.error()  # type: ignore[attr-defined]
            raise error from None
        raise
    return results


def _refused_resource() -> type[BaseException] | None:
    """The fetcher's refusal, if it was loaded: a build that read nothing through WeasyPrint
    (an EPUB alone) does not import WeasyPrint only to catch it."""
    import sys

    fetch = sys.modules.get("bookbuild.builders.fetch")
    refused: type[BaseException] | None = getattr(fetch, "RefusedResource", None)
    return refused


def report_warnings(results: dict[str, BuildResult], err: TextIO, *, strict: bool) -> None:
    """Print the builders' warnings; with ``strict``, they are errors and the build fails."""
    diagnostics = Diagnostics()
    said: set[tuple[Location, str]] = set()
    for result in results.values():
        for warning in result.warnings:  # a stylesheet two editions use: said once
            if (warning.location, warning.message) not in said:
                said.add((warning.location, warning.message))
                diagnostics.warning(warning.location, warning.message, warning.hint)
    report(diagnostics, err, strict=strict)
    if strict and diagnostics.warnings:
        count = len(diagnostics.warnings)
        raise BookbuildError(f"{count} warning{'s' if count != 1 else ''} while rendering, "
                             "and --strict treats warnings as errors",
                             "fix them, or build without --strict; nothing was written")


def build_date() -> dt.date:
    """The date printed in the book: from SOURCE_DATE_EPOCH when set (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        return epoch_date(epoch)
    return dt.datetime.now(tz=dt.UTC).date()


MAX_EPOCH = 253402300799  # 9999-12-31T23:59:59Z: the last second a date can show


def epoch_date(epoch: str) -> dt.date:
    """The UTC date of SOURCE_DATE_EPOCH: ASCII digits, from 0 to the year 9999."""
    if not (epoch.isascii() and epoch.isdigit()) or len(epoch) > 12 \
            or int(epoch) > MAX_EPOCH:
        from ..manuscript.fields import shown

        raise BookbuildError(f"SOURCE_DATE_EPOCH='{shown(epoch[:40])}' is not a number of "
                             "seconds since 1970 before the year 10000",
                             "set it to the time of the last change, e.g. "
                             "SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)")
    return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()


def declared_editions(project: Project, err: TextIO) -> list[Edition]:
    """The editions book.yaml declares (read cheaply: the cache decides before loading all)."""
    from ..manuscript.load import load_book_file

    diagnostics = Diagnostics()
    editions = load_book_file(project, diagnostics)
    if diagnostics.errors:
        report(diagnostics, err)
        raise ManuscriptError(diagnostics)
    if not editions:
        raise BookbuildError(f"{BOOK_FILE} declares no editions",
                             "add an 'editions:' mapping, see docs/manuscript-format.md")
    return editions


def select_editions(declared: Sequence[Edition], names: Sequence[str]) -> list[Edition]:
    """The editions asked for (all by default), in their declared order."""
    known = {e.name: e for e in declared}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise BookbuildError(f"unknown edition '{unknown[0]}'",
                             f"editions in book.yaml: {', '.join(known) or 'none'}")
    return [e for e in declared if not names or e.name in names]


def resolve_out(project: Project, out: Path | None) -> Path:
    folder = (out or project.root / "dist").resolve()
    for protected in (project.manuscript_dir.resolve(), project.layouts_dir.resolve()):
        if folder == protected or protected in folder.parents:
            raise BookbuildError(f"refusing to write output into {protected}",
                                 "choose an output folder outside manuscript/ and layouts/")
    return folder


def load_valid(project: Project, err: TextIO) -> Manuscript:
    diagnostics = Diagnostics()
    manuscript = read_manuscript(project, diagnostics)
    if diagnostics.errors:
        report(diagnostics, err)
        raise ManuscriptError(diagnostics)
    return manuscript


def _all_outputs(record: BuildRecord, editions: Sequence[Edition]) -> list[Output]:
    return sorted((o for e in editions for o in record.outputs(e.name)), key=lambda o: o.name)


def _write_manifest(staging: Path, manuscript: Manuscript, outputs: list[Output],
                    date: dt.date) -> None:
    manifest = {
        "title": manuscript.meta.title,
        "identifier": manuscript.meta.identifier,
        "build_date": date.isoformat(),
        "outputs": [asdict(o) for o in outputs],
    }
    (staging / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                    encoding="utf-8")
