"""Tests for Hungarian typographic normalisation (bookbuild.render.typography)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bookbuild.render.typography import (
    convert_ellipses,
    convert_number_ranges,
    convert_quotes,
    convert_spaced_hyphens,
    insert_date_spaces,
    strip_typography,
    typeset,
)

NB = "\u00a0"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            'Ezzel létrejött az első, "a párttól" független ifjúsági szervezet.',
            "Ezzel létrejött az első, „a párttól” független ifjúsági szervezet.",
        ),
        (
            "Nagy Imre - akit a hónap elején visszavettek a pártba - megbeszélést",
            f"Nagy Imre{NB}– akit a hónap elején visszavettek a pártba{NB}– megbeszélést",
        ),
        (
            "Erre - 25-én reggel - a magyar pártvezetés",
            f"Erre{NB}– 25-én reggel{NB}– a magyar pártvezetés",
        ),
        ("Az MDP 1956 július 18-21-i központi", f"Az MDP 1956 július{NB}18–21-i központi"),
        ("a harcok idején 300-400 embert", "a harcok idején 300–400 embert"),
        ("az 1953-55 közötti évek", "az 1953–55 közötti évek"),
        ("November 4-9. között", f"November{NB}4–9. között"),
        ("A hallgatók felolvasták a 16 pontot.", f"A hallgatók felolvasták a 16{NB}pontot."),
        ("a 16 pont beolvasását", f"a 16{NB}pont beolvasását"),
        ("1956. október 23-án", f"1956. október{NB}23-án"),
        ("23. október", f"23.{NB}október"),
        ("okt. 23. este", f"okt.{NB}23. este"),
        ("az MSZMP (1956 okt.).", "az MSZMP (1956 okt.)."),
        ("Várt...", "Várt…"),
        ("- Igen - mondta.", f"– Igen{NB}– mondta."),
    ],
)
def test_book_examples(source: str, expected: str) -> None:
    assert typeset(source) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('"a "b" c"', "„a »b« c”"),
        ('„a "b" c”', "„a »b« c”"),
        ("„a „b” c”", "„a »b« c”"),
        ('"hazudott éjjel, "hazudott" nappal"', "„hazudott éjjel, »hazudott« nappal”"),
        ("(“idézet”)", "(„idézet”)"),
        ("„német stílus“", "„német stílus”"),
        ('"Szabó bácsi"-nak', "„Szabó bácsi”-nak"),
        ('a rádió: "Ellenforradalom!"', "a rádió: „Ellenforradalom!”"),
    ],
)
def test_quotes(source: str, expected: str) -> None:
    assert convert_quotes(source) == expected


def test_never_english_or_straight_double_quotes() -> None:
    result = typeset('"a" “b” „c“ "d "e" f"')
    assert '"' not in result
    assert "\u201c" not in result


@pytest.mark.parametrize(
    "text",
    [
        "1956-10-23",  # date-like chains are not ranges
        "MiG-15",  # ids glued to letters
        "A12-34",
        "Párt 3-3, a Petőfi Párt pedig 2",  # distributive "három-három", not a range
        "12345-6",
    ],
)
def test_number_ranges_left_alone(text: str) -> None:
    assert convert_number_ranges(text) == text


def test_hyphens_inside_words_are_kept() -> None:
    text = "Rajk-perben, kénytelen-kelletlen, ÁVH-sok, párt- és"
    assert convert_spaced_hyphens(text) == text
    assert typeset(text) == text


def test_space_before_existing_en_dash_becomes_no_break() -> None:
    assert convert_spaced_hyphens("Corvin köz – Iván Kovács") == f"Corvin köz{NB}– Iván Kovács"


def test_year_keeps_normal_space() -> None:
    assert insert_date_spaces("1956. október") == "1956. október"
    assert insert_date_spaces("1956. november 4.") == f"1956. november{NB}4."


def test_ellipsis() -> None:
    assert convert_ellipses("de...") == "de…"
    assert convert_ellipses("de…") == "de…"


def test_strip_typography() -> None:
    text = f"„a »b« c” – 18–21{NB}x\u202fy for\u00adra…"
    assert strip_typography(text) == '"a "b" c" - 18-21 x y forra...'


def test_already_typeset_text_is_unchanged() -> None:
    text = f"Nagy Imre{NB}– akit „a »párttól« független” 18–21-i 23.{NB}október…"
    assert typeset(text) == text


_PIECES = [
    *"aá Bx.,;:!?()-–—\n\t\u00a0\u00ad\"“”„»«'…0123456789",
    "...",
    " - ",
    "október ",
    "okt. ",
    "23. ",
    "16 pont",
    "1956-10-23",
    "18-21-i",
    "3-3",
]
_TYPO_TEXT = st.one_of(
    st.lists(st.sampled_from(_PIECES), max_size=30).map("".join),
    st.text(max_size=40),
)


@settings(max_examples=200, deadline=None)
@given(_TYPO_TEXT)
def test_typeset_is_idempotent(text: str) -> None:
    once = typeset(text)
    assert typeset(once) == once


@settings(max_examples=200, deadline=None)
@given(_TYPO_TEXT)
def test_typeset_keeps_the_plain_text(text: str) -> None:
    assert strip_typography(typeset(text)) == strip_typography(text)


@settings(max_examples=200, deadline=None)
@given(_TYPO_TEXT)
def test_typeset_output_has_only_hungarian_quotes(text: str) -> None:
    result = typeset(text)
    assert '"' not in result
    assert "\u201c" not in result
