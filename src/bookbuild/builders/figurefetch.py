"""The fetcher that hands a print edition's figure images to WeasyPrint."""

from __future__ import annotations

from weasyprint.urls import URLFetcher, URLFetcherResponse

from ..errors import BookbuildError
from .base import BuildJob
from .fetch import RefusedResource
from .figures import SCHEME, print_image


class FigureFetcher(URLFetcher):  # type: ignore[misc]
    """Serves a print edition's figure images; hands every other URL to the confined one."""

    def __init__(self, job: BuildJob, inner: URLFetcher) -> None:
        super().__init__(allowed_protocols=("file", "data", SCHEME), allow_redirects=False)
        self.job = job
        self.inner = inner

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        if url.startswith(f"{SCHEME}:"):
            figure = self.job.manuscript.figure(url[len(SCHEME) + 1:].rsplit(".", 1)[0])
            if figure is not None:
                try:
                    image = print_image(self.job, figure)
                except BookbuildError as exc:  # WeasyPrint would only log an Exception
                    raise RefusedResource(url, exc.message, exc.location, exc.hint) from None
                return URLFetcherResponse(url, image.data, {"Content-Type": image.media_type})
        return self.inner.fetch(url, headers)
