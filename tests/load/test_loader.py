"""Loading: typed model objects, located values, safe and bounded YAML, normalised Unicode."""

from __future__ import annotations

import dataclasses
import datetime as dt
import tracemalloc
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from hypothesis import given, settings
from hypothesis import strategies as st

from bookbuild.errors import Diagnostics
from bookbuild.manuscript import find_project, read_manuscript
from bookbuild.manuscript.dates import DateError, parse_clock_time, parse_event_date
from bookbuild.manuscript.load import load_manuscript
from bookbuild.manuscript.model import DatePrecision, Relation, TimeOfDay
from bookbuild.manuscript.yamlsource import YList, YMap, YScalar, parse_yaml
from conftest import VALID


def load(root: Path):  # type: ignore[no-untyped-def]
    diagnostics = Diagnostics()
    manuscript = read_manuscript(find_project(root), diagnostics)
    return manuscript, diagnostics


def test_valid_fixture_loads_into_frozen_typed_objects() -> None:
    book, diagnostics = load(VALID)
    assert not list(diagnostics)
    assert book.meta.slug == "probakonyv"
    assert [p.kind.value for p in book.parts] == ["events", "demands", "days"]
    event = book.events[1]
    assert event.date.start == dt.date(1956, 10, 23) and event.time == "15:00" and event.key
    assert book.events[2].time_of_day is TimeOfDay.EVENING
    assert book.events[0].date.precision is DatePrecision.MONTH
    hruscsov = book.entity("hruscsov")
    assert hruscsov is not None and hruscsov.kind == "people"
    assert hruscsov.life_years == "1894–1971"
    link = next(k for k in book.links if k.event == "tuntetes")
    assert (link.demand, link.relation) == ("demand-2", Relation.ENACTS)
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.title = "más"  # type: ignore[misc]


def test_mentions_get_stable_anchors_in_reading_order() -> None:
    book, _ = load(VALID)
    anchors = [n.anchor for e in book.events for n in e.text.inlines() if hasattr(n, "anchor")]
    assert anchors[:1] == ["elozmeny-m1"]
    assert "beszed-m3" in anchors


@pytest.mark.parametrize("text,start,end,precision", [
    ("1956-10-23", dt.date(1956, 10, 23), dt.date(1956, 10, 23), DatePrecision.DAY),
    ("1956-02", dt.date(1956, 2, 1), dt.date(1956, 2, 29), DatePrecision.MONTH),
    ("1956-07-18/1956-07-21", dt.date(1956, 7, 18), dt.date(1956, 7, 21), DatePrecision.DAY),
    ("1957-03", dt.date(1957, 3, 1), dt.date(1957, 3, 31), DatePrecision.MONTH),
])
def test_dates_keep_their_precision(text: str, start: dt.date, end: dt.date,
                                    precision: DatePrecision) -> None:
    date = parse_event_date(text)
    assert (date.start, date.end, date.precision) == (start, end, precision)


@pytest.mark.parametrize("text", ["1956-02-30", "1956-13", "1956-07-21/1956-07-18",
                                  "október 23", "1956-10/1956-10-23"])
def test_impossible_dates_are_refused(text: str) -> None:
    with pytest.raises(DateError):
        parse_event_date(text)


def test_values_know_their_line_and_column() -> None:
    node = parse_yaml("a:\n  - id: x\n    text: >-\n      első sor\n      második\n",
                      "f.yaml", Diagnostics())
    assert isinstance(node, YMap)
    items = node.get("a")
    assert isinstance(items, YList) and isinstance(items.items[0], YMap)
    text = items.items[0].get("text")
    assert isinstance(text, YScalar)
    assert text.value == "első sor második"
    where = text.location_at(text.value.index("második"))
    assert (where.line, where.col) == (5, 7)


def test_python_tags_are_refused() -> None:
    diagnostics = Diagnostics()
    assert parse_yaml("x: !!python/object/apply:os.system ['true']", "f", diagnostics) is None
    assert "is not allowed" in diagnostics.errors[0].message


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 12):
        prev = chr(ord("a") + i - 1)
        name = chr(ord("a") + i)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    diagnostics = Diagnostics()
    tracemalloc.start()
    try:
        assert parse_yaml("\n".join(lines), "bomb.yaml", diagnostics) is None
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * 1024 * 1024  # 9**12 values were never made
    assert "aliases" in diagnostics.errors[0].message


