"""``bookbuild check``: load and validate a manuscript, report every problem."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from ..errors import Diagnostics
from ..manuscript import find_project, read_manuscript
from ..manuscript.load import Project
from ..manuscript.model import Manuscript


def report(diagnostics: Diagnostics, out: TextIO, *, strict: bool = False) -> None:
    """Print diagnostics as ``path:line:col: level: message`` and a summary line."""
    for diagnostic in diagnostics:
        print(diagnostic.format(strict=strict), file=out)
    errors, warnings = len(diagnostics.errors), len(diagnostics.warnings)
    if strict:
        errors, warnings = errors + warnings, 0
    if errors or warnings:
        print(f"{errors} error(s), {warnings} warning(s)", file=out)


def _templates(project: Project, manuscript: Manuscript, diagnostics: Diagnostics) -> None:
    """Every template the editions' builders render is found (as ``build`` checks first)."""
    from ..builders.plan import missing_templates, plan_build
    from ..render.layoutdirs import layout_dirs

    for edition, name in missing_templates(plan_build(manuscript.editions),
                                           layout_dirs(project.layouts_dir)):
        diagnostics.error(edition.location,
                          f"edition '{edition.name}' (layout '{edition.layout}'): template "
                          f"'{name}' not found",
                          f"put {name} in the project's layouts/ folder, or give the "
                          "edition a layout bookbuild has (booklet, handout, epub, html)")


def check(path: Path | None, *, strict: bool, out: TextIO) -> int:
    """Exit status 1 when the manuscript has errors (or, with ``strict``, warnings)."""
    project = find_project(path)
    diagnostics = Diagnostics()
    manuscript = read_manuscript(project, diagnostics)
    if not diagnostics.errors:
        _templates(project, manuscript, diagnostics)
    report(diagnostics, out, strict=strict)
    if diagnostics.failed(strict=strict):
        return 1
    print(
        f"{project.shown(project.manuscript_dir)}: ok — {len(manuscript.events)} events, "
        f"{len(manuscript.demands)} demands, {len(manuscript.entities)} index entries",
        file=out,
    )
    return 0
