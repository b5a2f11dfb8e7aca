"""Shared fixtures: the sample manuscripts under tests/fixtures and an in-process CLI runner."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bookbuild.cli import main

TESTS = Path(__file__).resolve().parent
FIXTURES = TESTS / "fixtures"
VALID = FIXTURES / "valid"
ERRORS = FIXTURES / "errors"
REPO = TESTS.parent
SRC = REPO / "src"
SOURCE_TEXT = REPO / "manuscript" / "source.txt"


@pytest.fixture
def cli() -> Callable[..., Result]:
    """Run ``bookbuild ARGS`` in-process and return click's result."""
    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)

    return run


@pytest.fixture
def valid_copy(tmp_path: Path) -> Path:
    """A writable copy of the minimal valid project."""
    target = tmp_path / "book"
    shutil.copytree(VALID, target)
    return target


def overlay(case: Path, target: Path) -> None:
    """Copy the manuscript files of an error case over a valid project."""
    for path in case.glob("*.yaml"):
        shutil.copy(path, target / "manuscript" / path.name)


EPOCH = "1700000000"  # 2023-11-14: a fixed build date for reproducible outputs


def digests(folder: Path) -> dict[str, str]:
    """sha256 of every file below ``folder`` (the build record included)."""
    import hashlib

    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def fixed_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    """Builds in this test print the fixed build date (reproducible bytes)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def build_into(project: Path, out: Path, *editions: str) -> Path:
    """Build ``editions`` (default: all) of ``project`` into ``out`` in-process."""
    import os

    from bookbuild.commands.build import build

    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    import io

    build(project, editions=editions, out=out, err=io.StringIO())
    return out


@pytest.fixture(scope="session")
def real_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every edition of the bundled 1956 book, built once per test session."""
    return build_into(REPO, tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="session")
def fixture_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every edition of the minimal valid fixture, built once per test session."""
    return build_into(VALID, tmp_path_factory.mktemp("fixture-dist"))


BOOKS = FIXTURES / "books"
FIXTURE_BOOKS = sorted(p.name for p in BOOKS.iterdir()
                       if (p / "manuscript" / "book.yaml").is_file())


@pytest.fixture(scope="session")
def book_builds(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """Every edition of a fixture book under tests/fixtures/books, built once per session."""
    built: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in built:
            built[name] = build_into(BOOKS / name, tmp_path_factory.mktemp(f"book-{name}"))
        return built[name]

    return get
