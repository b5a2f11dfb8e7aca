"""Tests for safe Hungarian soft-hyphen insertion (bookbuild.render.hyphenate)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bookbuild.render.hyphenate import (
    FORBIDDEN_CLUSTERS,
    SOFT_HYPHEN,
    hyphenate_text,
    hyphenate_word,
    safe_break_positions,
)

SAMPLE = (
    "visszatérést asszony eggyel könnyű hosszú meggyőzzék Losonczy Kossuth Hruscsov "
    "Mindszenty forradalom szabadságharcosok Magyarországon"
)


def _splits_cluster(left: str, right: str) -> str | None:
    """The forbidden cluster a break between ``left`` and ``right`` would split, if any."""
    left, right = left.lower(), right.lower()
    for cluster in FORBIDDEN_CLUSTERS:
        for cut in range(1, len(cluster)):
            if left.endswith(cluster[:cut]) and right.startswith(cluster[cut:]):
                return cluster
    return None


def _broken_clusters(hyphenated: str) -> list[str]:
    """Forbidden clusters split by any soft hyphen in ``hyphenated``."""
    found: list[str] = []
    for match in re.finditer(SOFT_HYPHEN, hyphenated):
        left = hyphenated[: match.start()].replace(SOFT_HYPHEN, "")
        right = hyphenated[match.end() :].replace(SOFT_HYPHEN, "")
        cluster = _splits_cluster(left, right)
        if cluster is not None:
            found.append(cluster)
    return found


@pytest.mark.parametrize("word", SAMPLE.split())
def test_breaks_keep_the_word_and_the_digraphs(word: str) -> None:
    hyphenated = hyphenate_word(word)
    assert hyphenated.replace(SOFT_HYPHEN, "") == word
    assert _broken_clusters(hyphenated) == []
    pieces = hyphenated.split(SOFT_HYPHEN)
    assert len(pieces[0]) >= 2
    assert len(pieces[-1]) >= 3


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("forradalom", "for-ra-da-lom"),
        ("szabadságharcosok", "sza-bad-ság-har-co-sok"),
        ("Magyarországon", "Ma-gyar-or-szá-gon"),
        ("Mindszenty", "Mind-szenty"),
        # Pyphen's non-standard "visz-sza" is dropped, the plain breaks stay
        ("visszatérést", "vissza-té-rést"),
        # "meg-győzzék" is a morpheme boundary, but ggy is never split on purpose
        ("meggyőzzék", "meggyőz-zék"),
        # next line would start with two consonants (s + cs): Pyphen's "Hru-scsov" dropped
        ("Hruscsov", "Hruscsov"),
        ("Pálffy", "Pálffy"),
        # too short, or the only candidate splits a doubled digraph
        ("asszony", "asszony"),
        ("eggyel", "eggyel"),
        ("könnyű", "könnyű"),
        ("hosszú", "hosszú"),
    ],
)
def test_expected_breaks(word: str, expected: str) -> None:
    assert hyphenate_word(word).replace(SOFT_HYPHEN, "-") == expected


def test_safe_break_positions_match_hyphenate_word() -> None:
    assert safe_break_positions("forradalom") == [3, 5, 7]
    assert safe_break_positions("vissza") == []


@pytest.mark.parametrize(
    "word",
    ["MEFESZ-hez", "ÁVH-sok", "MSZMP", "NATO", "MSzMP-ben", "ENSZ-ben", "1956-os", "B52-esek"],
)
def test_no_breaks_in_abbreviations_numbers_or_short_parts(word: str) -> None:
    assert hyphenate_word(word) == word


def test_compounds_with_hyphen_break_per_part_never_next_to_the_hyphen() -> None:
    hyphenated = hyphenate_word("Petőfi-szobornál")
    assert hyphenated.replace(SOFT_HYPHEN, "") == "Petőfi-szobornál"
    assert f"-{SOFT_HYPHEN}" not in hyphenated
    assert f"{SOFT_HYPHEN}-" not in hyphenated
    assert SOFT_HYPHEN in hyphenated.split("-")[1]
    assert hyphenate_word("Rajk-perben").replace(SOFT_HYPHEN, "|") == "Rajk-per|ben"


def test_hyphenate_text_leaves_everything_else_alone() -> None:
    text = "A forradalom (1956. október 23.) „szabadságharcosok”, MEFESZ-hez – 300–400 ember!"
    result = hyphenate_text(text)
    assert result.replace(SOFT_HYPHEN, "") == text
    assert "for\u00adra\u00adda\u00adlom" in result
    assert "MEFESZ-hez" in result
    assert "„sza\u00adbad" in result


def test_existing_soft_hyphens_are_respected() -> None:
    text = f"forra{SOFT_HYPHEN}dalom forradalom"
    assert hyphenate_text(text) == f"forra{SOFT_HYPHEN}dalom for\u00adra\u00adda\u00adlom"


def test_sample_sentence() -> None:
    result = hyphenate_text(SAMPLE)
    assert result.replace(SOFT_HYPHEN, "") == SAMPLE
    assert _broken_clusters(result) == []
    assert result.count(SOFT_HYPHEN) >= 10


_FRAGMENTS = [*"aáeéiíoóöőuúüűbcdfghjklmnprstvyzCSZGYÁ -.,„”0", *FORBIDDEN_CLUSTERS, "Ssz", "NY"]
_HU_TEXT = st.lists(st.sampled_from(_FRAGMENTS), max_size=40).map("".join)


@settings(max_examples=200, deadline=None)
@given(_HU_TEXT)
def test_hyphenation_never_changes_text_or_splits_digraphs(text: str) -> None:
    result = hyphenate_text(text)
    assert result.replace(SOFT_HYPHEN, "") == text
    assert _broken_clusters(result) == []


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([*SAMPLE.split(), "a", "-", " ", "ÁVH", "1956"]), max_size=20))
def test_hyphenation_of_real_words_in_any_order(words: list[str]) -> None:
    text = " ".join(words)
    result = hyphenate_text(text)
    assert result.replace(SOFT_HYPHEN, "") == text
    assert _broken_clusters(result) == []


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(exclude_characters=SOFT_HYPHEN), max_size=40))
def test_hyphenation_of_arbitrary_unicode_keeps_the_text(text: str) -> None:
    assert hyphenate_text(text).replace(SOFT_HYPHEN, "") == text
