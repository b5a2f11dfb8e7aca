"""The timeline figure of a day-by-day part, read back from the booklet: a week and three
months, every key event drawn, ranges marked, nothing outside the page's text area."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pikepdf
import pytest

from bookbuild.errors import Diagnostics
from bookbuild.manuscript import find_project, read_manuscript
from bookbuild.render.book import build_view
from bookbuild.render.figures import FONT_SIZE, WIDTH, text_width, timeline_figure
from conftest import VALID, build_into
from pdfgeom import Box, figure_extents, page_words, struct_figures

MM = 72 / 25.4
A5 = (419.53, 595.28)
# the A5 booklet's text area (layouts/css/booklet.css): 17 mm top, 18 mm bottom,
# 15 mm outside and 19 mm inside
TOP, BOTTOM, OUTSIDE, INSIDE = 17 * MM, 18 * MM, 15 * MM, 19 * MM
COLUMN = A5[0] - OUTSIDE - INSIDE

LONG = ("A munkástanácsok küldöttei a gyárakból a városháza elé vonulnak, és a "
        "sztrájk folytatásáról tanácskoznak")


def content_box(page_number: int) -> Box:
    left = INSIDE if page_number % 2 else OUTSIDE  # odd pages are right-hand pages
    right = OUTSIDE if page_number % 2 else INSIDE
    return Box(left, BOTTOM, A5[0] - right, A5[1] - TOP)


def event_yaml(event_id: str, date: str, title: str, key: bool) -> str:
    return (f"- id: {event_id}\n  part: days\n  date: {date}\n  title: {json.dumps(title)}\n"
            f"  key: {'true' if key else 'false'}\n  text: A nap eseménye.\n")


def make_book(root: Path, events: list[tuple[str, str, bool]]) -> Path:
    """The valid fixture with ``events`` (date, title, key) added to its day-by-day part."""
    project = root / "book"
    shutil.copytree(VALID, project)
    chronology = project / "manuscript" / "chronology.yaml"
    text = chronology.read_text(encoding="utf-8")
    text = text.rstrip("\n") + "\n" + "".join(event_yaml(f"ev-{i}", date, title, key)
                    for i, (date, title, key) in enumerate(events))
    chronology.write_text(text, encoding="utf-8")
    return project


def week() -> list[tuple[str, str, bool]]:
    out = []
    for offset in range(1, 7):
        day = dt.date(1956, 10, 23) + dt.timedelta(days=offset)
        out.append((day.isoformat(), f"Hét {offset}. napja: gyűlés", True))
        if offset == 2:
            out.append(("1956-10-25/1956-10-28", "Általános sztrájk négy napig", True))
        if offset == 3:
            out.append((day.isoformat(), LONG, True))
        if offset == 4:
            out.append((day.isoformat(), "Csendes nap", False))
    return out


def three_months() -> list[tuple[str, str, bool]]:
    out = []
    start = dt.date(1956, 10, 24)
    for offset in range(0, 91):
        day = start + dt.timedelta(days=offset)
        if offset % 3 == 0:
            out.append((day.isoformat(), f"Kulcsesemény {offset}", True))
        elif offset % 3 == 1:
            out.append((day.isoformat(), f"Mellékesemény {offset}", False))
        if offset == 20:
            out.append(("1956-11-13/1956-11-25", "A nagy sztrájk hetei", True))
        if offset == 45:
            out.append((day.isoformat(), LONG, True))
    return out


BOOKS = {"week": week, "three-months": three_months}


@pytest.fixture(scope="module", params=sorted(BOOKS))
def timeline_book(request: pytest.FixtureRequest,
                  tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp(f"timeline-{request.param}")
    project = make_book(root, BOOKS[request.param]())
    out = build_into(project, root / "dist", "booklet")
    return project, out / "probakonyv-booklet.pdf"


def view_of(project: Path):  # type: ignore[no-untyped-def]
    manuscript = read_manuscript(find_project(project), Diagnostics())
    return build_view(manuscript, manuscript.edition("booklet"))


def words_in(pdf: Path, page: int, box: Box) -> str:
    return " ".join(w.text for w in page_words(pdf, page) if w.box.overlaps(box))


def figure_pages(pdf_path: Path) -> list[tuple[int, Box]]:
    """(1-based page, extent) of every timeline piece: the /Figure sequences holding the
    timeline's axis (taller than any other figure of the fixture)."""
    with pikepdf.open(pdf_path) as pdf:
        return [(i + 1, box) for i in range(len(pdf.pages)) for box in figure_extents(pdf, i)]


@pytest.mark.slow
def test_every_key_event_is_drawn_within_the_text_area(timeline_book: tuple[Path, Path]) -> None:
    project, pdf = timeline_book
    view = view_of(project)
    pieces = figure_pages(pdf)
    assert pieces
    drawn = ""
    for page, box in pieces:
        assert box.within(content_box(page)), (page, box, content_box(page))
        drawn += " " + words_in(pdf, page, box)
    drawn = re.sub(r"\s+", " ", drawn)
    days = [e for p in view.parts if p.kind == "days" for g in p.groups for e in g.events]
    keys = [e for e in days if e.event.key]
    assert len(keys) >= 7
    for event in keys:
        assert event.event.title in drawn, event.event.title
    for event in days:
        if not event.event.key:
            assert event.event.title not in drawn
    # the PDF's figure tags carry the events as alternative text
    with pikepdf.open(pdf) as document:
        alts = " ".join(struct_figures(document))
    for event in keys:
        assert event.event.title in alts, event.event.title


