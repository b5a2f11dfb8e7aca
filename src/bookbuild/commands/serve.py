"""``bookbuild serve``: the web edition on 127.0.0.1, rebuilt and reloaded on every save.

The server renders the HTML edition into a private folder and serves it. A
watcher rebuilds it when a manuscript or layout file changes; the page asks the
server every half second whether a newer build exists and reloads itself. A
manuscript error does not stop the server: the page shows the diagnostics (and
the terminal prints them) until the manuscript is fixed.
"""

from __future__ import annotations

import html
import io
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import BinaryIO, TextIO

from ..errors import BookbuildError, Diagnostics
from ..manuscript import Manuscript, Project, find_project, read_manuscript

VERSION_PATH = "/__bookbuild__/version"
RELOAD_SCRIPT = """<script>
(function () {
  var built = "%s";
  function poll() {
    fetch("__VERSION_PATH__", {cache: "no-store"}).then(function (r) { return r.text(); })
      .then(function (v) { if (v !== built) { location.reload(); } })
      .catch(function () {}).finally(function () { setTimeout(poll, 500); });
  }
  poll();
})();
</script>""".replace("__VERSION_PATH__", VERSION_PATH)


def reload_script(version: int) -> str:
    """The preview's own script (never part of a built edition): reload when rebuilt."""
    return RELOAD_SCRIPT % version


class Preview:
    """Builds the web edition into ``folder`` and counts the builds."""

    def __init__(self, project: Project, folder: Path, err: TextIO) -> None:
        self.project = project
        self.folder = folder
        self.err = err
        self.version = 0
        self.lock = threading.Lock()

    def rebuild(self) -> bool:
        """Render the HTML edition (or an error page); True when the book built."""
        started = time.perf_counter()
        diagnostics = Diagnostics()
        ok = False
        version = self.version + 1
        try:
            manuscript = read_manuscript(self.project, diagnostics)
            if diagnostics.errors:
                self._error_page([d.format() for d in diagnostics], version)
            else:
                self._render(manuscript, version)
                ok = True
        except BookbuildError as exc:
            self._error_page([exc.format()], version)
        except Exception as exc:  # the preview outlives any failure
            self._error_page([f"error: the build failed: {type(exc).__name__}: {exc}"],
                             version)
            print(f"error: the build failed: {type(exc).__name__}: {exc}", file=self.err)
        with self.lock:
            self.version = version
        state = "ok" if ok else f"{len(diagnostics.errors) or 1} error(s)"
        print(f"rebuilt in {time.perf_counter() - started:.1f} s: {state}", file=self.err)
        for diagnostic in diagnostics:
            print(diagnostic.format(), file=self.err)
        return ok

    def _render(self, manuscript: Manuscript, version: int) -> None:
        from .build import build_date, build_loaded, make_plan

        edition = next((e for e in manuscript.editions if e.format == "html"), None)
        if edition is None:
            raise BookbuildError("book.yaml declares no html edition to preview",
                                 "add 'html: {format: html, layout: html}' under editions")
        staging = Path(tempfile.mkdtemp(prefix=".preview-", dir=self.folder))
        try:  # the same builders and build date as ``bookbuild build``
            build_loaded(self.project, manuscript,
                         make_plan(manuscript.editions).select([edition.name]), staging,
                         date=build_date(), jobs=1, listen=lambda *_: None)
            page = staging / "html" / "index.html"
            page.write_text(page.read_text(encoding="utf-8").replace(
                "</body>", reload_script(version) + "</body>"), encoding="utf-8")
            target = self.folder / "site"
            old = self.folder / f"old-{self.version}"
            if target.exists():
                target.rename(old)
            (staging / "html").rename(target)
            shutil.rmtree(old, ignore_errors=True)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def _error_page(self, messages: list[str], version: int) -> None:
        site = self.folder / "site"
        try:
            site.mkdir(exist_ok=True)
        except OSError:  # the folder went away (the server is stopping)
            return
        body = "\n".join(f"<pre>{html.escape(m)}</pre>" for m in messages)
        page = site / ".index.html.tmp"
        page.write_text(
            "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'/>"
            "<title>bookbuild: the manuscript has errors</title></head><body>"
            "<h1>The manuscript has errors</h1>"
            f"{body}<p>Fix the manuscript and save: this page reloads.</p>"
            f"{reload_script(version)}</body></html>", encoding="utf-8")
        os.replace(page, site / "index.html")  # whole: a request may be reading the old one


