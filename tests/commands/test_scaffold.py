"""``bookbuild new DIR --language xx``: a sample book in that language that passes the check."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from bookbuild.commands.new import scaffold_languages
from bookbuild.locale.catalogue import catalogue, languages


def test_every_supported_language_has_a_sample_book() -> None:
    assert set(scaffold_languages()) == set(languages()) >= {"hu", "en", "de"}


@pytest.mark.parametrize("language", ["hu", "en", "de", "en-GB", "de-AT"])
def test_new_writes_a_book_in_the_language_that_passes_strict(
        language: str, tmp_path: Path, cli: Callable[..., Result]) -> None:
    target = tmp_path / "book"
    assert cli("new", target, "--language", language).exit_code == 0
    book = (target / "manuscript" / "book.yaml").read_text(encoding="utf-8")
    assert f"\nlanguage: {language}\n" in book
    assert "1848" not in book  # a neutral sample, not the bundled book's subject
    result = cli("check", "--strict", target)
    assert result.exit_code == 0, result.output
    text = cli("export", target).stdout  # the words around the text are the language's
    notes_heading = catalogue(language.split("-")[0]).messages["notes"]
    assert notes_heading in text, text


def test_a_language_without_a_sample_is_refused_with_the_choice(
        tmp_path: Path, cli: Callable[..., Result]) -> None:
    result = cli("new", tmp_path / "book", "--language", "fr")
    assert result.exit_code == 1
    assert "no sample book in the language 'fr'" in result.output
    assert "de, en, hu" in result.output
    assert not (tmp_path / "book" / "manuscript").exists()
