"""Safe soft hyphens (bookbuild.render.hyphenate): Hungarian with its digraph rule, English
and German with their own Pyphen patterns, and long words in bounded time."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bookbuild.render.hyphenate as hyphenate_module
from bookbuild.locale import locale_for
from bookbuild.render.hyphenate import (
    FORBIDDEN_CLUSTERS,
    MAX_WORD_LENGTH,
    SOFT_HYPHEN,
    Hyphenator,
)

HU = locale_for("hu").hyphenator
hyphenate_text = HU.hyphenate_text
hyphenate_word = HU.hyphenate_word
safe_break_positions = HU.safe_break_positions

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


# ---------------------------------------------------------------- English and German


@pytest.mark.parametrize("word", ["brought", "founded", "workers", "speech", "groups"])
def test_english_words_are_not_split_hungarian_style(word: str) -> None:
    hungarian_style = hyphenate_word(word)
    english = locale_for("en").hyphenator.hyphenate_word(word)
    assert english.replace(SOFT_HYPHEN, "") == word
    assert english != hungarian_style or SOFT_HYPHEN not in english
    assert english.replace(SOFT_HYPHEN, "-") not in {"bro-ught", "fo-unded", "wor-kers",
                                                     "spe-ech", "gro-ups"}


def test_english_uses_english_patterns() -> None:
    en = locale_for("en").hyphenator
    assert en.hyphenate_word("revolution").replace(SOFT_HYPHEN, "-") == "re-volu-tion"
    assert en.hyphenate_word("workers").replace(SOFT_HYPHEN, "-") == "work-ers"
    assert en.hyphenate_word("brought") == "brought"


@pytest.mark.parametrize(
    ("word", "expected"),
    [("Österreich", "Ös-ter-reich"), ("Dezember", "De-zem-ber"),
     ("zugeschrieben", "zu-ge-schrie-ben")],
)
def test_german_uses_german_patterns(word: str, expected: str) -> None:
    de = locale_for("de-AT").hyphenator
    assert de.hyphenate_word(word).replace(SOFT_HYPHEN, "-") == expected


def test_the_digraph_rule_is_registered_for_hungarian_only() -> None:
    # the same Pyphen patterns without the rule would split gy and start a line with "scs"
    bare = Hyphenator("hu_HU", "")
    assert bare.hyphenate_word("meggyőzzék").replace(SOFT_HYPHEN, "-") == "meg-győz-zék"
    assert bare.hyphenate_word("Hruscsov").replace(SOFT_HYPHEN, "-") == "Hru-scsov"
    assert hyphenate_word("meggyőzzék").replace(SOFT_HYPHEN, "-") == "meggyőz-zék"
    assert hyphenate_word("Hruscsov") == "Hruscsov"


def test_a_language_without_a_dictionary_gets_no_soft_hyphens() -> None:
    assert Hyphenator("xx", "xx").hyphenate_text("forradalom revolution") == (
        "forradalom revolution")


def test_long_word_is_left_alone_in_linear_time() -> None:
    word = "a" + "bcde" * 15_000  # 60,001 letters
    assert len(word) > MAX_WORD_LENGTH
    for locale in ("hu", "en", "de"):
        assert locale_for(locale).hyphenate(word) == word
    text = " ".join([word, "forradalom"])
    assert hyphenate_text(text) == word + " for\u00adra\u00adda\u00adlom"


def test_words_up_to_the_bound_are_hyphenated() -> None:
    word = "szabadságharcosok" * 2  # 34 letters
    assert len(word) <= MAX_WORD_LENGTH
    assert SOFT_HYPHEN in hyphenate_word(word)


def test_long_word_never_reaches_the_dictionary(monkeypatch: pytest.MonkeyPatch) -> None:
    """The patterns' cost grows with the square of a word's length: a word over the bound
    is never handed to Pyphen (a real dictionary, watched), so the work stays linear."""
    import pyphen

    seen: list[int] = []
    original = pyphen.Pyphen.iterate

    def watched(self: pyphen.Pyphen, word: str):  # type: ignore[no-untyped-def]
        seen.append(len(word))
        return original(self, word)

    monkeypatch.setattr(pyphen.Pyphen, "iterate", watched)
    hyphenate_module._hyphenate_word.cache_clear()  # earlier tests must not answer for Pyphen
    word = "a" + "bcde" * 15_000
    for tag in ("hu", "en", "de"):
        text = f"{word} {word}x forradalmár"
        assert locale_for(tag).hyphenate(text).replace(SOFT_HYPHEN, "") == text
    assert seen and max(seen) <= MAX_WORD_LENGTH
