"""One fixture manuscript per error class: check reports each at its place, with a hint."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from conftest import ERRORS, overlay

CASES = sorted(p.name for p in ERRORS.iterdir() if p.is_dir())


def expectations(case: str) -> list[list[str]]:
    lines = (ERRORS / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    return [line.split("|") for line in lines if line.strip()]


@pytest.mark.parametrize("case", CASES)
def test_each_error_class_is_reported_where_it_stands(
    case: str, valid_copy: Path, cli: Callable[..., Result]
) -> None:
    overlay(ERRORS / case, valid_copy)
    result = cli("check", valid_copy)
    output = result.output
    assert "Traceback" not in output
    for severity, where, message, *hint in expectations(case):
        matching = [line for line in output.splitlines()
                    if line.startswith(where) and f": {severity}: " in line and message in line]
        assert matching, f"expected {severity} at {where}: {message!r}\n--- got:\n{output}"
        if hint:
            assert f"hint: {hint[0]}" in output
    has_error = any(e[0] == "error" for e in expectations(case))
    assert result.exit_code == (1 if has_error else 0), output


@pytest.mark.parametrize("case", [c for c in CASES
                                  if all(e[0] == "warning" for e in expectations(c))])
def test_strict_turns_warnings_into_errors(
    case: str, valid_copy: Path, cli: Callable[..., Result]
) -> None:
    overlay(ERRORS / case, valid_copy)
    result = cli("check", "--strict", valid_copy)
    assert result.exit_code == 1
    assert ": error: " in result.output and ": warning: " not in result.output


def test_valid_fixture_passes_strict(cli: Callable[..., Result], valid_copy: Path) -> None:
    result = cli("check", "--strict", valid_copy)
    assert result.exit_code == 0, result.output
    assert "ok" in result.output


def test_all_problems_are_reported_at_once(valid_copy: Path, cli: Callable[..., Result]) -> None:
    overlay(ERRORS / "unknown-reference", valid_copy)
    overlay(ERRORS / "raw-html", valid_copy)
    overlay(ERRORS / "duplicate-id", valid_copy)
    result = cli("check", valid_copy)
    assert result.exit_code == 1
    assert result.output.count(": error: ") >= 5


@pytest.mark.parametrize("date", ["1956-02-30", "1956-13", "23 October 1956"])
def test_a_date_that_cannot_be_read_is_one_error_and_no_more(
    date: str, valid_copy: Path, cli: Callable[..., Result]
) -> None:
    """The event with no real date is not taken for one of 1900: no "comes after … but is
    dated earlier" warning, no "the day-by-day parts run from 1900-01-01" error."""
    chronology = valid_copy / "manuscript" / "chronology.yaml"
    text = chronology.read_text(encoding="utf-8")
    assert "date: 1956-10-23" in text
    chronology.write_text(text.replace("date: 1956-10-23", f"date: {date}", 1),
                          encoding="utf-8")
    result = cli("check", valid_copy)
    reported = [line for line in result.output.splitlines()
                if ": error: " in line or ": warning: " in line]
    assert len(reported) == 1 and "chronology.yaml" in reported[0], result.output
    assert "1900" not in result.output


def test_a_file_that_cannot_be_parsed_is_one_error_not_a_warning_per_entry(
    valid_copy: Path, cli: Callable[..., Result]
) -> None:
    """The mentions and note calls of a malformed chronology are unknown, not absent: no
    "never mentioned" / "never referenced" for every entry under the one error."""
    chronology = valid_copy / "manuscript" / "chronology.yaml"
    text = chronology.read_text(encoding="utf-8")
    chronology.write_text(text.replace("  title: Beszéd\n", '  title: "Beszéd" a téren\n', 1),
                          encoding="utf-8")
    result = cli("check", valid_copy)
    reported = [line for line in result.output.splitlines()
                if ": error: " in line or ": warning: " in line]
    assert len(reported) == 1, result.output
    assert "chronology.yaml" in reported[0] and "malformed YAML" in reported[0]
    assert "never" not in result.output


def test_an_unmentioned_person_is_shown_as_running_text_names_them(
    valid_copy: Path, cli: Callable[..., Result]
) -> None:
    chronology = valid_copy / "manuscript" / "chronology.yaml"
    text = chronology.read_text(encoding="utf-8")
    chronology.write_text(text.replace("[Hruscsov](@hruscsov)", "Hruscsov"), encoding="utf-8")
    output = cli("check", valid_copy).output
    assert "person 'hruscsov' is never mentioned" in output
    assert "hint: mark a mention with [Nyikita Szergejevics Hruscsov](@hruscsov)" in output
