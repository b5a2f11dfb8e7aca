"""WeasyPrint's warnings while it lays an edition out, as located diagnostics.

WeasyPrint logs what it ignores (an unknown CSS property, a font that failed to load)
with a line and column but no file. While a layout runs, :class:`RenderLog` listens to
its logger and watches which resource its fetcher reads: a stylesheet's warnings follow
its fetch, a font's failure follows the font's. Each becomes a ``path:line:col:
warning: …`` diagnostic of the same kind as the manuscript's.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlparse

from weasyprint.urls import URLFetcherResponse

from ..errors import Diagnostic, Location, Severity, relative
from .fetch import ConfinedFetcher

LOGGER = logging.getLogger("weasyprint")
AT_LINE = re.compile(r"\s+at (\d+):(\d+)(?=[.,:]|$)")
HINT = "fix the layout file, or remove what WeasyPrint cannot use"


class RenderLog(logging.Handler):
    """Collects WeasyPrint's warnings, located in the file being read when they came."""

    def __init__(self, project_root: Path, template: Path) -> None:
        super().__init__(logging.WARNING)
        self.root = project_root
        self.template = template
        self.sheet = template  # the stylesheet being read (an inline one: the template)
        self.resource: Path | None = None  # the last other resource read (a font)
        self.found: list[Diagnostic] = []

    def fetched(self, url: str) -> None:
        if not url.startswith("file:"):
            return
        path = Path(unquote(urlparse(url).path))
        if path.suffix.lower() == ".css":
            self.sheet = path
        else:  # a font or image: the links are read; what follows is the page's own style
            self.resource, self.sheet = path, self.template

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        path = self.sheet
        if "cannot be loaded" in message and self.resource is not None:
            path = self.resource
        line = col = 0
        found = AT_LINE.search(message)
        if found and path.suffix.lower() == ".css":
            line, col = int(found.group(1)), int(found.group(2))
            message = message[: found.start()] + message[found.end():]
        diagnostic = Diagnostic(Location(relative(path, self.root), line, col),
                                Severity.WARNING, message.rstrip("."), HINT)
        if diagnostic not in self.found:
            self.found.append(diagnostic)


class WatchedFetcher(ConfinedFetcher):
    """The confined fetcher, telling a :class:`RenderLog` what it reads."""

    def __init__(self, roots: list[Path], log: RenderLog) -> None:
        super().__init__(roots)
        self.log = log

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        self.log.fetched(url)
        return super().fetch(url, headers)


@contextmanager
def listening(log: RenderLog) -> Iterator[RenderLog]:
    """``log`` hears WeasyPrint's warnings while the block runs (and nothing else does)."""
    propagate = LOGGER.propagate
    LOGGER.addHandler(log)
    LOGGER.propagate = False
    try:
        yield log
    finally:
        LOGGER.removeHandler(log)
        LOGGER.propagate = propagate
