"""The locale layer: language tags, catalogues, words, dates of every precision, time of day."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bookbuild.errors import Diagnostics
from bookbuild.locale import UnknownLanguage, languages, locale_for, message_ids
from bookbuild.locale.catalogue import CATALOGUE_DIR
from bookbuild.manuscript import find_project, read_manuscript
from bookbuild.manuscript.model import DatePrecision, EventDate, Relation, TimeOfDay
from bookbuild.render.labels import page_reference_css, template_labels
from conftest import FIXTURES

NB = "\u00a0"
WJ = "\u2060"


def day(iso: str, end: str = "") -> EventDate:
    start = dt.date.fromisoformat(iso)
    return EventDate(start, dt.date.fromisoformat(end) if end else start, DatePrecision.DAY)


def month(year: int, number: int, end_year: int = 0, end_month: int = 0) -> EventDate:
    first, _ = EventDate.month(year, number)
    _, last = EventDate.month(end_year or year, end_month or number)
    return EventDate(first, last, DatePrecision.MONTH)


# ---------------------------------------------------------------- tags and catalogues


def test_supported_languages() -> None:
    assert {"hu", "en", "de"} <= set(languages())


@pytest.mark.parametrize(("tag", "language"), [("hu", "hu"), ("hu-HU", "hu"), ("en-GB", "en"),
                                               ("de-AT", "de"), ("en_US", "en"), ("DE", "de")])
def test_tags_resolve_to_their_language(tag: str, language: str) -> None:
    assert locale_for(tag).language == language


def test_tags_are_canonical() -> None:
    assert [locale_for(t).tag for t in ("hu", "hu_HU", "en-us", "DE-at")] == [
        "hu", "hu-HU", "en-US", "de-AT"]


@pytest.mark.parametrize("tag", ["xx", "", "hu\nheader-includes: x", "../hu", "sw", "1956",
                                 "en-", "x-foo", "hu" * 20])
def test_unknown_tags_are_refused(tag: str) -> None:
    with pytest.raises(UnknownLanguage) as info:
        locale_for(tag)
    assert "hu" in info.value.hint


def test_every_catalogue_has_every_message() -> None:
    """Fails when a key is added to one catalogue but missing from another."""
    everything = message_ids()
    assert len(everything) > 30
    for language in languages():
        with (CATALOGUE_DIR / f"{language}.po").open("rb") as handle:
            po = read_po(handle)
        have = {str(m.id) for m in po if m.id and m.string}
        assert have == everything, (language, sorted(everything - have))
        assert po.locale is not None and str(po.locale).startswith(language)


def test_catalogues_differ_in_every_word() -> None:
    hu, en, de = (locale_for(t) for t in ("hu", "en", "de"))
    for key in ("contents", "imprint", "notes", "see", "key_events", "whoswho", "index.person",
                "relation.enacts", "landmarks", "page_list", "accessibility_summary"):
        assert len({hu.word(key), en.word(key), de.word(key)}) == 3, key


def test_labels_override_words() -> None:
    base = locale_for("en")
    book = base.with_labels({"contents": "In this book", "nonsense": "ignored"})
    assert book.word("contents") == "In this book"
    assert base.word("contents") == "Contents"
    assert template_labels(book)["contents"] == "In this book"
    with pytest.raises(KeyError):
        book.word("nonsense")


def test_template_labels_group_dotted_keys() -> None:
    labels = template_labels(locale_for("de"))
    assert labels["contents"] == "Inhalt"
    assert labels["roles"] == {"editor": "Herausgeber", "author": "Autor",  # type: ignore[comparison-overlap]
                               "translator": "Übersetzer", "illustrator": "Illustrator",
                               "contributor": "Mitwirkender"}
    assert labels["index_titles"]["person"] == "Personenregister"  # type: ignore[index]
    assert labels["relations"]["defies"] == "widersetzt sich"  # type: ignore[index]


# ---------------------------------------------------------------- numbered words


def test_numbered_words() -> None:
    hu, en, de = (locale_for(t) for t in ("hu", "en", "de"))
    assert (hu.page_ref(8), en.page_ref(8), de.page_ref(8)) == (f"8.{NB}o.", f"p.{NB}8",
                                                                 f"S.{NB}8")
    assert (hu.demand_point("13."), en.demand_point("13."), de.demand_point("8–10.")) == (
        f"13.{NB}pont", f"point{NB}13", f"Punkt{NB}8–10")
    assert (hu.mention_label(2), en.mention_label(2)) == (f"2.{NB}említés", f"mention{NB}2")
    assert en.relation(Relation.ANSWERS) == "answers"
    assert hu.relation(Relation.ENACTS) == "megvalósítja"
    assert en.page_affixes() == (f"p.{NB}", "")
    assert hu.page_affixes() == ("", f".{NB}o.")


def test_page_reference_css_is_escaped() -> None:
    hostile = locale_for("en").with_labels({"page_ref": 'p"; } body { display: none {page}'})
    css = page_reference_css(hostile)
    # the label stays inside its CSS string: no quote, brace or semicolon of its own
    assert css.count('"') == 4 and css.count("{") == 1 and css.count("}") == 1
    assert css.count(";") == 2
    assert page_reference_css(locale_for("hu")).endswith(
        '--page-ref-before: ""; --page-ref-after: "\\00002e\\0000a0o\\00002e"; }')


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("tag", "expected"),
    # day and month glued (the dates bookbuild writes keep them on one line)
    [("hu", "1980. augusztus\u00a014., csütörtök"), ("en", "Thursday, 14\u00a0August 1980"),
     ("en-US", "Thursday, August\u00a014, 1980"), ("de", "Donnerstag, 14.\u00a0August 1980"),
     ("de-AT", "Donnerstag, 14.\u00a0August 1980")],
)
def test_day_heading_with_weekday(tag: str, expected: str) -> None:
    assert locale_for(tag).day_heading(dt.date(1980, 8, 14)) == expected


@pytest.mark.parametrize(
    ("tag", "date", "with_year", "expected"),
    [
        ("hu", day("1956-10-23"), True, f"1956. október{NB}23."),
        ("hu", day("1956-10-23"), False, f"október{NB}23."),
        ("hu", day("1956-07-18", "1956-07-21"), True, f"1956. július{NB}18–{WJ}21."),
        ("hu", day("1956-10-23", "1956-11-04"), True, f"1956. október{NB}23.{NB}– november{NB}4."),
        ("hu", day("1956-12-30", "1957-01-02"), True,
         f"1956. december{NB}30.{NB}– 1957. január{NB}2."),
        ("hu", month(1956, 2), True, "1956. február"),
        ("hu", month(1956, 2, 1956, 3), True, "1956. február–március"),
        ("hu", month(1956, 2, 1957, 3), True, f"1956. február{NB}– 1957. március"),
        ("en", day("1980-08-14"), True, f"14{NB}August 1980"),
        ("en", day("1980-08-14"), False, f"14{NB}August"),
        ("en", day("1980-08-14", "1980-08-31"), True, f"14–{WJ}31{NB}August 1980"),
        ("en", day("1980-08-14", "1980-09-03"), True, f"14{NB}August{NB}– 3{NB}September 1980"),
        ("en", month(1980, 8), True, "August 1980"),
        ("en", month(1976, 6, 1981, 3), True, f"June 1976{NB}– March 1981"),
        ("de", day("1989-10-09"), True, f"9.{NB}Oktober 1989"),
        ("de", day("1989-10-09", "1989-10-18"), True, f"9.–18.{NB}Oktober 1989"),
        ("de", month(1989, 11), True, "November 1989"),
        ("de", month(1989, 11), False, "November"),
    ],
)
def test_long_dates(tag: str, date: EventDate, with_year: bool, expected: str) -> None:
    assert locale_for(tag).long_date(date, with_year=with_year) == expected


@pytest.mark.parametrize(
    ("tag", "date", "with_year", "expected"),
    [
        ("hu", day("1956-10-23"), False, f"okt.{NB}23."),
        ("hu", day("1956-10-23"), True, f"1956. okt.{NB}23."),
        ("hu", day("1956-11-04", "1956-11-09"), False, f"nov.{NB}4–{WJ}9."),
        ("hu", month(1956, 2), False, "1956. febr."),
        ("en", day("1980-10-23"), False, f"23{NB}Oct"),
        ("en", day("1980-10-23"), True, f"23{NB}Oct 1980"),
        ("de", day("1989-10-23"), False, f"23.{NB}Okt."),
        ("de", day("1989-10-23"), True, f"23.{NB}Okt. 1989"),
        ("de", month(1989, 11), False, "Nov. 1989"),
    ],
)
def test_short_dates(tag: str, date: EventDate, with_year: bool, expected: str) -> None:
    assert locale_for(tag).short_date(date, with_year=with_year) == expected


def test_build_date_and_weekdays() -> None:
    assert locale_for("hu").build_date(dt.date(2024, 3, 1)) == f"2024. március{NB}1."
    assert locale_for("en").build_date(dt.date(2024, 3, 1)) == f"1{NB}March 2024"
    assert locale_for("de").build_date(dt.date(2024, 3, 1)) == f"1.{NB}März 2024"
    tuesday = dt.date(1956, 10, 23)
    assert [locale_for(t).weekday_short(tuesday) for t in ("hu", "en", "de")] == [
        "K", "Tue", "Di"]
    assert locale_for("en").day_month(tuesday) == f"23{NB}Oct"


# ---------------------------------------------------------------- time of day


def test_time_of_day_printed_in_the_language() -> None:
    assert [locale_for("hu").time_of_day(t) for t in TimeOfDay] == [
        "hajnal", "reggel", "délelőtt", "délután", "este", "éjjel"]
    assert locale_for("en").time_of_day(TimeOfDay.EVENING) == "evening"
    assert locale_for("de").time_of_day(TimeOfDay.FORENOON) == "vormittags"


def test_time_of_day_accepts_keys_and_the_languages_own_words() -> None:
    hu, en, de = (locale_for(t) for t in ("hu", "en", "de"))
    assert hu.parse_time_of_day("este") is TimeOfDay.EVENING
    assert hu.parse_time_of_day("evening") is TimeOfDay.EVENING
    assert de.parse_time_of_day("abends") is TimeOfDay.EVENING
    assert de.parse_time_of_day("nachts") is TimeOfDay.NIGHT
    assert en.parse_time_of_day("este") is None  # a Hungarian word is not English
    assert de.parse_time_of_day("este") is None


def _book(tmp_path: Path, book_extra: str, event_extra: str) -> Diagnostics:
    src = FIXTURES / "valid" / "manuscript"
    target = tmp_path / "manuscript"
    target.mkdir(parents=True)
    for path in src.iterdir():
        target.joinpath(path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    book = target / "book.yaml"
    book.write_text(book.read_text(encoding="utf-8").replace("language: hu", book_extra),
                    encoding="utf-8")
    chronology = target / "chronology.yaml"
    text = chronology.read_text(encoding="utf-8")
    chronology.write_text(text.replace("time_of_day: este", event_extra, 1), encoding="utf-8")
    diagnostics = Diagnostics()
    read_manuscript(find_project(tmp_path), diagnostics)
    return diagnostics


def test_hungarian_book_keeps_its_hungarian_time_words(tmp_path: Path) -> None:
    assert not _book(tmp_path, "language: hu", "time_of_day: este").errors


def test_english_book_accepts_keys_and_refuses_hungarian_words(tmp_path: Path) -> None:
    diagnostics = _book(tmp_path, "language: en", "time_of_day: este")
    [error] = [d for d in diagnostics.errors if "time of day" in d.message]
    assert "chronology.yaml" in str(error.location) and error.location.line > 0
    assert "dawn, morning, forenoon, afternoon, evening, night" in error.hint
    assert not _book(tmp_path / "b", "language: en", "time_of_day: evening").errors


def test_unknown_language_is_located(tmp_path: Path) -> None:
    diagnostics = _book(tmp_path, "language: xx", "time_of_day: este")
    [error] = [d for d in diagnostics.errors if "language" in d.message]
    assert "book.yaml" in str(error.location) and error.location.line > 0
    assert "hu" in error.hint


def test_a_book_without_a_language_is_told_to_name_one(tmp_path: Path) -> None:
    """No silent default: an English book left without ``language:`` would otherwise get
    another language's quotes, hyphenation and words."""
    diagnostics = _book(tmp_path, "", "time_of_day: evening")
    [error] = [d for d in diagnostics.errors if "language" in d.message]
    assert str(error.location).startswith("manuscript/book.yaml:")


