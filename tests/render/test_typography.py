"""Typography by the book's language (bookbuild.render.typography through the locale).

Hungarian first (the 1956 book's rules), then English and German, then quotes carried
across the runs of a paragraph (a mention between them) and the no-break rules.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bookbuild.locale import locale_for
from bookbuild.render.typography import (
    convert_ellipses,
    convert_number_ranges,
    convert_spaced_hyphens,
    strip_typography,
)

NB = "\u00a0"
WJ = "\u2060"
HU = locale_for("hu")
EN = locale_for("en")
DE = locale_for("de")
PL = locale_for("pl")
typeset = HU.typeset
convert_quotes = HU.typography.convert_quotes
insert_date_spaces = HU.typography.glue


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
        ("Az MDP 1956 július 18-21-i központi", f"Az MDP 1956 július{NB}18–{WJ}21-i központi"),
        ("a harcok idején 300-400 embert", f"a harcok idején 300–{WJ}400 embert"),
        ("az 1953-55 közötti évek", f"az 1953–{WJ}55 közötti évek"),
        ("November 4-9. között", f"November{NB}4–{WJ}9. között"),
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
    text = f"Nagy Imre{NB}– akit „a »párttól« független” 18–{WJ}21-i 23.{NB}október…"
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


# ---------------------------------------------------------------- English and German


@pytest.mark.parametrize(
    ("locale", "source", "expected"),
    [
        (EN, 'He said "yes "no" maybe".', "He said “yes ‘no’ maybe”."),
        (EN, "the workers' union, don't, '56", "the workers’ union, don’t, ’56"),
        (EN, "'single' quotes", "“single” quotes"),
        (EN, "on 27 March 1980 - late", f"on 27{NB}March 1980{NB}– late"),
        (EN, "March 27, 1980", f"March{NB}27, 1980"),
        (DE, '"Keine Gewalt!" - 70.000 auf dem Ring', f"„Keine Gewalt!“{NB}– 70.000 auf dem Ring"),
        (DE, "zum 5. Oktober", f"zum 5.{NB}Oktober"),
        (DE, "„Wir sind das Volk“", "„Wir sind das Volk“"),
        (DE, 'Er rief: "Sie sagten "nein"."', "Er rief: „Sie sagten ‚nein‘.“"),
        (DE, "Erich Honecker (1912-1994), 1971-1989",
         f"Erich Honecker (1912–{WJ}1994), 1971–{WJ}1989"),
        (HU, "a 200 000 tüntető", f"a 200{NB}000 tüntető"),
        (HU, "(1773-1859)", f"(1773–{WJ}1859)"),
    ],
)
def test_language_rules(locale: object, source: str, expected: str) -> None:
    assert locale.typeset(source) == expected  # type: ignore[attr-defined]


def test_each_language_keeps_its_own_closing_quote() -> None:
    assert DE.typeset("„Aufbruch“") == "„Aufbruch“"
    assert HU.typeset("„Aufbruch“") == "„Aufbruch”"
    assert EN.typeset("„Aufbruch“") == "“Aufbruch”"


@pytest.mark.parametrize(
    ("locale", "runs", "expected"),
    [
        # a closing quote right after a mention and before punctuation stays closing
        (DE, ['das "', "Neue Forum", '".'], ["das „", "Neue Forum", "“."]),
        (DE, ["„", "Aufbruch 89 – Neues Forum", "“, danach „Demokratie jetzt“."],
         ["„", f"Aufbruch 89{NB}– Neues Forum", "“, danach „Demokratie jetzt“."]),
        (HU, ['a "', "Szabad Nép", '" szerint "ez "más" dolog"'],
         ["a „", "Szabad Nép", "” szerint „ez »más« dolog”"]),
        (EN, ['"', "Solidarity", '", they said'], ["“", "Solidarity", "”, they said"]),
    ],
)
def test_quotes_carried_across_runs(locale: object, runs: list[str],
                                    expected: list[str]) -> None:
    assert locale.typeset_runs(runs) == expected  # type: ignore[attr-defined]


def test_per_run_typesetting_would_get_it_wrong() -> None:
    # what the paragraph-wide state fixes: run by run, a quote glued to a mention before it
    # looks like an opening one, and nesting restarts at the outer level in every run
    assert DE.typeset('"-Gründer') == "„-Gründer"
    assert DE.typeset_runs(['"', "Neues Forum", '"-Gründer']) == ["„", "Neues Forum", "“-Gründer"]
    runs = ['"A ', "Forum", ' B "c" d"']
    assert [DE.typeset(r) for r in runs][2] == " B „c“ d“"
    assert DE.typeset_runs(runs) == ["„A ", "Forum", " B ‚c‘ d“"]


@settings(max_examples=100, deadline=None)
@given(_TYPO_TEXT)
def test_every_language_is_idempotent_and_keeps_the_text(text: str) -> None:
    # English: a closing inner quote glued to a letter reads as an apostrophe (’), so
    # garbage such as 'a"a' between quotes cannot be re-read the same way
    locales = (DE, PL) if re.search(r"\w[\"“”„»«'’]\w", text) else (EN, DE, PL)
    for locale in locales:
        once = locale.typeset(text)
        assert locale.typeset(once) == once
        assert strip_typography(once) == strip_typography(text)
        assert '"' not in once


def test_rendered_paragraph_keeps_quotes_right_across_a_mention() -> None:
    from bookbuild.manuscript.model import Emphasis, Mention, Text
    from bookbuild.render.inline import Linker, render_inlines

    nodes = (
        Text('Der Aufruf "'),
        Mention(("forum",), (Text("Aufbruch 89 - Neues Forum"),), anchor="m1"),
        Text('", danach "'),
        Emphasis((Text("Demokratie"),)),
        Text(' jetzt" und "das "Volk"".'),
    )
    html = str(render_inlines(nodes, Linker(locale=DE)))
    assert html == (
        'Der Aufruf „<a class="mention" id="m1" href="#idx-forum" data-ref="forum">'
        f"Aufbruch 89{NB}– Neues Forum</a>“, danach „<em>Demokratie</em> jetzt“ und "
        "„das ‚Volk‘“."
    )
    hungarian = str(render_inlines(nodes, Linker(locale=HU, link_mentions=False)))
    assert "„<span" in hungarian and "</span>”, danach „<em>" in hungarian
    assert "„das »Volk«”." in hungarian


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("strajk w stoczni i w Gdyni", f"strajk w{NB}stoczni i{NB}w{NB}Gdyni"),
        ("A potem (w sierpniu) z nimi", f"A{NB}potem (w{NB}sierpniu) z{NB}nimi"),
        ('mówił "i tak" o tym', f"mówił „i{NB}tak” o{NB}tym"),
        ("Robotników bito - a grupa", f"Robotników bito{NB}– a{NB}grupa"),
        ("Anna W. poszła, ma w", "Anna W. poszła, ma w"),  # an initial, a last word
        ("14 sierpnia 1980", f"14{NB}sierpnia 1980"),
    ],
)
def test_polish_keeps_a_one_letter_word_on_the_line_of_the_next(source: str,
                                                                expected: str) -> None:
    """Polish typesetting never ends a line with a one-letter word (a, i, o, u, w, z):
    the language's registered no-break rule (English and German books keep their spaces)."""
    assert PL.typeset(source) == expected
    assert EN.typeset("a cat in a hat") == "a cat in a hat"


