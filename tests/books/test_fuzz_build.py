"""Fuzzing: generated manuscripts end in a build or in located errors, never a traceback or hang.

The strategies make whole projects: index entries with random names, aliases and ids
(mostly valid, sometimes not), events with random dates, times and markup that nests
mentions, emphasis, links, notes and corrections, demands, notes and book metadata, in
Unicode from plain Hungarian to combining marks, right-to-left text, emoji and control
characters. Fields are sometimes missing, mistyped or unknown. ``check`` runs on many
of them, ``build`` on a few (each takes about a second).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import inspect
import io
import os
import signal
import string
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bookbuild.commands.check import check
from bookbuild.errors import BookbuildError, Diagnostics, ManuscriptError
from bookbuild.manuscript import find_project, read_manuscript

EPOCH = "1700000000"

# Diagnostics that concern a whole file (or book.yaml as a whole) and so have no line.
FILE_LEVEL = ("duplicate part id", "names unknown part", "invalid edition name",
              "invalid layout", "file is too large", "cannot read file", "malformed YAML")

# ---------------------------------------------------------------- strategies

HUNGARIAN = string.ascii_letters + "áéíóöőúüűÁÉÍÓÖŐÚÜŰ"
PUNCTUATION = " .,;:!?-–—„”»«'\"()/%&+=#0123456789"
WILD = ("\u0301\u0308\u030b"  # combining accents
        "ßçñøåæœ"  # other Latin
        "אבג\u05d3عربي"  # right to left
        "中文日本語한국어"  # CJK: the text face has no glyphs for these
        "😀👍🏽"  # emoji
        "\u200b\u200d\u00ad\u202e\u2066\ufeff"  # zero width, soft hyphen, bidi
        "\t\x07\x1b\x7f\x9b\ufffe")  # controls and a noncharacter
MARKUP = "*[]()<>{}~^\\@#_`|+-"


def words(alphabet: str, *, min_size: int = 1, max_size: int = 24) -> st.SearchStrategy[str]:
    return st.text(alphabet=alphabet, min_size=min_size, max_size=max_size)


# What the book's own typefaces can print (and the glyph check ignores): a manuscript
# without mistakes builds. Right-to-left, CJK and emoji end the build with a clear error
# ("the text font has no glyph for …"): the faulty manuscripts bring them.
PRINTABLE_WILD = "\u0301\u0308\u030bßçñøåæœ\u200b\u00ad"


@st.composite
def plain_text(draw: st.DrawFn, *, min_size: int = 1, max_size: int = 24,
               faults: bool = True) -> str:
    """Mostly plain Hungarian; now and then wild Unicode (or, with ``faults``, markup
    characters and controls)."""
    kind = draw(st.integers(0, 9))
    if kind < 7:
        alphabet = HUNGARIAN + " "
    elif kind < 9:
        alphabet = HUNGARIAN + PUNCTUATION + (MARKUP if faults else "")
    else:
        alphabet = HUNGARIAN + PUNCTUATION + (WILD if faults else PRINTABLE_WILD)
    text = draw(words(alphabet, min_size=min_size, max_size=max_size))
    return text if faults or text.strip() else "A" + text  # blank is "empty" to the check


VALID_ID = st.from_regex(r"[a-z][a-z0-9]{0,5}(-[a-z0-9]{1,4}){0,2}", fullmatch=True)


@st.composite
def identifier(draw: st.DrawFn, faults: bool = True) -> str:
    if faults and draw(st.integers(0, 14)) == 0:  # now and then not an id at all
        return draw(st.sampled_from(["", "Nagy Imre", "ab_c", "-x", "a--b", "ő", "x\u200by",
                                     "A1", "x y", "123", "a" * 200]))
    return draw(VALID_ID)


@st.composite
def iso_date(draw: st.DrawFn, faults: bool = True) -> str:
    kind = draw(st.integers(0, 11 if faults else 10))
    wide = faults and draw(st.integers(0, 9)) == 0  # a stray year now and then
    day = draw(st.dates(min_value=dt.date(1900 if wide else 1955, 1, 1),
                        max_value=dt.date(2030 if wide else 1957, 12, 31)))
    if kind < 7:
        return day.isoformat()
    if kind < 9:
        return day.isoformat()[:7]
    if kind < 11:
        other = draw(st.dates(min_value=day, max_value=day + dt.timedelta(days=40)))
        return f"{day.isoformat()}/{other.isoformat()}"
    return draw(st.sampled_from(["1956-02-30", "1956-13", "október 23", "", "1956-10-23/",
                                 "1956/1957", "99999-01-01", "1956-10-23T10:00", "0000-01-01"]))


@st.composite
def inline(draw: st.DrawFn, entity_ids: list[str], note_ids: list[str], depth: int = 0,
           faults: bool = True) -> str:
    """One stretch of running text in the manuscript's inline syntax."""
    kinds = ["text", "text", "text", "emphasis", "strong", "link", "escape"]
    if entity_ids or faults:
        kinds.append("mention")
    if note_ids or faults:
        kinds += ["note", "correction"]
    if faults:
        kinds.append("garbage")
    kind = draw(st.sampled_from(kinds if depth < 3 else ["text", "escape"]))
    if kind == "text":
        return draw(plain_text(faults=faults))
    if not faults and kind in ("emphasis", "strong", "correction", "mention", "link"):
        # nesting *…* in **…** (or a correction in one) is ambiguous, and a mention or link
        # cannot hold another: the check says so
        inner = draw(plain_text(faults=False))
    else:
        inner = draw(inline(entity_ids, note_ids, depth + 1, faults))
    some_id = st.sampled_from(entity_ids) if entity_ids else VALID_ID
    some_note = st.sampled_from(note_ids) if note_ids else VALID_ID
    if kind == "mention":
        ids = draw(st.lists(some_id, min_size=1, max_size=3))
        if faults and draw(st.integers(0, 9)) == 0:
            ids.append(draw(identifier()))
        return f"[{inner}](@{','.join(ids)})"
    if kind == "emphasis":
        return f"*{inner}*"
    if kind == "strong":
        return f"**{inner}**"
    if kind == "link":
        target = draw(st.sampled_from([
            "https://example.com/a", "http://example.com/b?c=d", "mailto:a@example.com",
            *(["javascript:alert(1)", "data:text/html,x", "ftp://example.com/", "#x"]
              if faults else []),
        ]))
        return f"[{inner}]({target})"
    if kind == "note":
        return f"{inner}[^{draw(some_note)}]"
    if kind == "correction":
        opener, closer = draw(st.sampled_from([("{~~", "~~}"), ("{++", "++}"), ("{--", "--}")]))
        body = f"{draw(plain_text(faults=faults))}~>{inner}" if opener == "{~~" else inner
        note = f"[^{draw(some_note)}]" if not faults or draw(st.integers(0, 5)) else ""
        return f"{opener}{body}{closer}{note}"
    if kind == "escape":
        return "\\" + draw(st.sampled_from(list("*[]{}<>\\")))
    return draw(st.sampled_from(["*", "[", "]", "](", "<b>", "{~~", "[^", "\\", "< 3",
                                 "<!--", "**", "[x](", "(@", "~>"]))


