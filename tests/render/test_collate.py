"""Alphabetical order by the book's language: ICU collation through the locale.

The Hungarian cases are the ones the retired hand-written rules were checked against
(digraphs, ö after o, a doubled digraph counting twice, Lukács < Lyuk); English, German and
Polish follow.
"""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bookbuild.locale import locale_for
from conftest import REPO

hu_sort_key = locale_for("hu").sort_key


def sort_hungarian(items: list[str]) -> list[str]:
    return sorted(items, key=hu_sort_key)


PEOPLE_FACTS = REPO.parent / "shared" / "reference" / "people-facts.tsv"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # digraphs are letters of their own, after the plain first letter
        ("Cegléd", "Csepel"),
        ("Cukor", "Csatorna"),
        ("Czuczor", "Csaba"),
        ("Dudás", "Dzsungel"),
        ("Gulyás", "Gyula"),
        ("luk", "lyuk"),
        ("Nyugat", "Nyúl"),
        ("Sztálin", "Szuszlov"),
        ("Szabó", "Sztálin"),
        ("Szuszlov", "Tamás"),
        ("Sinkovits", "Szabó"),
        ("Zoltán", "Zsiga"),
        ("Tyukod", "Ugocsa"),
        ("dzsúdó", "e"),
        # o/ó < ö/ő and u/ú < ü/ű are different letters
        ("Kossuth", "Kőbánya"),
        ("Kovács", "Kőbánya"),
        ("Oszkár", "Ödön"),
        ("Ödön", "Pál"),
        ("Uzsok", "Ükös"),
        ("Szőnyi", "Sztálin"),
        ("Szőnyi", "Szuszlov"),
        # a=á, e=é … at the primary level: the next letter decides
        ("Pálffy", "Petőfi"),
        ("Rajk", "Rákosi"),
        ("Kádár", "Kéthly"),
        ("Tildy", "Tito"),
        ("ír", "isten"),
        # short before long only when the letters are otherwise equal
        ("kor", "kór"),
        ("kerek", "kerék"),
        ("kerék", "kérek"),
        ("öt", "őt"),
        # a doubled digraph counts as two letters: hosszú = h o sz sz ú
        ("hosszú", "hoszú"),
        ("hosz", "hosszú"),
        ("asszony", "aszú"),
        ("megy", "meggy"),  # m e gy < m e gy gy
        ("megye", "meggy"),  # m e gy e < m e gy gy
        ("könnyű", "könyv"),
        # letter by letter, spaces and hyphens ignored: nagybritannia < nagyimre
        ("Nagy-Britannia", "Nagy Imre"),
        ("Nagy Imre", "Nagyító"),
        ("Nagy", "Nagy Imre"),
        # case only decides between otherwise equal strings, lower case first
        ("kossuth", "Kossuth"),
        ("Mező", "mezőgazdaság"),
        # digits before letters
        ("1956", "A"),
        ("16 pont", "Andropov"),
        # foreign letters sort as their base letter, after the Hungarian forms
        ("Ärger", "Arzén"),
        ("a", "ä"),
        ("á", "ä"),
        ("Mañana", "Manó"),
        ("Čapek", "Cukor"),
        ("Čapek", "Csapó"),
        ("Strasse", "Straße"),
        ("Straße", "Strasze"),
    ],
)
def test_pair_order(first: str, second: str) -> None:
    assert hu_sort_key(first) < hu_sort_key(second)
    assert sort_hungarian([second, first]) == [first, second]


def test_equal_letters_fall_back_to_punctuation_then_original() -> None:
    assert hu_sort_key("Nagy Imre") != hu_sort_key("Nagy-Imre")
    assert sort_hungarian(["Nagy-Imre", "Nagy Imre"]) == ["Nagy Imre", "Nagy-Imre"]
    assert hu_sort_key("a b") == hu_sort_key("a b")


def test_case_and_accents_are_weaker_than_letters() -> None:
    assert sort_hungarian(["Csepel", "CSEPEL", "csepel"]) == ["csepel", "Csepel", "CSEPEL"]
    assert sort_hungarian(["avh", "ÁVH", "avhx"]) == ["avh", "ÁVH", "avhx"]


def test_dzs_is_one_letter() -> None:
    assert sort_hungarian(["dzsem", "dzem", "dem"]) == ["dem", "dzem", "dzsem"]
    assert sort_hungarian(["Lyuk", "Lukács"]) == ["Lukács", "Lyuk"]


def test_people_facts_order_checked_by_hand() -> None:
    lines = PEOPLE_FACTS.read_text(encoding="utf-8").splitlines()
    names = [line.split("\t")[0] for line in lines[1:] if line.strip()]
    assert len(names) == 40
    # Checked letter by letter: s < sz, o/ó < ö/ő < p … t < ty < u, a = á (Rajk < Rákosi
    # because j < k), "Iván Kovács László" under I.
    expected = [
        "Andropov, Jurij Vlagyimirovics",
        "Bem József",
        "Donáth Ferenc",
        "Dudás József",
        "Farkas Mihály",
        "Gerő Ernő",
        "Gimes Miklós",
        "Hegedüs András",
        "Hruscsov, Nyikita Szergejevics",
        "Iván Kovács László",
        "Kádár János",
        "Kéthly Anna",
        "Király Béla",
        "Kodály Zoltán",
        "Kovács Béla",
        "Losonczy Géza",
        "Lukács György",
        "Maléter Pál",
        "Mező Imre",
        "Mikojan, Anasztasz Ivanovics",
        "Mindszenty József",
        "Münnich Ferenc",
        "Nagy Imre",
        "Nickelsburg László",
        "Pálffy György",
        "Petőfi Sándor",
        "Pongrátz Gergely",
        "Rajk László",
        "Rákosi Mátyás",
        "Sinkovits Imre",
        "Szabó János („Szabó bácsi”)",
        "Szalai András",
        "Széll Jenő",
        "Szigethy Attila",
        "Szilágyi József",
        "Szőnyi Tibor",
        "Sztálin, Joszif Visszarionovics",
        "Szuszlov, Mihail Andrejevics",
        "Tildy Zoltán",
        "Tito, Josip Broz",
    ]
    assert sorted(names) == sorted(expected)
    assert sort_hungarian(names) == expected