def test_a_one_letter_word_before_a_mention_is_glued_to_it() -> None:
    """The mention is a run of its own: the space at the end of the run before it is the
    one made no-break."""
    assert PL.typeset_runs(["Milicja strzelała w ", "Gdańsku", " i w ", "Gdyni", "."]) == [
        f"Milicja strzelała w{NB}", "Gdańsku", f" i{NB}w{NB}", "Gdyni", "."]


def test_a_polish_time_of_day_is_printed_glued_and_read_as_written() -> None:
    from bookbuild.manuscript.model import TimeOfDay

    assert PL.time_of_day(TimeOfDay.NIGHT) == f"w{NB}nocy"  # printed in a narrow margin
    assert PL.parse_time_of_day("w nocy") is TimeOfDay.NIGHT  # as the manuscript has it
    assert PL.parse_time_of_day("night") is TimeOfDay.NIGHT


@pytest.mark.parametrize(("tag", "source", "expected"), [
    # an apostrophe opening a word, with nothing after it to close a quotation
    ("de", "\"'s ist vorbei.\" meinte er.", "„’s ist vorbei.“ meinte er."),
    ("en", "\"'Tis the season,\" she said.", "“’Tis the season,” she said."),
    ("en", "'Twas brillig.", "’Twas brillig."),
    # an inner quotation still opens and closes
    ("de", "Sie sagte: \"Er rief 'Halt!' und lief.\"", "Sie sagte: „Er rief ‚Halt!‘ und lief.“"),
    ("en", "\"and 'yes' means yes\"", "“and ‘yes’ means yes”"),
    # an inner quotation does not close outside the one around it
    ("en", "\"'s all\" and 'this'", "“’s all” and “this”"),
])
def test_an_apostrophe_at_a_words_start_is_no_quotation(tag: str, source: str,
                                                         expected: str) -> None:
    from bookbuild.locale import locale_for

    assert locale_for(tag).typeset(source) == expected


