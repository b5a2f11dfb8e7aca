"""Which files a build may read: inside the project's manuscript and layouts and the font
packages, found and refused without WeasyPrint (the EPUB and web builders copy layout files).

:class:`Confinement` resolves a ``file:`` URL (``..`` and symbolic links followed) and
refuses what lies outside with a :class:`ResourceError` naming where the reference
stands (``layouts/css/booklet.css:12:21``); :mod:`.fetch` serves WeasyPrint with it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NoReturn
from urllib.parse import unquote, urlparse

from ..errors import BookbuildError, Location

MAX_DATA_URI = 256 * 1024  # characters of a data: URI
MAX_FILE_BYTES = 32 * 1024 * 1024  # a font is a few hundred KiB, an image a few MiB
SEARCHED_SUFFIXES = frozenset({".css", ".j2", ".html", ".htm", ".xhtml", ".svg", ".yaml",
                               ".yml", ".md", ".txt"})
MAX_SEARCHED_FILES = 2000
MAX_SEARCHED_BYTES = 2 * 1024 * 1024
CONFINEMENT_HINT = ("a build reads only files inside the project's manuscript/ and layouts/ "
                    "folders and the installed font packages: copy what you need into "
                    "layouts/ and refer to it with a relative path")


class ResourceError(BookbuildError):
    """A refused resource, as the command line reports it (``path:line:col: error: …``)."""


def refusal(url: str, reason: str, location: Location | None) -> str:
    """The message of a refused reference."""
    where = "" if location else " (the reference was not found in the layout files)"
    return f"a build may not read '{shown_url(url)}': {reason}{where}"


def read_confined(path: Path, roots: Iterable[Path]) -> bytes:
    """The bytes of ``path`` if it is a file inside ``roots`` (links followed), else a
    :class:`ResourceError`: for builders that copy layout files into an output."""
    return Confinement(roots).confined_file(Path(os.path.abspath(path)).as_uri()).read_bytes()


def shown_url(url: str, limit: int = 80) -> str:
    """``url`` short enough for a message (a data: URI can be megabytes long)."""
    return url if len(url) <= limit else url[: limit - 1] + "…"


class Confinement:
    """The folders a build may read, and why a path outside them is refused.

    Paths are resolved (``..`` and symbolic links followed) before the check, so a
    link that climbs out of the project is refused like a plain path would be.
    ``project_root`` is what locations are shown relative to; by default the
    folder holding the root with ``book.yaml`` (the manuscript folder).
    """

    def __init__(self, roots: Iterable[Path], *, project_root: Path | None = None) -> None:
        self.given = tuple(Path(r) for r in roots)
        self.roots = tuple(r.resolve() for r in self.given)
        if project_root is None:
            project_root = next((r.parent for r in self.roots if (r / "book.yaml").is_file()),
                                None)
        self.project_root = project_root.resolve() if project_root else None

    def confined_file(self, url: str) -> Path:
        """The file a ``file:`` URL names, if a build may read it; refused otherwise."""
        parsed = urlparse(url)
        if parsed.netloc not in ("", "localhost"):
            self.refuse(url, f"it names another machine ('{parsed.netloc}'); a build reads "
                             "only files of this project")
        raw = unquote(parsed.path)
        if "\0" in raw:
            self.refuse(url, "the path contains a NUL character")
        literal = Path(os.path.normpath(raw))
        path = literal.resolve()
        if not self.allowed(path):
            if self.allowed(literal):
                reason = (f"it is a symbolic link that leads out of the project, to {path}")
            elif ".." in Path(raw).parts:
                reason = f"the path climbs out of the project with '..', to {path}"
            else:
                reason = "the file is outside the project's manuscript and layouts folders " \
                         "and the font packages"
            self.refuse(url, reason)
        if not path.is_file():
            self.refuse(url, "there is no such file" if not path.exists()
                        else "it is not a regular file",
                        hint="check the file name, or add the file to layouts/")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            self.refuse(url, f"the file is {size // (1024 * 1024)} MiB; the limit is "
                             f"{MAX_FILE_BYTES // (1024 * 1024)} MiB",
                        hint="use a smaller file")
        return path

    def allowed(self, path: Path) -> bool:
        return any(path == root or root in path.parents for root in self.roots)

    # ------------------------------------------------------------ refusing

    def refuse(self, url: str, reason: str, *, hint: str = CONFINEMENT_HINT) -> NoReturn:
        location = self.locate(url)
        raise ResourceError(refusal(url, reason, location), hint, location)

    def locate(self, url: str) -> Location | None:
        """Where the reference to ``url`` stands in the layout or manuscript files, if found."""
        needles = reference_forms(url)
        if not needles:
            return None
        bounded = not url.lower().startswith("data:")
        files = list(self._searched_files())
        for needle in needles:  # the most specific form first, in every file
            for path in files:
                found = _find_in(path, needle, bounded=bounded)
                if found is not None:
                    line, col = found
                    return Location(self._shown(path), line, col)
        return None

    def _searched_files(self) -> Iterator[Path]:
        seen: set[Path] = set()
        count = 0
        for root in self.given:
            if not root.is_dir():
                continue
            for path in sorted(root.rglob("*")):
                if count >= MAX_SEARCHED_FILES:
                    return
                if path.suffix.lower() not in SEARCHED_SUFFIXES or path in seen:
                    continue
                if not path.is_file() or path.stat().st_size > MAX_SEARCHED_BYTES:
                    continue
                seen.add(path)
                count += 1
                yield path

    def _shown(self, path: Path) -> str:
        if self.project_root is not None:
            try:
                return path.resolve().relative_to(self.project_root).as_posix()
            except ValueError:
                pass
        try:
            return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
        except ValueError:
            return str(path)



def reference_forms(url: str) -> list[str]:
    """The ways ``url`` may be written where it is referred to, most specific first.

    WeasyPrint hands the fetcher absolute URLs: a relative ``url(../img/x.png)``
    arrives resolved against its stylesheet, so the tail of the path is what the
    file has; a data: URI is searched for by its beginning.
    """
    if url.lower().startswith("data:"):
        head = url[:48]
        return [head, unquote(head)]
    forms: list[str] = []

    def add(form: str) -> None:
        if form and form not in forms:
            forms.append(form)

    add(url)
    add(unquote(url))
    scheme, _, rest = url.partition(":")
    if rest.startswith("//"):
        add(rest)  # a protocol-relative reference: //host/path
    parsed = urlparse(url)
    if parsed.netloc and scheme.lower() == "file":
        add(f"//{parsed.netloc}{unquote(parsed.path)}")
    parts = [p for p in unquote(parsed.path).split("/") if p]
    for k in range(len(parts), 0, -1):
        add("/".join(parts[-k:]))
    return forms


def _find_in(path: Path, needle: str, *, bounded: bool = True) -> tuple[int, int] | None:
    """Line and column of ``needle`` in ``path``; ``bounded``: as a whole reference only."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    if needle not in text:
        return None
    if bounded:
        match = re.search(r"(?<![\w.%-])" + re.escape(needle) + r"(?![\w.%-])", text)
        if match is None:
            return None
        index = match.start()
    else:
        index = text.index(needle)
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, col
