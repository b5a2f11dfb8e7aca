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