class _Handler(SimpleHTTPRequestHandler):
    preview: Preview

    def host_allowed(self) -> bool:
        """Only a page of this machine asking by name (no DNS rebinding): the Host header
        is 127.0.0.1 or localhost, with this server's port or none."""
        port = self.server.server_address[1]  # type: ignore[index]
        host = (self.headers.get("Host") or "").strip().lower()
        return host in {"127.0.0.1", "localhost", f"127.0.0.1:{port}", f"localhost:{port}"}

    def send_head(self) -> io.BytesIO | BinaryIO | None:
        if not self.host_allowed():
            self.send_error(HTTPStatus.FORBIDDEN, "the preview answers to 127.0.0.1 and "
                            "localhost only")
            return None
        try:
            return super().send_head()
        except ValueError:  # a NUL byte in the path (/%00)
            self.send_error(HTTPStatus.NOT_FOUND)
            return None

    def do_GET(self) -> None:
        if self.path == VERSION_PATH and self.host_allowed():
            data = str(self.preview.version).encode()
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        super().do_GET()

    def end_headers(self) -> None:
        # a rebuild may land in the same second as the last one: never answer from a cache
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def watch(preview: Preview, stop: threading.Event) -> None:
    """Rebuild whenever a manuscript or layout file changes, until ``stop`` is set."""
    from watchfiles import watch as watch_files

    paths = [p for p in (preview.project.manuscript_dir, preview.project.layouts_dir)
             if p.is_dir()]
    for _changes in watch_files(*paths, stop_event=stop, debounce=200, step=50):
        try:
            preview.rebuild()
        except Exception as exc:  # rebuild reports its own; keep watching
            print(f"error: the preview could not rebuild: {exc}", file=preview.err)


class _Server(ThreadingHTTPServer):
    """The preview's HTTP server: a dropped connection is nobody's business."""

    daemon_threads = True
    err: TextIO = sys.stderr

    def handle_error(self, request: object, client_address: object) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError):
            return
        print(f"preview: a request failed: {type(exc).__name__}: {exc}", file=self.err)


def make_server(path: Path | None, port: int, err: TextIO) -> tuple[ThreadingHTTPServer,
                                                                    Preview, Path]:
    """Listen on 127.0.0.1:``port`` and build the first preview; a refused start leaves
    no temporary folder behind."""
    project = find_project(path)
    folder = Path(tempfile.mkdtemp(prefix="bookbuild-serve-"))
    try:
        (folder / "site").mkdir()
        preview = Preview(project, folder, err)
        handler = type("Handler", (_Handler,), {"preview": preview})
        try:
            server = _Server(("127.0.0.1", port),
                             partial(handler, directory=str(folder / "site")))
        except OSError as exc:
            raise BookbuildError(f"cannot listen on 127.0.0.1:{port}: "
                                 f"{exc.strerror or exc}",
                                 "choose another port with --port") from None
        server.err = err
        preview.rebuild()
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return server, preview, folder


def serve(path: Path | None, *, port: int, err: TextIO) -> int:
    previous = signal.getsignal(signal.SIGTERM)

    def terminate(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)  # SIGTERM cleans up as Ctrl-C does
    try:
        server, preview, folder = make_server(path, port, err)
    except KeyboardInterrupt:
        signal.signal(signal.SIGTERM, previous)
        return 0
    except BaseException:
        signal.signal(signal.SIGTERM, previous)
        raise
    stop = threading.Event()
    watcher = threading.Thread(target=watch, args=(preview, stop), daemon=True)
    try:
        watcher.start()
        print(f"serving the web edition on http://127.0.0.1:{server.server_address[1]}/ "
              "(Ctrl-C stops)", file=err, flush=True)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()
        shutil.rmtree(folder, ignore_errors=True)
        signal.signal(signal.SIGTERM, previous)
    return 0
