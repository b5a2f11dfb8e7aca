"""The manuscript stage: model, loading, validation."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from ..errors import Diagnostics
from .load import Project, SourceMap, find_project, load_manuscript
from .model import Manuscript
from .validate import validate

__all__ = ["Manuscript", "Project", "SourceMap", "find_project", "read_manuscript"]


def read_manuscript(project: Project, diagnostics: Diagnostics) -> Manuscript:
    """Load and validate; every problem found goes to ``diagnostics``."""
    with _collector_paused():
        manuscript, source_map = load_manuscript(project, diagnostics)
        validate(manuscript, source_map, diagnostics)
    return manuscript


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Within: no cyclic garbage collection. Loading makes up to a million small objects
    that form no cycles (a 5 MiB text of mentions), and the collector would walk them
    again and again as they accumulate: a third of the time of such a text. What is
    garbage is freed by reference counting meanwhile; the collector runs again after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