@st.composite
def running_text(draw: st.DrawFn, entity_ids: list[str], note_ids: list[str],
                 faults: bool = True) -> str:
    paragraphs = draw(st.lists(
        st.lists(inline(entity_ids, note_ids, 0, faults), min_size=1, max_size=5)
        .map(" ".join), min_size=1, max_size=3))
    return "\n\n".join(paragraphs)


def maybe_broken(draw: st.DrawFn, record: dict[str, Any], required: list[str],
                 faults: bool = True) -> dict[str, Any]:
    """Now and then drop a required field, mistype one, or add an unknown one."""
    if not faults:
        return record
    fault = draw(st.integers(0, 24))
    if fault == 0 and required:
        record.pop(draw(st.sampled_from(required)), None)
    elif fault == 1 and record:
        key = draw(st.sampled_from(sorted(record)))
        record[key] = draw(st.sampled_from([[1, 2], {"a": "b"}, None, 17, True, ""]))
    elif fault == 2:
        record[draw(st.sampled_from(["nev", "titel", "szoveg", "extra"]))] = "x"
    return record


@st.composite
def manuscripts(draw: st.DrawFn, faults: bool = True) -> dict[str, Any]:
    """A whole manuscript as data: {file name: YAML data}.

    ``faults``: also mistakes (bad ids, dates, markup, missing or mistyped fields);
    without, the manuscript is meant to pass the check (it may still have warnings).
    """
    unique = st.lists(identifier(faults), min_size=0, max_size=4, unique=True)
    people, places, orgs, notes = (draw(unique) for _ in range(4))
    if not faults:  # one id for one thing across the whole manuscript
        taken: set[str] = set()
        people, places, orgs, notes = ([i for i in group if not (i in taken or taken.add(i))]
                                       for group in (people, places, orgs, notes))
    entity_ids = [i for i in people + places + orgs if i]
    note_ids = [i for i in notes if i]

    def text(**kwargs: Any) -> str:
        return draw(plain_text(faults=faults, **kwargs))

    def broken(record: dict[str, Any], required: list[str]) -> dict[str, Any]:
        return maybe_broken(draw, record, required, faults)

    def entity(entity_id: str, kind: str) -> dict[str, Any]:
        record: dict[str, Any] = {"id": entity_id, "name": text()}
        if draw(st.booleans()):
            record["aliases"] = [text(min_size=2) for _ in range(draw(st.integers(0, 2)))]
        if draw(st.integers(0, 3)) == 0:
            record["variants"] = [text(min_size=2) for _ in range(draw(st.integers(0, 2)))]
        if draw(st.integers(0, 3)) == 0:
            record["sort"] = text()
        if kind == "person":
            if draw(st.booleans()):
                born = draw(st.integers(1800, 1990))
                record["born"] = born
                record["died"] = born + draw(st.integers(-3 if faults else 0, 100))
            record["role"] = text()
            record["key"] = draw(st.booleans())
        if kind == "organization" and draw(st.booleans()):
            record["expansion"] = text()
        return broken(record, ["id", "name"])

    parts = [{"id": "background", "title": text(), "kind": "events"},
             {"id": "demands", "title": text(), "kind": "demands"},
             {"id": "days", "title": text(), "kind": "days"}]
    event_parts = ["background", "days"]
    demands = [broken({"number": number,
                       "text": draw(running_text(entity_ids, note_ids, faults))}, ["text"])
               for number in range(1, draw(st.integers(0, 3)) + 1)]
    events = []
    # a chronology book needs events (check refuses an empty one): at least one whose id
    # no entity or note has taken
    taken = set(entity_ids + note_ids)
    event_ids = draw(st.lists(identifier(faults).filter(lambda i: faults or i not in taken),
                              min_size=1, max_size=5, unique=True))
    for event_id in event_ids:
        wrong_part = faults and draw(st.integers(0, 19)) == 0
        event: dict[str, Any] = {
            "id": event_id,
            "part": "nincs-ilyen" if wrong_part else draw(st.sampled_from(event_parts)),
            "date": draw(iso_date(faults)),
            "title": text(),
            "text": draw(running_text(entity_ids, note_ids, faults)),
        }
        moment = draw(st.integers(0, 3))
        if moment == 1:
            event["time"] = draw(st.sampled_from(["10:00", "23:59", "07:05"]
                                                 + (["25:00", "noon"] if faults else [])))
        elif moment == 2:
            event["time_of_day"] = draw(st.sampled_from(["hajnal", "este", "éjjel"]
                                                        + (["délben"] if faults else [])))
        if draw(st.booleans()):
            event["key"] = True
        if demands and draw(st.integers(0, 2)) == 0:
            relation = draw(st.sampled_from(["enacts", "answers", "defies"]))
            event["demands"] = {relation: [draw(st.integers(1, len(demands)
                                                            + (1 if faults else 0)))]}
        events.append(broken(event, ["id", "part", "date", "title", "text"]))
    book = broken({
        "title": text(),
        "subtitle": text(),
        "language": "hu",
        "slug": "fuzz",
        "identifier": "urn:uuid:3f1f2a4e-6a52-4c4e-9d38-5d7a1c0b9e01",
        "editors": [{"name": text(), "role": draw(st.sampled_from(
            ["editor", "author", "translator"] + (["szerkesztő"] if faults else [])))}],
        "rights": text(max_size=60),
        "description": text(max_size=60),
        "keywords": [text() for _ in range(draw(st.integers(1, 3)))],
        "source": {"title": text(), "note": text()},
        "parts": parts,
        "editions": {
            "booklet": {"format": "pdf", "page_size": "A5", "layout": "booklet",
                        "impose": True},
            "handout": {"format": "pdf", "page_size": "A4", "layout": "handout",
                        "max_pages": 4},
            "epub": {"format": "epub", "layout": "epub"},
            "html": {"format": "html", "layout": "html"},
        },
    }, ["title", "slug", "identifier", "parts"])
    return {
        "book.yaml": book,
        "chronology.yaml": events,
        "demands.yaml": demands,
        "people.yaml": [entity(i, "person") for i in people],
        "places.yaml": [entity(i, "place") for i in places],
        "organizations.yaml": [entity(i, "organization") for i in orgs],
        "notes.yaml": [broken({"id": i, "text": draw(running_text(entity_ids, [], faults))},
                              ["id", "text"]) for i in notes],
    }


