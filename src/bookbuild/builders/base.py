"""What every builder gets and gives: one small interface for all output formats."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Protocol, runtime_checkable

from ..errors import Diagnostic
from ..manuscript import Manuscript, Project
from ..manuscript.model import Edition

if TYPE_CHECKING:
    from ..render.sandbox import LayoutSandbox
    from .pagemap import PageMap, PrintedPages


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
    follows: PrintedPages | None = None  # the laid-out edition this one needs (the plan's)
    # called by a page source as soon as its pages are known, before it writes its files:
    # the editions that follow them start then
    announce: Callable[[PrintedPages], None] | None = None
    # where the edition's anchors stood in its last build (the build record), if known:
    # a page source prints those numbers first and lays out again only if they moved
    seed: PageMap | None = None

    @property
    def slug(self) -> str:
        return self.manuscript.meta.slug

    @property
    def booklet_pages(self) -> PageMap | None:
        """The page map of the edition this one follows (the EPUB's page-list), if any."""
        return self.follows.page_map if self.follows else None


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
    pages: PrintedPages | None = None  # its layout, for the editions that follow it
    timings: dict[str, float] = field(default_factory=dict)
    warnings: tuple[Diagnostic, ...] = ()  # render-time problems (WeasyPrint's), located


@dataclass(frozen=True)
class PagesOf:
    """A need: the laid-out pages of the book's first edition of ``format`` (only an
    imposed one when ``imposed``), if it has one; without it the edition builds anyway."""

    format: str
    imposed: bool = False

    def find(self, editions: Sequence[Edition]) -> Edition | None:
        return next((e for e in editions
                     if e.format == self.format and (e.impose or not self.imposed)), None)


class Builder(Protocol):
    """Builds the editions of one output format; registered in :mod:`.registry`.

    ``templates`` are the templates it renders, as patterns over ``{layout}``;
    ``outputs`` says what an edition writes (file names, folders ending in ``/``).
    """

    format: ClassVar[str]
    needs: ClassVar[tuple[PagesOf, ...]]
    templates: ClassVar[tuple[str, ...]]

    @classmethod
    def outputs(cls, edition: Edition, slug: str) -> tuple[str, ...]: ...

    def build(self, job: BuildJob) -> BuildResult: ...


@runtime_checkable
class PageSource(Protocol):
    """A builder whose layout other editions may follow: it can lay out without writing."""

    def lay_out(self, job: BuildJob) -> PrintedPages: ...
