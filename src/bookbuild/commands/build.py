"""``bookbuild build``: load → validate → enrich → render → write, for every edition."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import TextIO

from ..builders.base import Builder, BuildJob, BuildResult, Output
from ..builders.pdf import PdfBuilder
from ..errors import BookbuildError, Diagnostics, ManuscriptError
from ..manuscript import Manuscript, Project, find_project, read_manuscript
from ..manuscript.model import Edition, OutputFormat
from ..render.html import layout_dirs, make_environment
from .check import report


def builder_for(fmt: OutputFormat) -> Builder:
    """The builder of one output format (imported only when an edition needs it)."""
    if fmt is OutputFormat.EPUB:
        from ..builders.epub import EpubBuilder

        epub: Builder = EpubBuilder()
        return epub
    if fmt is OutputFormat.HTML:
        from ..builders.web import WebBuilder

        web: Builder = WebBuilder()
        return web
    return PdfBuilder()


def build_date() -> dt.date:
    """The date printed in the book: from SOURCE_DATE_EPOCH when set (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        if not epoch.isdigit():
            raise BookbuildError(f"SOURCE_DATE_EPOCH='{epoch}' is not a number of seconds")
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.datetime.now(tz=dt.UTC).date()


def select_editions(manuscript: Manuscript, names: Sequence[str]) -> list[Edition]:
    """The editions asked for (all by default), PDF first: the EPUB needs the booklet's pages."""
    known = {e.name: e for e in manuscript.editions}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise BookbuildError(f"unknown edition '{unknown[0]}'",
                             f"editions in book.yaml: {', '.join(known) or 'none'}")
    chosen = [known[n] for n in names] if names else list(known.values())
    return sorted(chosen, key=lambda e: e.format is not OutputFormat.PDF)


def resolve_out(project: Project, out: Path | None) -> Path:
    folder = (out or project.root / "dist").resolve()
    for protected in (project.manuscript_dir.resolve(), project.layouts_dir.resolve()):
        if folder == protected or protected in folder.parents:
            raise BookbuildError(f"refusing to write output into {protected}",
                                 "choose an output folder outside manuscript/ and layouts/")
    return folder


def build(path: Path | None, *, editions: Sequence[str] = (), out: Path | None = None,
          err: TextIO) -> list[Output]:
    project = find_project(path)
    diagnostics = Diagnostics()
    manuscript = read_manuscript(project, diagnostics)
    if diagnostics.errors:
        report(diagnostics, err)
        raise ManuscriptError(diagnostics)
    selected = select_editions(manuscript, editions)
    out_dir = resolve_out(project, out)
    out_dir.mkdir(parents=True, exist_ok=True)
    dirs = tuple(layout_dirs(project.layouts_dir))
    env = make_environment(list(dirs))
    date = build_date()
    staging = Path(tempfile.mkdtemp(prefix=".bookbuild-", dir=out_dir))
    try:
        results = _build_all(project, manuscript, selected, env, dirs, staging, date, err)
        outputs = [o for r in results for o in r.outputs]
        _write_manifest(staging, manuscript, outputs, date)
        _publish(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return outputs


def _build_all(project: Project, manuscript: Manuscript, selected: list[Edition],
               env: object, dirs: tuple[Path, ...], staging: Path, date: dt.date,
               err: TextIO) -> list[BuildResult]:
    results: list[BuildResult] = []
    booklet_pages = None
    for edition in selected:
        job = BuildJob(project, manuscript, edition, env, dirs, staging,  # type: ignore[arg-type]
                       date, booklet_pages)
        started = time.perf_counter()
        result = builder_for(edition.format).build(job)
        if edition.format is OutputFormat.PDF and edition.impose and booklet_pages is None:
            booklet_pages = result.page_map
        for output in result.outputs:
            print(f"  {output.name}: {output.pages or '-'} pages, {output.size // 1024} KiB "
                  f"({time.perf_counter() - started:.1f} s)", file=err)
        results.append(result)
    return results


def _write_manifest(staging: Path, manuscript: Manuscript, outputs: list[Output],
                    date: dt.date) -> None:
    manifest = {
        "title": manuscript.meta.title,
        "identifier": manuscript.meta.identifier,
        "build_date": date.isoformat(),
        "outputs": [asdict(replace(o)) for o in sorted(outputs, key=lambda o: o.name)],
    }
    (staging / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _publish(staging: Path, out_dir: Path) -> None:
    """Move every staged file into place with a rename: readers never see half a file."""
    for path in sorted(staging.rglob("*")):
        if path.is_dir():
            continue
        target = out_dir / path.relative_to(staging)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
