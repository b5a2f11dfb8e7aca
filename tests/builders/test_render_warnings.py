"""Render-time problems reach the user: WeasyPrint's warnings located in the layout files."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from conftest import REPO, VALID


def project_with_css(tmp_path: Path, extra: str) -> Path:
    """The valid fixture with its own handout.css: bookbuild's, then ``extra``."""
    project = tmp_path / "book"
    shutil.copytree(VALID, project)
    css = project / "layouts" / "css"
    css.mkdir(parents=True)
    own = (REPO / "layouts" / "css" / "handout.css").read_text(encoding="utf-8")
    (css / "handout.css").write_text(own + extra, encoding="utf-8")
    return project


def line_of(project: Path, text: str) -> int:
    lines = (project / "layouts" / "css" / "handout.css").read_text("utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if text in line)


@pytest.mark.slow
def test_a_css_warning_is_reported_with_its_file(tmp_path: Path,
                                                 cli: Callable[..., Result]) -> None:
    project = project_with_css(tmp_path, "\n.lead {\n  colr: red;\n}\n")
    (project / "layouts" / "css" / "broken.ttf").write_bytes(b"not a font")
    with (project / "layouts" / "css" / "handout.css").open("a", encoding="utf-8") as css:
        css.write('@font-face { font-family: "Broken"; src: url(broken.ttf); }\n'
                  '.lead { font-family: "Broken"; }\n')
    line = line_of(project, "colr: red")
    result = cli("build", "-e", "handout", "-o", tmp_path / "out", project)
    assert result.exit_code == 0, result.output
    assert (f"layouts/css/handout.css:{line}:3: warning: Ignored `colr: red`, unknown "
            "property") in result.output
    assert "layouts/css/broken.ttf: warning: Font-face 'Broken' cannot be loaded" \
        in result.output
    assert "0 error(s), 2 warning(s)" in result.output
    assert (tmp_path / "out" / "probakonyv-handout.pdf").is_file()

    # --strict: the same warnings are errors, and nothing is written
    strict = cli("build", "--strict", "-e", "handout", "-o", tmp_path / "strict", project)
    assert strict.exit_code == 1
    assert f"layouts/css/handout.css:{line}:3: error: Ignored `colr: red`" in strict.output
    assert "--strict treats warnings as errors" in strict.output
    assert not (tmp_path / "strict" / "probakonyv-handout.pdf").exists()

    # --strict after a build that warned: the edition is up to date, and still the
    # warnings fail the build (a CI step with --strict after a plain build)
    again = cli("build", "--strict", "-e", "handout", "-o", tmp_path / "out", project)
    assert again.exit_code == 1, again.output
    assert f"layouts/css/handout.css:{line}:3: error: Ignored `colr: red`" in again.output
    assert (tmp_path / "out" / "probakonyv-handout.pdf").is_file()  # the last build's, kept


@pytest.mark.slow
def test_a_clean_layout_warns_of_nothing(tmp_path: Path, cli: Callable[..., Result]) -> None:
    result = cli("build", "--strict", "-e", "handout", "-o", tmp_path / "out", VALID)
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output


@pytest.mark.slow
def test_a_warning_of_a_stylesheet_two_editions_use_is_said_once(
        tmp_path: Path, cli: Callable[..., Result]) -> None:
    project = tmp_path / "book"
    shutil.copytree(VALID, project)
    css = project / "layouts" / "css"
    css.mkdir(parents=True)
    own = (REPO / "layouts" / "css" / "base.css").read_text(encoding="utf-8")
    (css / "base.css").write_text(own + "\n.lead { colr: red; }\n", encoding="utf-8")
    result = cli("build", "-e", "booklet", "-e", "handout", "-o", tmp_path / "out", project)
    assert result.exit_code == 0, result.output
    assert result.output.count("Ignored `colr: red`") == 1, result.output