def test_unknown_label_is_a_located_warning(tmp_path: Path) -> None:
    diagnostics = _book(tmp_path, "language: hu\nlabels: {contents: Mi van benne, contnets: x}",
                        "time_of_day: este")
    [warning] = [d for d in diagnostics.warnings if "label" in d.message]
    assert "contnets" in warning.message and "contents" in warning.hint
    assert warning.location.line > 0


# ---------------------------------------------------------------- the view's use of dates


def _fixture_view(**changes: object) -> object:
    from dataclasses import replace

    from bookbuild.render.book import build_view

    diagnostics = Diagnostics()
    manuscript = read_manuscript(find_project(FIXTURES / "valid"),
                                 diagnostics)
    assert not diagnostics.errors
    events = manuscript.events
    if "shift_last_to" in changes:
        last = events[-1]
        moved = dt.date.fromisoformat(str(changes["shift_last_to"]))
        events = (*events[:-1], replace(last, date=EventDate(moved, moved, DatePrecision.DAY)))
    return build_view(replace(manuscript, events=events))


def test_dates_carry_the_year_when_the_days_span_years() -> None:
    one_year = _fixture_view()
    assert [v.reference for v in one_year.events][1:] == [  # type: ignore[attr-defined]
        f"okt.{NB}23., 15:00", f"okt.{NB}23., este"]
    two_years = _fixture_view(shift_last_to="1957-01-05")
    assert [v.reference for v in two_years.events][1:] == [  # type: ignore[attr-defined]
        f"1956. okt.{NB}23., 15:00", f"1957. jan.{NB}5., este"]
    # a month date always carries its year and does not make the book span years
    assert one_year.events[0].date_label == "1956. február"  # type: ignore[attr-defined]


def test_locales_are_hashable_and_labels_reach_typography() -> None:
    book = locale_for("en").with_labels({"typography.number_words": "pages"})
    assert hash(book) != hash(locale_for("en")) or book != locale_for("en")
    assert book.typeset("about 30 pages") == f"about 30{NB}pages"
    assert locale_for("en").typeset("about 30 pages") == "about 30 pages"
