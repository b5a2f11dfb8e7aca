"""The only way a rendering reads a resource: files inside the project and the font packages."""

from __future__ import annotations

import base64
import mimetypes
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlparse

from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

MAX_DATA_URI = 256 * 1024


class RefusedResource(FatalURLFetchingError):  # type: ignore[misc]
    """A reference to something a build may not read; stops the rendering."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"refused resource '{url[:80]}': {reason}")
        self.url = url
        self.reason = reason


class ConfinedFetcher(URLFetcher):  # type: ignore[misc]
    """Serve ``file:`` URLs below the allowed folders and small ``data:`` URIs; nothing else.

    Paths are resolved (``..`` and symbolic links followed) before the check, so a
    link that climbs out of the project is refused like a plain path would be.
    Nothing is ever fetched over a network.
    """

    def __init__(self, roots: Iterable[Path]) -> None:
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
        self.roots = tuple(Path(r).resolve() for r in roots)

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            return self._data(url)
        if scheme != "file":
            raise RefusedResource(url, "a build reads no network resources")
        path = Path(unquote(urlparse(url).path)).resolve()
        if not any(path == root or root in path.parents for root in self.roots):
            raise RefusedResource(url, "outside the project's manuscript, layouts and fonts")
        if not path.is_file():
            raise RefusedResource(url, "no such file")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": mime})

    def _data(self, url: str) -> URLFetcherResponse:
        if len(url) > MAX_DATA_URI:
            raise RefusedResource(url, f"data: URI larger than {MAX_DATA_URI // 1024} KiB")
        header, _, payload = url[5:].partition(",")
        mime = header.split(";")[0] or "text/plain"
        body = base64.b64decode(payload) if header.endswith(";base64") else unquote(payload)
        return URLFetcherResponse(url, body, {"Content-Type": mime})
