"""Independent accessibility checkers on every output: DAISY Ace, axe-core, pdfua.

The npm tools come from tests/tools/ (package.json and its lock file, installed by
``npm ci`` in .ci/run); Ace and axe-core run in the system's Chromium. A missing tool
fails these tests: it never skips them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import FIXTURE_BOOKS, FIXTURES, TESTS, build_into

pytestmark = pytest.mark.slow

TOOLS = TESTS / "tools"
NODE_MODULES = TOOLS / "node_modules"
ACE = NODE_MODULES / "@daisy" / "ace-cli" / "bin" / "ace.js"  # the Puppeteer runner
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync"]
SERIOUS = ("serious", "critical")
# WCAG 2.2 AA (target size included) and axe's best practices, not only its defaults
AXE_RUN = """() => axe.run(document, {resultTypes: ['violations'], runOnly: {type: 'tag',
  values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})"""


@pytest.fixture(scope="module", autouse=True)
def npm_tools() -> None:
    """The npm checkers, installed from the committed lock file on first use (as .ci/run
    does), so that the README's one test command works on a fresh machine with Node."""
    if ACE.exists() and AXE.exists():
        return
    npm = _need(shutil.which("npm"), "npm")
    env = {**os.environ, "PUPPETEER_SKIP_DOWNLOAD": "1", "ELECTRON_SKIP_BINARY_DOWNLOAD": "1"}
    installed = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                               cwd=TOOLS, env=env, capture_output=True, text=True,
                               check=False)
    assert installed.returncode == 0, installed.stdout + installed.stderr


def _need(path: Path | str | None, what: str) -> str:
    if path is None or not Path(path).exists():
        pytest.fail(f"{what} is missing ({path}): run `npm ci` in tests/tools "
                    "and install Debian's chromium (.ci/run does both)")
    return str(path)


@pytest.fixture(scope="module", params=["1956", "valid", "figures-book", *FIXTURE_BOOKS])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every edition of each book: the bundled one, the minimal fixture, the book with
    raster and SVG figures, the fixture books of tests/fixtures/books (each built once per
    session)."""
    if request.param == "figures-book":
        return build_into(FIXTURES / "figures-book", tmp_path_factory.mktemp("figures-book"))
    if request.param == "1956":
        return Path(request.getfixturevalue("real_build"))
    if request.param == "valid":
        return Path(request.getfixturevalue("fixture_build"))
    return Path(request.getfixturevalue("book_builds")(request.param))


# ---------------------------------------------------------------- EPUB: DAISY Ace


def ace_findings(epub: Path, out: Path) -> list[tuple[str, str, str]]:
    """(impact, rule, where) of every violation Ace reports for ``epub``."""
    node = _need(shutil.which("node"), "node")
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": _need(CHROMIUM, "chromium")}
    report = out / "report.json"
    # Ace that ends with no report at all has not checked the book (its browser did not
    # start in time, seen once on a loaded machine): once more, saying why if it fails
    # again. Its findings are only ever read from a report.
    for mode in ("--silent", "--verbose"):
        result = subprocess.run([node, _need(ACE, "DAISY Ace"), "--force", mode,
                                 "--outdir", str(out), str(epub)],
                                env=env, capture_output=True, text=True, check=False)
        if result.returncode == 0 and report.is_file():
            break
    assert result.returncode == 0 and report.is_file(), result.stdout + result.stderr
    data = json.loads(report.read_text(encoding="utf-8"))
    found = []
    for document in data["assertions"]:
        for check in document["assertions"]:
            test = check["earl:test"]
            found.append((test["earl:impact"], test["dct:title"],
                          document["earl:testSubject"]["url"]))
    return found


def test_ace_finds_nothing_serious_in_the_epub(built: Path, tmp_path: Path) -> None:
    epubs = sorted(built.glob("*.epub"))
    assert epubs
    for epub in epubs:
        findings = ace_findings(epub, tmp_path / epub.stem)
        serious = [f for f in findings if f[0] in SERIOUS]
        assert serious == [], serious


# ---------------------------------------------------------------- web edition: axe-core


def axe_violations(page_url: str, width: int) -> list[tuple[str, str, int, list[str]]]:
    """(impact, rule, count, first targets) of every axe-core violation at ``width`` px."""
    from playwright.sync_api import sync_playwright

    script = Path(_need(AXE, "axe-core")).read_text(encoding="utf-8")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_need(CHROMIUM, "chromium"),
                                             args=BROWSER_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.goto(page_url)
            page.add_script_tag(content=script)
            result = page.evaluate(AXE_RUN)
        finally:
            browser.close()
    return [(v["impact"] or "", v["id"], len(v["nodes"]),
             [str(n["target"]) for n in v["nodes"][:3]]) for v in result["violations"]]


@pytest.mark.parametrize("width", [390, 1280])
def test_axe_finds_nothing_serious_in_the_web_edition(built: Path, width: int) -> None:
    index = built / "html" / "index.html"
    assert index.is_file()
    violations = axe_violations(index.as_uri(), width)
    serious = [v for v in violations if v[0] in SERIOUS]
    assert serious == [], serious


# ---------------------------------------------------------------- PDF: pdfua

def _integer_or_none(value: object) -> int | None:
    """pdfua's ``as_integer`` with its one bug corrected: an array or a dictionary is not
    a number (pdfua 0.1.3 asks ``getattr(value, "is_integer", False)`` of them, and a
    pikepdf Array answers a missing attribute with ValueError, not AttributeError)."""
    import pikepdf
    from pdfua.document import as_integer

    if isinstance(value, pikepdf.Array | pikepdf.Dictionary):
        return None
    return as_integer(value)


def test_pdfuas_empty_heading_crash_is_its_own_bug() -> None:
    """pdfua 0.1.3's UA-14-001 crashes on any heading whose /K is an array (PDF allows it,
    and a heading of several text runs needs it): the crash is in pdfua's number test,
    not in the file. When this fails, pdfua is fixed and the correction below can go."""
    import pikepdf
    from pdfua.document import as_integer

    with pytest.raises(ValueError, match="is_integer"):
        as_integer(pikepdf.Array([1, 2]))
    assert _integer_or_none(pikepdf.Array([1, 2])) is None
    assert _integer_or_none(3) == 3


def test_pdfua_passes_every_pdf(built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every pdfua rule runs (none skipped by a crash) and finds nothing; the empty-heading
    rule with pdfua's number test corrected (see above), its own logic unchanged."""
    import pdfua.rules.structure
    from pdfua import validate

    monkeypatch.setattr(pdfua.rules.structure, "as_integer", _integer_or_none)
    pdfs = sorted(built.glob("*.pdf"))
    assert pdfs
    for pdf in pdfs:
        report = validate(str(pdf))
        findings = [f"{f.rule_id} {f.severity}: {f.message}" for f in report.findings]
        assert findings == [], (pdf.name, findings)
        assert not report.skipped, (pdf.name, [(s.rule_id, s.skipped_reason)
                                               for s in report.skipped])