_TEXT = st.text(
    alphabet=st.sampled_from(list("aáeéoóöőuúüűcszgydlnytkKCSZGYÖŐÜŰÁ -,.'0123456789äßñčś")),
    max_size=12,
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_TEXT, max_size=12), st.randoms(use_true_random=False))
def test_sort_is_a_total_order(items: list[str], rnd: random.Random) -> None:
    ordered = sort_hungarian(items)
    assert sort_hungarian(ordered) == ordered
    shuffled = list(items)
    rnd.shuffle(shuffled)
    assert sort_hungarian(shuffled) == ordered
    assert sorted(ordered) == sorted(items)
    for a, b in itertools.pairwise(ordered):
        assert hu_sort_key(a) <= hu_sort_key(b)


@settings(max_examples=200, deadline=None)
@given(_TEXT, _TEXT)
def test_key_is_deterministic_and_distinguishes_strings(a: str, b: str) -> None:
    assert hu_sort_key(a) == hu_sort_key(a)
    assert (hu_sort_key(a) == hu_sort_key(b)) == (a == b)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=20))
def test_key_accepts_any_text(text: str) -> None:
    hu_sort_key(text)


# ---------------------------------------------------------------- other languages


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("en", ["Abbott", "Ångström", "Baker", "de Gaulle", "Eden", "MacArthur", "McCarthy",
                "O'Brien", "Zhou"]),
        ("de", ["Ahrens", "Ärger", "Azur", "Muller", "Müller", "Mulm", "Straße", "Strasser",
                "Zander"]),
        # Polish: ś, ź, ż are letters of their own (s < ś < t, z < ź < ż)
        ("pl", ["Sw", "Szczecin", "Świdnik", "Walentynowicz", "Wałęsa", "Zabrze", "Źródło",
                "Żoliborz"]),
        ("hu", ["Cegléd", "Cukor", "Csepel", "Kossuth", "Kőbánya", "Lukács", "Lyuk",
                "Sinkovits", "Szabó", "Zoltán", "Zsiga"]),
    ],
)
def test_collation_of_each_language(tag: str, expected: list[str]) -> None:
    key = locale_for(tag).sort_key
    for seed in range(3):
        shuffled = list(expected)
        random.Random(seed).shuffle(shuffled)
        assert sorted(shuffled, key=key) == expected


def test_polish_names_in_an_english_book() -> None:
    # outside Polish, ś is an s with an accent: Świdnik stands between Sw… and Sz…
    key = locale_for("en").sort_key
    assert key("Walentynowicz") < key("Wałęsa")
    assert key("Swarzędz") < key("Świdnik") < key("Szczecin")
    names = ["Wałęsa, Lech", "Świdnik", "Szczecin", "Walentynowicz, Anna", "Swarzędz"]
    assert sorted(names, key=key) == ["Swarzędz", "Świdnik", "Szczecin", "Walentynowicz, Anna",
                                      "Wałęsa, Lech"]
    for tag in ("de", "hu"):
        assert locale_for(tag).sort_key("Walentynowicz") < locale_for(tag).sort_key("Wałęsa")


def test_german_umlaut_sorts_with_its_vowel_not_after_z() -> None:
    key = locale_for("de").sort_key
    assert key("Ärger") < key("Azur") and key("Österreich") < key("Ozean")


def test_hungarian_umlaut_is_a_letter_after_its_vowel() -> None:
    key = locale_for("hu").sort_key
    assert key("Ozean") < key("Österreich")


@pytest.mark.parametrize("tag", ["en", "de", "hu", "pl"])
def test_an_inverted_heading_is_ordered_up_to_its_comma(tag: str) -> None:
    """Letter by letter, but the comma of "Surname, Forename" ends the heading's first
    part (as indexes order, whichever style): spaces and punctuation ignored throughout
    ran "Wood, Zack" as "WoodZack", after "Woodward"."""
    key = locale_for(tag).sort_key
    people = ["Woodward, Alan", "Wood, Zack", "Wood, William M.", "Woods, Anna"]
    assert sorted(people, key=key) == ["Wood, William M.", "Wood, Zack", "Woods, Anna",
                                       "Woodward, Alan"]
    places = ["Lawrence Common", "Washington Mill", "Lawrence, Massachusetts",
              "Washington, D.C."]
    assert sorted(places, key=key) == ["Lawrence, Massachusetts", "Lawrence Common",
                                       "Washington, D.C.", "Washington Mill"]


def test_without_a_comma_the_order_is_still_letter_by_letter() -> None:
    key = locale_for("en").sort_key
    assert sorted(["New York", "Newark", "New Bedford"], key=key) == [
        "Newark", "New Bedford", "New York"]
