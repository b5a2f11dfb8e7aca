"""The manuscript stage: model, loading, validation."""

from __future__ import annotations

from ..errors import Diagnostics
from .load import Project, SourceMap, find_project, load_manuscript
from .model import Manuscript
from .validate import validate

__all__ = ["Manuscript", "Project", "SourceMap", "find_project", "read_manuscript"]


def read_manuscript(project: Project, diagnostics: Diagnostics) -> Manuscript:
    """Load and validate; every problem found goes to ``diagnostics``."""
    manuscript, source_map = load_manuscript(project, diagnostics)
    validate(manuscript, source_map, diagnostics)
    return manuscript