def test_oversized_file_is_refused(valid_copy: Path) -> None:
    (valid_copy / "manuscript" / "notes.yaml").write_bytes(b"# " + b"x" * (6 * 1024 * 1024))
    _, diagnostics = load(valid_copy)
    assert any("too large" in d.message for d in diagnostics.errors)


def test_bom_crlf_and_decomposed_accents_are_normalised(valid_copy: Path) -> None:
    people = valid_copy / "manuscript" / "people.yaml"
    text = people.read_text(encoding="utf-8").replace("Nagy Imre", "Nagy Imre")
    decomposed = unicodedata.normalize("NFD", text)
    people.write_bytes(b"\xef\xbb\xbf" + decomposed.replace("\n", "\r\n").encode("utf-8"))
    book, diagnostics = load(valid_copy)
    assert not diagnostics.errors, [d.format() for d in diagnostics]
    hruscsov = book.entity("hruscsov")
    assert hruscsov is not None and hruscsov.name == "Hruscsov, Nyikita Szergejevics"
    assert unicodedata.is_normalized("NFC", hruscsov.name)


def test_invisible_characters_in_ids_are_refused(valid_copy: Path) -> None:
    places = valid_copy / "manuscript" / "places.yaml"
    places.write_text(places.read_text(encoding="utf-8").replace("id: moszkva",
                                                                 "id: mosz\u200bkva"),
                      encoding="utf-8")
    _, diagnostics = load(valid_copy)
    assert any("invisible" in d.message for d in diagnostics.errors)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200))
def test_any_yaml_text_loads_or_reports_a_location(text: str) -> None:
    diagnostics = Diagnostics()
    node = parse_yaml(text, "fuzz.yaml", diagnostics)
    if node is None:
        assert diagnostics.errors and all(d.location.path == "fuzz.yaml"
                                          for d in diagnostics.errors)


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80))
def test_any_chronology_text_loads_without_traceback(tmp_path_factory: pytest.TempPathFactory,
                                                     text: str) -> None:
    import shutil

    root = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(VALID, root, dirs_exist_ok=True)
    (root / "manuscript" / "chronology.yaml").write_text(text, encoding="utf-8")
    diagnostics = Diagnostics()
    load_manuscript(find_project(root), diagnostics)
    for diagnostic in diagnostics:
        assert diagnostic.location.path.startswith("manuscript/")


@pytest.mark.parametrize(("written", "hint"), [
    ("20/01/1912", "write it year first, YYYY-MM-DD: 1912-01-20"),
    ("20.01.1912", "write it year first, YYYY-MM-DD: 1912-01-20"),
    ("1/20/1912", "write it year first, YYYY-MM-DD: 1912-01-20"),
    ("05/06/1912", "write it year first, YYYY-MM-DD: 1912-05-06 or 1912-06-05, as it is meant"),
])
def test_a_date_written_day_or_month_first_is_told_how_to_write_it(written: str,
                                                                    hint: str) -> None:
    with pytest.raises(DateError) as caught:
        parse_event_date(written)
    assert "not a date" in str(caught.value) and "range" not in str(caught.value)
    assert caught.value.hint == hint


def test_a_clock_time_may_leave_out_the_hours_leading_zero() -> None:
    assert parse_clock_time("7:00") == "07:00" and parse_clock_time("19:30") == "19:30"
    for wrong in ("7.30pm", "24:00", "7:5", "19.30"):
        with pytest.raises(DateError) as caught:
            parse_clock_time(wrong)
        assert "H:MM or HH:MM" in caught.value.hint


def test_an_unknown_time_of_day_lists_the_words_and_points_at_the_value(
        valid_copy: Path, cli: Callable[..., Result]) -> None:
    chronology = valid_copy / "manuscript" / "chronology.yaml"
    text = chronology.read_text(encoding="utf-8")
    chronology.write_text(text.replace("time_of_day: este", "time_of_day: késő este"),
                          encoding="utf-8")
    line = next(n for n, x in enumerate(chronology.read_text("utf-8").splitlines(), 1)
                if "késő este" in x)
    output = cli("check", valid_copy).output
    assert f"chronology.yaml:{line}:16: error: unknown time of day 'késő este'" in output
    assert "use one of dawn, morning, forenoon, afternoon, evening, night" in output
