"""The only way a rendering reads a resource: files inside the project and the font packages.

WeasyPrint asks its URL fetcher for every stylesheet, image, font and attachment a
page refers to. :class:`ConfinedFetcher` serves ``file:`` URLs below the allowed
folders (the project's ``manuscript/`` and layout folders, the installed font
packages; the rule is :class:`.confine.Confinement`'s) and small ``data:`` URIs, and
refuses everything else with a :class:`RefusedResource` that names the reference and
where it stands (``layouts/css/booklet.css:12:21``). Nothing is ever fetched over a
network. This module imports WeasyPrint: what only reads files uses :mod:`.confine`.
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
from collections.abc import Iterable
from pathlib import Path
from typing import NoReturn
from urllib.parse import unquote

from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from ..errors import Location
from .confine import (
    CONFINEMENT_HINT,
    MAX_DATA_URI,
    Confinement,
    ResourceError,
    read_confined,
    reference_forms,
    refusal,
    shown_url,
)

__all__ = ["MAX_DATA_URI", "ConfinedFetcher", "RefusedResource", "ResourceError",
           "read_confined", "reference_forms", "shown_url"]


class RefusedResource(FatalURLFetchingError):  # type: ignore[misc]
    """A reference to something a build may not read; stops the rendering.

    It is deliberately *not* a :class:`~bookbuild.errors.BookbuildError`: WeasyPrint
    calls the fetcher inside ``except Exception`` and turns any ``Exception`` into a
    logged warning, rendering on without the resource; only a ``BaseException`` such
    as ``FatalURLFetchingError`` stops it. Whoever renders turns it into an ordinary
    error with :meth:`error` (``except RefusedResource as exc: raise exc.error()``).
    It has the same ``message``, ``hint``, ``location`` and ``format()`` as a
    ``BookbuildError``, and it pickles (a build may run in worker processes).
    """

    def __init__(self, url: str, reason: str, location: Location | None = None,
                 hint: str = CONFINEMENT_HINT) -> None:
        self.url = url
        self.reason = reason
        self.location = location
        self.hint = hint
        self.message = refusal(url, reason, location)
        super().__init__(self.message)

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.url, self.reason, self.location, self.hint))

    def __str__(self) -> str:
        return self.format()

    def format(self) -> str:
        return self.error().format()

    def error(self) -> ResourceError:
        """The same problem as a :class:`BookbuildError`, for the command line."""
        return ResourceError(self.message, self.hint, self.location)


class ConfinedFetcher(Confinement, URLFetcher):  # type: ignore[misc]
    """Serve ``file:`` URLs below the allowed folders and small ``data:`` URIs; nothing else."""

    def __init__(self, roots: Iterable[Path], *, project_root: Path | None = None) -> None:
        URLFetcher.__init__(self, allowed_protocols=("file", "data"), allow_redirects=False)
        Confinement.__init__(self, roots, project_root=project_root)

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].strip().lower() if ":" in url else ""
        if scheme == "data":
            return self._data(url)
        if scheme in ("http", "https", "ftp", "ftps", "ws", "wss"):
            self.refuse(url, f"it is on the network ({scheme}:), and a build never reaches "
                             "the network")
        if scheme != "file":
            self.refuse(url, f"'{scheme}:' is not a kind of address a build reads"
                        if scheme else "it is not a file of the project")
        path = self.confined_file(url)
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": mime})

    def _data(self, url: str) -> URLFetcherResponse:
        if len(url) > MAX_DATA_URI:
            self.refuse(url, f"the data: URI is {len(url) // 1024} KiB long; the limit is "
                             f"{MAX_DATA_URI // 1024} KiB",
                        hint="put the data in a file in layouts/ and refer to it by its path")
        header, _, payload = url[5:].partition(",")
        mime = header.split(";")[0].strip() or "text/plain"
        body: bytes | str
        if header.lower().endswith(";base64"):
            try:
                body = base64.b64decode(unquote(payload), validate=False)
            except (binascii.Error, ValueError) as exc:
                raise ValueError(f"malformed base64 data: URI: {exc}") from None
        else:
            body = unquote(payload)
        return URLFetcherResponse(url, body, {"Content-Type": mime})

    def refuse(self, url: str, reason: str, *, hint: str = CONFINEMENT_HINT) -> NoReturn:
        """Stop the rendering: WeasyPrint lets only a ``FatalURLFetchingError`` through."""
        raise RefusedResource(url, reason, self.locate(url), hint)