# ---------------------------------------------------------------- running them


@contextlib.contextmanager
def project_of(files: dict[str, Any]) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="bookbuild-fuzz-") as folder:
        root = Path(folder) / "book"
        (root / "manuscript").mkdir(parents=True)
        for name, data in files.items():
            (root / "manuscript" / name).write_text(
                yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        yield root


class Hang(BaseException):  # not swallowed by an "except Exception" on the way
    """A check or build still running at its deadline: a hang."""


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Fail (instead of hanging the test run) when the block takes longer than ``seconds``."""
    def alarm(signum: int, frame: object) -> None:
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def assert_located(diagnostics: Diagnostics) -> None:
    for diagnostic in diagnostics:
        where = diagnostic.location
        assert where.path.startswith("manuscript/"), diagnostic.format()
        if diagnostic in diagnostics.errors and not any(m in diagnostic.message
                                                        for m in FILE_LEVEL):
            assert where.line > 0, f"error without a line: {diagnostic.format()}"
        text = diagnostic.format()
        assert not any(c in text for c in "\x07\x1b\x9b"), f"raw control code in: {text!r}"


FUZZ = settings(deadline=None, phases=[p for p in Phase if p is not Phase.explain],
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@settings(FUZZ, max_examples=100)
@given(st.one_of(manuscripts(), manuscripts(faults=False)))
def test_check_ends_in_ok_or_located_errors(files: dict[str, Any]) -> None:
    with project_of(files) as root, deadline(10):
        diagnostics = Diagnostics()
        read_manuscript(find_project(root), diagnostics)
        assert_located(diagnostics)
        out = io.StringIO()
        status = check(root, strict=False, out=out)
    assert status == (1 if diagnostics.errors else 0), out.getvalue()


@settings(FUZZ, max_examples=40)
@given(manuscripts(faults=False))
def test_manuscripts_without_mistakes_pass_the_check(files: dict[str, Any]) -> None:
    """The strategies' own promise, so that the build test builds something."""
    with project_of(files) as root, deadline(10):
        diagnostics = Diagnostics()
        read_manuscript(find_project(root), diagnostics)
    assert not diagnostics.errors, [d.format() for d in diagnostics.errors]


@settings(FUZZ, max_examples=40)
@given(manuscripts(), st.sampled_from(sorted({"book.yaml", "chronology.yaml", "people.yaml",
                                              "demands.yaml", "notes.yaml"})),
       st.binary(max_size=64), st.integers(0, 2000))
def test_damaged_files_end_in_located_errors(files: dict[str, Any], name: str, noise: bytes,
                                             at: int) -> None:
    """The same manuscripts with bytes spliced into one file: still no traceback."""
    with project_of(files) as root, deadline(10):
        path = root / "manuscript" / name
        data = path.read_bytes()
        at = min(at, len(data))
        path.write_bytes(data[:at] + noise + data[at:])
        diagnostics = Diagnostics()
        read_manuscript(find_project(root), diagnostics)
        assert_located(diagnostics)


def run_build(root: Path, out: Path, editions: tuple[str, ...]) -> None:
    from bookbuild.commands.build import build

    params = inspect.signature(build).parameters
    kwargs: dict[str, Any] = {"editions": editions, "out": out, "err": io.StringIO()}
    if "force" in params:
        kwargs["force"] = True
    if "jobs" in params:
        kwargs["jobs"] = 1  # in this process: a failure shows its own traceback
    build(root, **kwargs)


MANUSCRIPTS_TO_BUILD = st.sampled_from([False, False, False, True]).flatmap(
    lambda faults: manuscripts(faults=faults))


@pytest.mark.slow
@pytest.mark.parametrize("editions,examples", [
    (("html", "handout"), 12),
    (("html", "booklet"), 5),  # with the imposed print booklet
    (("html", "epub"), 3),  # the EPUB lays the booklet out for its page-list
], ids=["html+handout", "html+booklet", "html+epub"])
def test_build_ends_in_outputs_or_a_clear_error(editions: tuple[str, ...],
                                                examples: int) -> None:
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH

    @settings(FUZZ, max_examples=examples)
    @given(MANUSCRIPTS_TO_BUILD)
    def builds(files: dict[str, Any]) -> None:
        build_one(files, editions)

    builds()


def build_one(files: dict[str, Any], editions: tuple[str, ...]) -> None:
    with project_of(files) as root, deadline(60):
        diagnostics = Diagnostics()
        read_manuscript(find_project(root), diagnostics)
        valid = not diagnostics.errors
        out = root.parent / "dist"
        try:
            run_build(root, out, editions)
        except ManuscriptError as exc:
            assert not valid, exc.format()
            assert_located(exc.diagnostics)
            return
        except BookbuildError as exc:  # a problem for a person: glyphs, page limit …
            assert valid
            assert exc.message and "Traceback" not in exc.format()
            assert not out.exists() or not [p for p in out.iterdir()
                                            if p.suffix in (".pdf", ".epub")]
            return
        assert valid, "an invalid manuscript was built"
        built = {p.name for p in out.iterdir()}
        assert "html" in built
        if "handout" in editions:
            assert "fuzz-handout.pdf" in built
        if "booklet" in editions:
            assert {"fuzz-booklet.pdf", "fuzz-booklet-print.pdf"} <= built
        if "epub" in editions:
            assert "fuzz.epub" in built
