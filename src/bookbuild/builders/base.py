"""What every builder gets and gives: one small interface for all output formats."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ..manuscript import Manuscript, Project
from ..manuscript.model import Edition

if TYPE_CHECKING:
    from ..render.sandbox import LayoutSandbox
    from .pagemap import PageMap


@dataclass(frozen=True)
class BuildJob:
    """One edition to build, with everything shared across editions."""

    project: Project
    manuscript: Manuscript
    edition: Edition
    env: LayoutSandbox
    layout_dirs: tuple[Path, ...]
    staging: Path  # write outputs here; the orchestrator moves them into place
    build_date: dt.date
    booklet_pages: PageMap | None = None  # the booklet's layout, for the EPUB page-list

    @property
    def slug(self) -> str:
        return self.manuscript.meta.slug


@dataclass(frozen=True)
class Output:
    """A file written for an edition, as the manifest lists it."""

    name: str  # path relative to the output folder
    edition: str
    format: str
    pages: int
    size: int
    sha256: str

    @classmethod
    def of(cls, path: Path, root: Path, edition: str, fmt: str, pages: int = 0) -> Output:
        data = path.read_bytes() if path.is_file() else b""
        return cls(path.relative_to(root).as_posix(), edition, fmt, pages, len(data),
                   hashlib.sha256(data).hexdigest())


@dataclass(frozen=True)
class BuildResult:
    outputs: tuple[Output, ...]
    page_map: PageMap | None = None
    timings: dict[str, float] = field(default_factory=dict)


class Builder(Protocol):
    """Builds one edition of one format."""

    def build(self, job: BuildJob) -> BuildResult: ...
