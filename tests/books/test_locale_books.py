"""Small English and German books (tests/fixtures/locale): every word the tool prints is theirs.

Each book is checked, exported and built as a web edition; what a reader sees (text, link
titles, aria-labels, alt texts) must hold no word that only another language's catalogue
has, and the language's own dates, quotes and words must be there.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from lxml import html as lxml_html

from bookbuild.locale import languages
from bookbuild.locale.catalogue import catalogue
from conftest import FIXTURES, build_into

BOOKS = FIXTURES / "locale"
NB = "\u00a0"


def _words(language: str) -> set[str]:
    words: set[str] = set()
    for text in catalogue(language).messages.values():
        words.update(w.lower() for w in re.findall(r"[^\W\d_]{4,}", text))
    return words


def foreign_words(language: str) -> set[str]:
    """Words of the other catalogues that this language's catalogue does not have."""
    others = set().union(*(_words(other) for other in languages() if other != language))
    return others - _words(language)


def visible(page: Path) -> str:
    """What a reader of an HTML page sees or hears: text, titles, labels, alt texts."""
    tree = lxml_html.fromstring(page.read_bytes())
    for junk in tree.iter("style", "script"):
        junk.drop_tree()
    attributes = [value for element in tree.iter() if isinstance(element.tag, str)
                  for name, value in element.attrib.items()
                  if name in ("title", "aria-label", "alt", "content")]
    return " ".join([tree.text_content(), *attributes])


def found(text: str, words: set[str]) -> set[str]:
    return {w for w in re.findall(r"[^\W\d_]{4,}", text.lower()) if w in words}


@pytest.mark.parametrize("language", ["en", "de"])
def test_book_passes_strict_check(cli: Callable[..., Result], language: str) -> None:
    result = cli("check", "--strict", BOOKS / language)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("language", ["en", "de"])
def test_exports_hold_no_other_languages_words(cli: Callable[..., Result],
                                                 language: str) -> None:
    foreign = foreign_words(language)
    text = cli("export", "--format", "text", BOOKS / language).stdout
    assert found(text, foreign) == set()
    markdown = cli("export", "--format", "markdown", BOOKS / language).stdout
    # what Pandoc prints: not the ids, link targets, footnote names or front-matter keys
    printed = re.sub(r"\{[^}]*\}|\(#[^)]*\)|\[\^[^\]]*\]|^\s*[a-z]+:", " ", markdown,
                     flags=re.MULTILINE)
    assert found(printed, foreign) == set()


def test_english_book_prints_english(cli: Callable[..., Result]) -> None:
    text = cli("export", "--format", "text", BOOKS / "en").stdout
    assert f"Thursday, 14{NB}August 1980" in text  # day and month glued
    assert "morning – The strike begins" in text
    assert "“Lenin Shipyard”" in text and "“the call ‘to strike’ at once”" in text
    assert "workers’ anger" in text and f"200{NB}000" in text
    assert "„" not in text and "»" not in text
    data = json.loads(cli("export", "--format", "json", BOOKS / "en").stdout)
    assert [e["time_of_day"] for e in data["events"]] == ["", "morning", "afternoon"]


def test_german_book_prints_german(cli: Callable[..., Result]) -> None:
    text = cli("export", "--format", "text", BOOKS / "de").stdout
    assert f"Montag, 9.{NB}Oktober 1989" in text
    assert "abends – „Keine Gewalt!“" in text
    # the closing quote right after a mention, before punctuation, stays a closing one
    assert f"„Aufbruch 89{NB}– Neues Forum“, danach" in text
    assert "das „Neue Forum“." in text
    assert f"zum 5.{NB}Oktober" in text
    assert "”" not in text and "»" not in text


@pytest.mark.parametrize("language", ["en", "de"])
def test_web_edition_holds_no_other_languages_words(tmp_path: Path, language: str) -> None:
    out = build_into(BOOKS / language, tmp_path / "dist", "html")
    page = out / "html" / "index.html"
    seen = visible(page)
    assert found(seen, foreign_words(language)) == set()
    if language == "en":
        assert "Index of people" in seen and "Contents" in seen
        assert f"point{NB}1" in seen and "enacts" in seen
        assert "The days of the strike" in seen  # the book's own timeline caption
    else:
        assert "Personenregister" in seen and f"Punkt{NB}1" in seen and "setzt um" in seen
        assert "Zeitleiste" in seen  # the catalogue's caption: the book gives none
    assert f'lang="{language}"' in page.read_text(encoding="utf-8")
