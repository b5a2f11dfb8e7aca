"""The check for names an editor forgot to mark follows the book's language: Hungarian
lengthens a final vowel before a suffix (Imre → Imrét), other languages do not."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

from bookbuild.manuscript.stems import stem_pattern


def test_the_hungarian_rule_lengthens_a_final_vowel() -> None:
    assert re.fullmatch(stem_pattern("hu", "Imre"), "Imré")
    assert re.fullmatch(stem_pattern("hu", "Buda"), "Budá")
    assert re.fullmatch(stem_pattern("hu-HU", "Buda"), "Budá")
    assert not re.fullmatch(stem_pattern("en", "Buda"), "Budá")
    assert re.fullmatch(stem_pattern("de", "Honecker"), "Honecker")
    assert stem_pattern("en", "a.b") == re.escape("a.b")


def unmark(project: Path, language: str) -> None:
    chronology = project / "manuscript" / "chronology.yaml"
    chronology.write_text(chronology.read_text(encoding="utf-8").replace(
        "[Nagy Imrét](@nagy-imre)", "Nagy Imrét"), encoding="utf-8")
    people = project / "manuscript" / "people.yaml"  # no alias that would match as written
    people.write_text(people.read_text(encoding="utf-8").replace("  aliases: [Nagy Imr]\n", ""),
                      encoding="utf-8")
    book = project / "manuscript" / "book.yaml"
    book.write_text(book.read_text(encoding="utf-8").replace("language: hu",
                                                             f"language: {language}"),
                    encoding="utf-8")


def test_an_inflected_name_is_found_in_a_hungarian_book(valid_copy: Path,
                                                         cli: Callable[..., Result]) -> None:
    unmark(valid_copy, "hu")
    result = cli("check", valid_copy)
    assert "'Nagy Imrét' looks like a mention of person 'nagy-imre' without markup" \
        in result.output


def test_no_hungarian_inflection_in_another_language(valid_copy: Path,
                                                    cli: Callable[..., Result]) -> None:
    unmark(valid_copy, "de")  # a German book quoting a Hungarian form: no such German rule
    result = cli("check", valid_copy)
    assert "'Nagy Imrét' looks like a mention" not in result.output


def test_a_word_marked_as_no_mention_is_not_reported(valid_copy: Path,
                                                     cli: Callable[..., Result]) -> None:
    """A compound that starts like a name ("Moszkvában" for Moszkva here) is kept from
    the check by a backslash, and printed without it."""
    chronology = valid_copy / "manuscript" / "chronology.yaml"
    text = chronology.read_text(encoding="utf-8")
    chronology.write_text(text.replace("[Moszkvában](@moszkva)",
                                       r"[Moszkvában](@moszkva), nem \Moszkvaiakkal"),
                          encoding="utf-8")
    result = cli("check", "--strict", valid_copy)
    assert result.exit_code == 0, result.output
    exported = cli("export", "--format", "text", valid_copy).output
    assert "nem Moszkvaiakkal" in exported and "\\" not in exported