def test_german_abbreviations_stay_on_one_line() -> None:
    from bookbuild.locale import locale_for

    typeset = locale_for("de").typeset
    assert typeset("z. B. die Normen, d. h. mehr, i. d. R. so") == \
        "z.\u00a0B. die Normen, d.\u00a0h. mehr, i.\u00a0d.\u00a0R. so"
    assert typeset("Er kam u. a. aus Halle. A. Meier") == "Er kam u.\u00a0a. aus Halle. A. Meier"
    # another language keeps its spaces
    assert locale_for("en").typeset("z. B. is German") == "z. B. is German"


@pytest.mark.parametrize(("tag", "heading", "built"), [
    ("de", "Dienstag, 16.\u00a0Juni 1953", "16.\u00a0Juni 1953"),
    ("en", "Tuesday, 16\u00a0June 1953", "16\u00a0June 1953"),
    ("hu", "1953. június\u00a016., kedd", "1953. június\u00a016."),
    ("pl", "wtorek, 16\u00a0czerwca 1953", "16\u00a0czerwca 1953"),
])
def test_the_dates_bookbuild_writes_keep_day_and_month_together(tag: str, heading: str,
                                                                 built: str) -> None:
    import datetime as dt

    from bookbuild.locale import locale_for

    locale = locale_for(tag)
    assert locale.day_heading(dt.date(1953, 6, 16)) == heading
    assert locale.build_date(dt.date(1953, 6, 16)) == built


@pytest.mark.parametrize(("tag", "text", "last"), [
    ("hu", "A tüntetők a [Szegeden](@szeged) és a szuronyokkal.", "szuronyokkal"),
    ("en", "They faced the militia's *bayonets*.", "bayonets"),
    ("de", "Die Arbeiter forderten die Rücknahme der Normerhöhung", "Normerhöhung"),
])
def test_a_paragraph_never_ends_on_the_fragment_of_a_word(tag: str, text: str,
                                                           last: str) -> None:
    """The print editions' soft hyphens go in every word but a paragraph's last, so that
    no paragraph ends on a line holding the tail of a word ("bay-" / "onets.")."""
    from bookbuild.locale import locale_for
    from bookbuild.manuscript.markup import parse_rich_text
    from bookbuild.render.inline import Linker, render_inlines

    locale = locale_for(tag)
    rich, problems = parse_rich_text(text)
    assert not problems
    html = render_inlines(rich.paragraphs[0].children,
                          Linker(link_mentions=False, hyphenate=True, locale=locale))
    assert last in html  # whole, no soft hyphen in it
    assert "\u00ad" in locale.hyphenate(last)  # which it would have had
    assert html.count("\u00ad") >= 2  # the other words keep theirs
