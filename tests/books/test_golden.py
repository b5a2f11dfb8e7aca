"""Golden trees (as Pelican keeps them): the web edition and the three exports of two small
books, compared file by file with what was reviewed and committed under tests/golden/.

Text files (HTML, SVG, the exports) are compared whole. The stylesheets must be the
layouts' own (layouts/css, not copied here); binary files (font subsets, re-encoded images)
are listed by name in ``binaries.txt`` — their bytes depend on the fontTools and Pillow
versions installed, and their reproducibility is tested where they are made
(test_font_isolation, test_figures); it lists the stylesheets' names too. After a
change that is meant to alter an output, regenerate with
``BOOKBUILD_UPDATE_GOLDEN=1 pytest tests/books/test_golden.py``, read the diff
(``git diff tests/golden``) and commit it with the change. The tree is made in a fresh
process with another hash seed than the test's, so no output may depend on a set's order.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import BOOKS, EPOCH, TESTS, VALID

pytestmark = pytest.mark.slow

GOLDEN = TESTS / "golden"
CASES = {"valid": VALID, "gdansk-1980": BOOKS / "gdansk-1980"}
TEXT = {".html", ".svg", ".txt", ".json", ".md"}
LAYOUT_CSS = TESTS.parent / "layouts" / "css"
SRC = TESTS.parent / "src"
UPDATE = os.environ.get("BOOKBUILD_UPDATE_GOLDEN") == "1"


def run(seed: int, *args: str | Path) -> str:
    """``bookbuild ARGS`` in a fresh process with hash seed ``seed``."""
    env = {**os.environ, "PYTHONHASHSEED": str(seed), "SOURCE_DATE_EPOCH": EPOCH,
           "PYTHONPATH": str(SRC)}
    done = subprocess.run([sys.executable, "-m", "bookbuild.cli", *map(str, args)], env=env,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr + done.stdout
    return done.stdout


def tree(project: Path, out: Path, seed: int) -> Path:
    """The web edition and the exports of ``project``, as the golden tree holds them."""
    run(seed, "build", project, "-o", out / "dist", "-e", "html", "-j", "1")
    made = out / "tree"
    shutil.copytree(out / "dist" / "html", made / "html")
    for fmt, name in (("text", "export.txt"), ("json", "export.json"),
                      ("markdown", "export.md")):
        (made / name).write_text(run(seed, "export", "--format", fmt, project),
                                 encoding="utf-8")
    return made


def snapshot(folder: Path) -> dict[str, str]:
    """Every file of ``folder``: its text, the stylesheet it copies, or (binary) its name."""
    out: dict[str, str] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        if name == "binaries.txt":  # stylesheets too: they are the layouts' own
            out.update((line, f"layouts/css/{Path(line).name}" if line.endswith(".css")
                        else "binary") for line in path.read_text(encoding="utf-8").splitlines())
        elif path.suffix == ".css":
            source = LAYOUT_CSS / path.name
            assert source.is_file() and source.read_bytes() == path.read_bytes(), name
            out[name] = f"layouts/css/{path.name}"
        elif path.suffix in TEXT:
            out[name] = path.read_text(encoding="utf-8")
        else:
            out[name] = "binary"
    return out


def write_golden(made: Path, target: Path) -> None:
    if target.exists():
        shutil.rmtree(target)
    binaries = []
    for path in sorted(p for p in made.rglob("*") if p.is_file()):
        name = path.relative_to(made).as_posix()
        if path.suffix in TEXT:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target / name)
        else:
            binaries.append(name)
    (target / "binaries.txt").write_text("\n".join(binaries) + "\n", encoding="utf-8")


@pytest.mark.parametrize("case", sorted(CASES))
def test_web_edition_and_exports_match_the_golden_tree(case: str, tmp_path: Path) -> None:
    target = GOLDEN / case
    for seed in (1, 2):  # two hash seeds: an order left to a set shows as a difference
        made = tree(CASES[case], tmp_path / str(seed), seed)
        if UPDATE and seed == 1:
            write_golden(made, target)
        assert target.is_dir(), f"no golden tree for {case}: run with BOOKBUILD_UPDATE_GOLDEN=1"
        expected, actual = snapshot(target), snapshot(made)
        assert sorted(actual) == sorted(expected), "the files differ"
        for name in sorted(expected):
            assert actual[name] == expected[name], \
                f"{case}/{name} (hash seed {seed}) differs from tests/golden"


def test_a_changed_output_is_caught(tmp_path: Path) -> None:
    """The comparison sees a one-character change in a text file and a renamed binary."""
    made = tree(VALID, tmp_path, 1)
    golden = tmp_path / "golden"
    write_golden(made, golden)
    assert snapshot(golden) == snapshot(made)
    page = made / "html" / "index.html"
    page.write_text(page.read_text(encoding="utf-8").replace("<h1", "<h1 ", 1),
                    encoding="utf-8")
    assert snapshot(golden) != snapshot(made)
    page.write_text(page.read_text(encoding="utf-8").replace("<h1 ", "<h1", 1),
                    encoding="utf-8")
    font = next((made / "html" / "fonts").iterdir())
    font.rename(font.with_name("Other.ttf"))
    assert snapshot(golden) != snapshot(made)
