"""``bookbuild export``: the book as text, JSON or Pandoc Markdown on standard output."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from ..errors import Diagnostics, ManuscriptError
from ..manuscript import find_project, read_manuscript
from ..render.exports import export_json, export_markdown, export_text
from .check import report

FORMATS = {"text": export_text, "json": export_json, "markdown": export_markdown}


def export(path: Path | None, *, fmt: str, out: TextIO, err: TextIO) -> int:
    project = find_project(path)
    diagnostics = Diagnostics()
    manuscript = read_manuscript(project, diagnostics)
    if diagnostics.errors:
        report(diagnostics, err)
        raise ManuscriptError(diagnostics)
    out.write(FORMATS[fmt](manuscript))
    return 0
