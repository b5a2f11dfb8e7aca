"""bookbuild serve, driven in a real headless Chromium: renders, reloads on save, shows errors."""

from __future__ import annotations

import io
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bookbuild.commands.serve import make_server, watch

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"),
                       reason="Debian's chromium is installed by .ci/run (in CI this fails)"),
]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def server(valid_copy: Path) -> Iterator[tuple[str, Path, io.StringIO]]:
    log = io.StringIO()
    httpd, preview, folder = make_server(valid_copy, 0, log)
    stop = threading.Event()
    threads = [threading.Thread(target=httpd.serve_forever, daemon=True),
               threading.Thread(target=watch, args=(preview, stop), daemon=True)]
    for thread in threads:
        thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/", valid_copy, log
    finally:
        stop.set()
        httpd.shutdown()
        httpd.server_close()
        shutil.rmtree(folder, ignore_errors=True)


def test_preview_renders_reloads_and_survives_errors(
        server: tuple[str, Path, io.StringIO]) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, project, log = server
    chronology = project / "manuscript" / "chronology.yaml"
    original = chronology.read_text(encoding="utf-8")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page()
            page.goto(url)
            expect(page.locator("h1.book-title")).to_have_text("Próbakönyv")
            expect(page.locator("#tuntetes")).to_contain_text("akarta hallani")
            # the index links to the mention, and the mention back to its index entry
            entry = page.locator("dt#idx-nagy-imre + dd .locators a").first
            target = entry.get_attribute("href")
            assert target and target.startswith("#")
            entry.click()
            assert page.url.endswith(target)
            mention = page.locator(target)
            assert mention.get_attribute("href") == "#idx-nagy-imre"
            # an edit is rebuilt and the page reloads by itself
            chronology.write_text(original.replace("akarta hallani", "akarta látni"),
                                  encoding="utf-8")
            expect(page.locator("#tuntetes")).to_contain_text("akarta látni", timeout=15000)
            # a manuscript error shows in the page (and the terminal); the server lives on
            chronology.write_text(original.replace("(@nagy-imre) akarta", "(@nagy-imer) akarta"),
                                  encoding="utf-8")
            expect(page.locator("body")).to_contain_text("unknown entity 'nagy-imer'",
                                                         timeout=15000)
            assert "unknown entity 'nagy-imer'" in log.getvalue()
            # fixed again: the book comes back
            chronology.write_text(original, encoding="utf-8")
            try:
                expect(page.locator("#tuntetes")).to_contain_text("akarta hallani",
                                                                  timeout=15000)
            except AssertionError:
                raise AssertionError(log.getvalue()) from None
        finally:
            browser.close()
