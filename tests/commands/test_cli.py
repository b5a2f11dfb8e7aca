"""The command line: help for every command, exit codes, new books that pass the check."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from bookbuild.cli import main

COMMANDS = sorted(main.commands)


def test_the_documented_commands_exist() -> None:
    assert {"check", "build", "export", "new"} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str, cli: Callable[..., Result]) -> None:
    result = cli(command, "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.output and len(result.output.splitlines()) > 3


def test_new_writes_a_book_that_passes_strict(tmp_path: Path,
                                              cli: Callable[..., Result]) -> None:
    target = tmp_path / "ujkonyv"
    assert cli("new", target).exit_code == 0
    result = cli("check", "--strict", target)
    assert result.exit_code == 0, result.output
    text = cli("export", target).stdout
    assert "könyvtár" in text and "Szerkesztői jegyzetek" in text
    ids = [line for line in (target / "manuscript" / "book.yaml").read_text().splitlines()
           if line.startswith("identifier:")]
    assert ids and "00000000" not in ids[0]  # a fresh identifier per book


def test_new_refuses_to_overwrite(tmp_path: Path, cli: Callable[..., Result]) -> None:
    cli("new", tmp_path)
    result = cli("new", tmp_path)
    assert result.exit_code == 1
    assert "already holds a manuscript" in result.output


def test_check_outside_a_project_is_a_message_not_a_traceback(
        tmp_path: Path, cli: Callable[..., Result]) -> None:
    result = cli("check", tmp_path)
    assert result.exit_code == 1
    assert "error:" in result.output and "Traceback" not in result.output


def test_unknown_edition_is_a_clear_error(cli: Callable[..., Result]) -> None:
    from conftest import VALID

    result = cli("build", "-e", "poster", VALID)
    assert result.exit_code == 1
    assert "unknown edition 'poster'" in result.output


def test_the_command_reference_is_the_help() -> None:
    """docs/commands.md is every command's --help, written from it (sqlite-utils' way):
    an option added, renamed or explained differently shows in the docs or fails here."""
    import os

    from bookbuild.commands.reference import help_text, reference

    document = Path(__file__).resolve().parents[2] / "docs" / "commands.md"
    expected = reference(main)
    if os.environ.get("BOOKBUILD_UPDATE_GOLDEN"):
        document.write_text(expected, encoding="utf-8")
    assert document.read_text(encoding="utf-8") == expected, (
        "docs/commands.md is not the commands' help: "
        "python -m bookbuild.commands.reference > docs/commands.md")
    for command in COMMANDS:
        assert help_text(main, command) in expected
        assert "-h, --help" in help_text(main, command)


def test_new_names_every_language_it_has_a_sample_of(cli: Callable[..., Result]) -> None:
    from bookbuild.commands.new import scaffold_languages

    shown = " ".join(cli("new", "--help").output.split())
    for language in scaffold_languages():
        assert f" {language}," in shown or f" {language} " in shown, language
