"""``bookbuild serve`` survives any error, answers only to this machine's names, stays
quiet about dropped connections and leaves no temporary folder behind, however it ends."""

from __future__ import annotations

import http.client
import io
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bookbuild.commands import serve as serve_module
from bookbuild.commands.serve import Preview, make_server, watch
from bookbuild.errors import BookbuildError
from conftest import SRC


@pytest.fixture
def running(valid_copy: Path, monkeypatch: pytest.MonkeyPatch,
            tmp_path: Path) -> Iterator[tuple[int, Preview, io.StringIO]]:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    log = io.StringIO()
    httpd, preview, folder = make_server(valid_copy, 0, log)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1], preview, log
    finally:
        httpd.shutdown()
        httpd.server_close()
        import shutil

        shutil.rmtree(folder, ignore_errors=True)


def get(port: int, path: str = "/", host: str | None = None) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.putrequest("GET", path, skip_host=True)
    if host is not None:
        connection.putheader("Host", host)
    connection.endheaders()
    response = connection.getresponse()
    body = response.read().decode("utf-8", "replace")
    connection.close()
    return response.status, body


def test_only_this_machines_names_are_answered(running: tuple[int, Preview, io.StringIO]) -> None:
    port, _preview, _log = running
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", "localhost", "LOCALHOST"):
        status, body = get(port, host=host)
        assert status == 200 and "Próbakönyv" in body, host
    for host in ("evil.example", f"evil.example:{port}", f"localhost:{port + 1}",
                 "127.0.0.1.evil.example", None):
        status, body = get(port, host=host)
        assert status == 403 and "Próbakönyv" not in body, host
        status, body = get(port, "/__bookbuild__/version", host=host)
        assert status == 403, host


def test_a_nul_in_the_path_is_a_404_not_a_traceback(
        running: tuple[int, Preview, io.StringIO], capfd: pytest.CaptureFixture[str]) -> None:
    port, _preview, log = running
    assert get(port, "/%00", host="localhost")[0] == 404
    assert get(port, "/css/%00.css", host="localhost")[0] == 404
    captured = capfd.readouterr()
    assert "Traceback" not in captured.err + log.getvalue()


def test_dropped_connections_are_quiet(running: tuple[int, Preview, io.StringIO],
                                       capfd: pytest.CaptureFixture[str]) -> None:
    port, _preview, log = running
    for _ in range(30):
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
            sock.sendall(b"GET /fonts/SourceSerifPro-Regular.ttf HTTP/1.1\r\n"
                         b"Host: localhost\r\n\r\n")
    assert get(port, host="localhost")[0] == 200  # still serving
    captured = capfd.readouterr()
    assert "Traceback" not in captured.err and "BrokenPipe" not in captured.err
    assert "Traceback" not in log.getvalue()


def test_any_error_shows_in_the_page_and_the_fix_recovers(
        running: tuple[int, Preview, io.StringIO], monkeypatch: pytest.MonkeyPatch) -> None:
    port, preview, log = running

    def broken(self: Preview, manuscript: object, version: int) -> None:
        raise RuntimeError("the disk fell out")

    real = Preview._render
    monkeypatch.setattr(Preview, "_render", broken)
    assert preview.rebuild() is False
    _status, body = get(port, host="localhost")
    assert "RuntimeError: the disk fell out" in body and "Traceback" not in log.getvalue()
    monkeypatch.setattr(Preview, "_render", real)
    assert preview.rebuild() is True
    assert "Próbakönyv" in get(port, host="localhost")[1]


def test_the_watcher_keeps_going_after_an_error(running: tuple[int, Preview, io.StringIO],
                                                valid_copy: Path) -> None:
    port, preview, _log = running
    chronology = valid_copy / "manuscript" / "chronology.yaml"
    original = chronology.read_text(encoding="utf-8")
    stop = threading.Event()
    watcher = threading.Thread(target=watch, args=(preview, stop), daemon=True)
    watcher.start()

    def wait_for(text: str) -> str:
        for _ in range(600):  # bounded: at most a minute on a slow machine
            body = get(port, host="localhost")[1]
            if text in body:
                return body
            stop.wait(0.1)
        raise AssertionError(f"the page never showed {text!r}")

    try:
        stop.wait(0.5)  # the watcher is watching
        chronology.write_text(original.replace("date: 1956-02", "date: 0000-01"),
                              encoding="utf-8")
        body = wait_for("impossible month")
        assert "manuscript/chronology.yaml:3:9" in body
        chronology.write_text(original.replace("akarta hallani", "akarta látni"),
                              encoding="utf-8")
        wait_for("akarta látni")
        assert watcher.is_alive()
    finally:
        stop.set()
        watcher.join(timeout=30)


def test_a_missing_layout_is_shown_in_the_page(valid_copy: Path) -> None:
    book = valid_copy / "manuscript" / "book.yaml"
    book.write_text(book.read_text(encoding="utf-8").replace(
        "html: {format: html, layout: html}", "html: {format: html, layout: nincs}"),
        encoding="utf-8")
    httpd, _preview, folder = make_server(valid_copy, 0, io.StringIO())
    try:
        page = (folder / "site" / "index.html").read_text(encoding="utf-8")
        assert "template &#x27;nincs.html.j2&#x27; not found" in page
        assert "cannot listen" not in page
    finally:
        httpd.server_close()
        import shutil

        shutil.rmtree(folder, ignore_errors=True)


def test_a_refused_start_leaves_no_folder(valid_copy: Path, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(BookbuildError, match=f"cannot listen on 127.0.0.1:{port}"):
            serve_module.serve(valid_copy, port=port, err=io.StringIO())
    assert not list(tmp_path.glob("bookbuild-serve-*"))


def test_sigterm_cleans_the_temporary_folder(valid_copy: Path, tmp_path: Path) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    process = subprocess.Popen([sys.executable, "-m", "bookbuild.cli", "serve", "-p", "0",
                                str(valid_copy)], stderr=subprocess.PIPE,
                               env={**os.environ, "PYTHONPATH": str(SRC), "TMPDIR": str(temp)})
    assert process.stderr is not None
    try:
        for line in process.stderr:
            if b"serving the web edition" in line:
                break
        assert list(temp.glob("bookbuild-serve-*"))  # the site is there while it serves
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
    assert not list(temp.glob("bookbuild-serve-*"))
    assert b"Traceback" not in process.stderr.read()