@pytest.mark.slow
def test_nothing_but_the_running_head_and_folio_outside_the_text_area(
        timeline_book: tuple[Path, Path]) -> None:
    _project, pdf = timeline_book
    for page, _box in figure_pages(pdf):
        area = content_box(page)
        outside = [w.text for w in page_words(pdf, page)
                   if not w.box.within(area, slack=1.5)]
        heads = [w for w in outside if not (w == str(page) or w.isupper() or w == ",")]
        assert not heads, (page, heads)


@pytest.mark.slow
def test_three_months_continue_on_the_next_pages(tmp_path: Path) -> None:
    project = make_book(tmp_path, three_months())
    figure = timeline_figure(view_of(project))
    assert figure is not None
    assert len(figure.pieces) > 1
    # every key event, a range too, in the alternative text
    assert "A nagy sztrájk hetei" in figure.description
    assert "Kulcsesemény 90" in figure.description
    assert "Mellékesemény" not in figure.description


def test_a_range_is_marked_beside_the_axis(tmp_path: Path) -> None:
    figure = timeline_figure(view_of(make_book(tmp_path, week())))
    assert figure is not None
    assert len(figure.pieces) == 1
    svg = str(figure.svg)
    bars = re.findall(r'<rect x="[\d.]+" y="([\d.]+)" width="2.4" height="([\d.]+)"', svg)
    assert len(bars) == 1
    _y, height = (float(v) for v in bars[0])
    assert height > 3 * 14  # from the first to the fourth day
    assert "okt.\u00a025–28. Általános sztrájk" in figure.description
    # every day of a week has its row, quiet days too
    for day in range(23, 30):
        assert f"okt.\u00a0{day}." in svg


def test_labels_are_legible_in_the_a5_column(tmp_path: Path) -> None:
    figure = timeline_figure(view_of(make_book(tmp_path, week())))
    assert figure is not None
    scale = COLUMN / WIDTH
    sizes = {float(s) for s in re.findall(r'font-size="([\d.]+)"', str(figure.svg))}
    assert sizes == {FONT_SIZE}
    assert FONT_SIZE * scale >= 7.0
    # the long title is wrapped, not cut
    assert LONG in figure.description
    drawn = re.findall(r'font-family="BB Serif">([^<]*)</text>', str(figure.svg))
    assert LONG not in drawn and LONG in " ".join(drawn)


def test_the_moment_is_set_apart_from_the_title(tmp_path: Path) -> None:
    """A time or a time of day stands in a column of its own, in the day labels' face:
    set before the title in the body face it read as the title's first word ("délután
    Vége az egypártrendszernek")."""
    project = make_book(tmp_path, week())
    chronology = project / "manuscript" / "chronology.yaml"
    chronology.write_text(chronology.read_text(encoding="utf-8") + (
        "- id: ev-time\n  part: days\n  date: 1956-10-30\n  time: \"15:00\"\n"
        "  title: Vége az egypártrendszernek\n  key: true\n  text: A nap eseménye.\n"
        "- id: ev-daytime\n  part: days\n  date: 1956-10-30\n  time_of_day: délután\n"
        "  title: Tárgyalás a laktanyában\n  key: true\n  text: A nap eseménye.\n"),
        encoding="utf-8")
    figure = timeline_figure(view_of(project))
    assert figure is not None
    texts = re.findall(r'<text x="([\d.]+)" y="([\d.]+)" font-size="[\d.]+" '
                       r'font-family="(BB Sans|BB Serif)">([^<]*)</text>', str(figure.svg))
    placed = {text: (float(x), float(y), face) for x, y, face, text in texts}
    moments = [placed["15:00"], placed["délután"]]
    titles = [placed["Vége az egypártrendszernek"], placed["Tárgyalás a laktanyában"]]
    assert {m[2] for m in moments} == {"BB Sans"} and {t[2] for t in titles} == {"BB Serif"}
    # each moment on its title's line, every title (with a moment or not) at one x,
    # to the right of the widest moment
    assert [m[1] for m in moments] == [t[1] for t in titles]
    column = {x for x, _, face in placed.values() if face == "BB Serif"}
    assert len(column) == 1
    assert column.pop() >= max(m[0] for m in moments) + text_width("délután", family="BB Sans")
    # the list under the drawing names them as cross-references do, a range by its dates
    labels = {item.title: item.label for item in figure.items}
    assert labels["Vége az egypártrendszernek"] == "okt.\u00a030., 15:00"
    assert labels["Tárgyalás a laktanyában"] == "okt.\u00a030., délután"
    assert labels["Általános sztrájk négy napig"].startswith("okt.")
    assert labels["Általános sztrájk négy napig"].count("okt.") == 1
    # the alternative text still reads moment and title together
    assert "15:00 Vége az egypártrendszernek" in figure.description
    assert "délután Tárgyalás a laktanyában" in figure.description


def test_a_moment_wider_than_its_column_takes_a_line_of_its_own() -> None:
    from bookbuild.render.figures import TEXT_WIDTH, _moment_column, _moment_room

    assert _moment_column([]) == _moment_column(["", ""]) == 0.0
    assert _moment_column(["15:00", "délután"]) == _moment_room("délután")
    long = "in the small hours of the morning, before the curfew ended"
    assert _moment_room(long) > TEXT_WIDTH / 3
    assert _moment_column(["15:00", long]) == TEXT_WIDTH / 3
