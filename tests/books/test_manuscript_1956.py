"""The bundled 1956 book: strict-clean, faithful to the source text, facts only from the TSV."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable

import pytest
from click.testing import Result

from bookbuild.errors import Diagnostics
from bookbuild.manuscript import find_project, read_manuscript
from bookbuild.manuscript.markup import rich_plain_text
from bookbuild.manuscript.model import Correction, Manuscript
from bookbuild.render.exports import export_text
from bookbuild.render.typography import strip_typography
from conftest import REPO, SOURCE_TEXT

FACTS = REPO / "manuscript" / "provenance" / "people-facts.tsv"
SOURCE_HEADINGS = ("Előzmények:", "A MEFESZ 16 pontja:")


@pytest.fixture(scope="module")
def book() -> Manuscript:
    diagnostics = Diagnostics()
    manuscript = read_manuscript(find_project(REPO), diagnostics)
    assert not list(diagnostics), [d.format() for d in diagnostics]
    return manuscript


def normal(text: str) -> str:
    """Comparison form: plain quotes and dashes, one space, no space around hyphens."""
    text = strip_typography(text)
    text = re.sub(r"\s+", " ", text)
    return re.sub(r"\s*-\s*", "-", text).strip()


def source_body() -> str:
    lines = SOURCE_TEXT.read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if line.strip() not in SOURCE_HEADINGS)


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", normal(text)) if s]


def reading_order_texts(book: Manuscript, *, source: bool) -> list[str]:
    texts: list[str] = []
    for part in book.parts:
        if part.kind.value == "demands":
            texts += [f"{d.label} " + rich_plain_text(d.text, source=source)
                      for d in book.demands]
        texts += [rich_plain_text(e.text, source=source) for e in book.events_in(part.id)]
    return texts


def test_bundled_manuscript_passes_strict_check(cli: Callable[..., Result]) -> None:
    result = cli("check", "--strict", REPO)
    assert result.exit_code == 0, result.output


def test_manuscript_text_is_the_source_word_for_word(book: Manuscript) -> None:
    """With corrections read back to the source's form, the texts are the source text."""
    assert normal(" ".join(reading_order_texts(book, source=True))) == normal(source_body())


def test_every_difference_is_a_correction_with_a_printed_note(book: Manuscript) -> None:
    notes = {n.id for n in book.notes}
    corrections = [n for e in book.events for n in e.text.inlines() if isinstance(n, Correction)]
    corrections += [n for d in book.demands for n in d.text.inlines()
                    if isinstance(n, Correction)]
    assert corrections, "the source's evident errors are corrected through notes"
    for correction in corrections:
        assert correction.note_id in notes
    printed = reading_order_texts(book, source=False)
    original = reading_order_texts(book, source=True)
    changed = [(o, p) for o, p in zip(original, printed, strict=True) if o != p]
    assert len(changed) <= len(corrections)


def test_text_export_holds_every_source_sentence_in_order(book: Manuscript) -> None:
    exported = normal(re.sub(r"\[\d+\]", "", export_text(book)))  # without note marks
    corrected = {normal(o): normal(p) for o, p in zip(reading_order_texts(book, source=True),
                                                      reading_order_texts(book, source=False),
                                                      strict=True)}
    cursor = 0
    missing = []
    for sentence in sentences(source_body()):
        found = exported.find(sentence, cursor)
        if found < 0:
            # the sentence was corrected: it must stand, corrected, in its event's printed text
            event_text = next((p for s, p in corrected.items() if sentence in s), None)
            assert event_text is not None and event_text in exported, sentence
            missing.append(sentence)
            continue
        cursor = found + len(sentence)
    assert len(missing) <= 8, missing


def test_people_facts_come_from_the_reference_table(book: Manuscript) -> None:
    with FACTS.open(encoding="utf-8") as handle:
        rows = {row["name"]: row for row in csv.DictReader(handle, delimiter="\t")}
    people = book.entities_of("people")
    assert len(people) == len(rows)
    by_key = {re.sub(r"\s*\(.*\)$", "", name): row for name, row in rows.items()}
    for person in people:
        row = by_key.get(person.name)
        assert row is not None, f"{person.name} is not in the reference table"
        assert person.role == row["role_hu"]
        assert person.died == int(row["died"])
        if "from memory" in row["confidence"] and "birth" in row["confidence"]:
            assert person.born is None, f"{person.name}: unconfirmed birth year must stay empty"
        else:
            assert person.born == int(row["born"])


def test_unusual_source_spellings_are_see_references(book: Manuscript) -> None:
    variants = {v: e.name for e in book.entities for v in e.variants}
    assert variants["Hegedűs András"] == "Hegedüs András"
    assert variants["Anasztáz Mikojan"].startswith("Mikojan, Anasztasz")
    text = normal(export_text(book))
    assert "Hegedűs András" in text and "Anasztáz Mikojan" in text  # the text keeps them


def test_every_entity_is_mentioned_and_inflected_forms_stay(book: Manuscript) -> None:
    text = export_text(book)
    for form in ("Nagy Imrét", "Rákosival", "Kádárral", "ÁVH-sok", "MEFESZ-hez"):
        assert form in text
