"""Small inputs cannot make big work, and every mistake is a located message (issue 10).

Each case here once hung, blew up memory or ended in a traceback. The work is
bounded by construction (capped ranges and nesting, one-pass locating, sizes
checked before reading); the tests assert the outcome: a message at
``path:line:col``, no traceback.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bookbuild.cli import main
from bookbuild.errors import BookbuildError, Diagnostics
from bookbuild.manuscript import find_project, read_manuscript
from bookbuild.manuscript.markup import MAX_SPANS
from bookbuild.manuscript.yamlsource import MAX_EXPANDED_CHARS, YScalar, parse_yaml
from conftest import EPOCH, REPO, SRC, VALID

LOCATED = re.compile(r"^(manuscript/[\w.]+):(\d+):(\d+): error: (.*)$", re.MULTILINE)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "book"
    shutil.copytree(VALID, root)
    return root


def write(project: Path, name: str, text: str) -> None:
    (project / "manuscript" / name).write_text(text, encoding="utf-8")


def replace_in(project: Path, name: str, old: str, new: str) -> None:
    path = project / "manuscript" / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def run(*args: object, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


def errors(result: Result) -> list[tuple[str, int, int, str]]:
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    assert "Traceback" not in result.output
    return [(m[1], int(m[2]), int(m[3]), m[4]) for m in LOCATED.finditer(result.output)]


def line_of(project: Path, name: str, needle: str) -> int:
    lines = (project / "manuscript" / name).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def check_errors(project: Path) -> list[tuple[str, int, int, str]]:
    result = run("check", project)
    assert result.exit_code == 1, result.output
    return errors(result)


# ---------------------------------------------------------------- demand numbers and links


@pytest.mark.parametrize("number", ["2-99999999999", "2-9999999", "1-1000"])
def test_a_huge_demand_range_is_refused_not_expanded(project: Path, number: str) -> None:
    replace_in(project, "demands.yaml", "- number: 1\n", f"- number: {number}\n")
    tracemalloc.start()
    try:
        found = check_errors(project)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 50 * 1024 * 1024
    assert any(path == "manuscript/demands.yaml" and line == 1 and "demand" in message
               for path, line, _col, message in found), found


@pytest.mark.parametrize("link", ["'8-1O'", "'13-x'", "'²'", "'1-²'", "'٣'"])
def test_a_demand_link_that_is_not_a_number_is_located(project: Path, link: str) -> None:
    replace_in(project, "chronology.yaml", "enacts: [2]", f"enacts: [{link}]")
    found = check_errors(project)
    line = line_of(project, "chronology.yaml", "enacts:")
    assert any(path == "manuscript/chronology.yaml" and found_line == line
               and "unknown demand" in message for path, found_line, _c, message in found), found


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize("date", ["0000-01", "0000-01-01", "A/B/C", "1956-10/1956-11/1956-12",
                                  "1956-10-23/1956-10-24/1956-10-25", "١٩٥٦-١٠"])
def test_an_impossible_date_is_located_in_check_export_and_build(
        project: Path, tmp_path: Path, date: str) -> None:
    replace_in(project, "chronology.yaml", "date: 1956-02", f"date: '{date}'")
    for command in (["check"], ["export"], ["build", "-e", "html", "-o", tmp_path / "out"]):
        result = run(*command, project)
        assert result.exit_code == 1, (command, result.output)
        assert ("manuscript/chronology.yaml", 3, 9) in [f[:3] for f in errors(result)], \
            (command, result.output)


def test_an_empty_chronology_is_an_error(project: Path) -> None:
    write(project, "chronology.yaml", "# nothing yet\n")
    found = check_errors(project)
    assert any(path == "manuscript/chronology.yaml" and "no events" in message
               for path, _l, _c, message in found), found
    write(project, "chronology.yaml", "[]\n")
    assert any("no events" in message for *_where, message in check_errors(project))


# ---------------------------------------------------------------- nesting and long texts


@pytest.mark.parametrize("depth", [2, 200, 1500])
def test_nested_mentions_are_refused_without_recursion(project: Path, tmp_path: Path,
                                                        depth: int) -> None:
    text = "[Nagy " * depth + "Imre" + "](@nagy-imre)" * depth
    replace_in(project, "chronology.yaml", "[Hruscsov](@hruscsov) beszédet",
               f"[Hruscsov](@hruscsov) {text} beszédet")
    found = check_errors(project)
    assert any(path == "manuscript/chronology.yaml" and line == 6
               and ("cannot hold another" in message or "nested more than" in message)
               for path, line, _c, message in found), found
    result = run("build", "-e", "html", "-o", tmp_path / "out", project)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert not (tmp_path / "out" / "html").exists()


def test_a_link_inside_a_mention_is_refused(project: Path) -> None:
    replace_in(project, "chronology.yaml", "[Hruscsov](@hruscsov)",
               "[Szovjet [Kommunista](@mdp) Párt](@hruscsov) [a [b](https://x.org)](@mdp)")
    found = [f for f in check_errors(project) if "cannot hold another" in f[3]]
    assert [(line, col) for _p, line, col, _m in found] == [(6, 5), (6, 50)]


def scalar(text: str) -> YScalar:
    node = parse_yaml("text: " + json.dumps(text, ensure_ascii=False) + "\n", "t.yaml",
                      Diagnostics())
    assert node is not None
    value = node.get("text")  # type: ignore[union-attr]
    assert isinstance(value, YScalar)
    return value


def test_locating_is_linear_in_the_length_of_a_text() -> None:
    """4,000 mentions in one text: every one located; the alignment is built once and each
    point costs a look-up (counted: raw characters read stay a small multiple of the text)."""
    from bookbuild.manuscript.markup import parse_rich_text

    text = " ".join(f"[Budapesten](@budapest-{i % 7})" for i in range(4000))
    node = scalar(text)
    rich, problems = parse_rich_text(node.value, locate=node.location_at)
    assert not problems
    mentions = [n for n in rich.inlines() if type(n).__name__ == "Mention"]
    assert len(mentions) == 4000
    assert mentions[-1].location.line == 1
    assert mentions[-1].location.col == len("text: \"") + text.rfind("[") + 1
    assert node._index is node._index and len(node._index.pieces) == 1  # made once


class CountingText(str):
    """A text that counts the characters its searches read."""

    scanned = 0

    def find(self, needle: str, start: object = None, end: object = None) -> int:  # type: ignore[override]
        first = 0 if start is None else int(start)  # type: ignore[call-overload]
        last = len(self) if end is None else int(end)  # type: ignore[call-overload]
        found = str.find(self, needle, first, last)
        CountingText.scanned += (last if found < 0 else found) - first
        return found


@pytest.mark.parametrize("text", [
    "[" * 20000,
    "{~~" * 20000,
    "[^" * 20000,
    "[a](" * 20000,
    "*a" * 200000,
    "[Budapesten](@budapest) " * 40000,
])
def test_pathological_texts_are_parsed_in_one_pass(text: str) -> None:
    """Searches for a closer that is not there are remembered: the work stays linear."""
    from bookbuild.manuscript.markup import parse_rich_text

    CountingText.scanned = 0
    _rich, problems = parse_rich_text(CountingText(text))
    assert CountingText.scanned <= 4 * len(text)
    assert len(problems) <= len(text)


def test_the_markup_of_a_manuscript_is_bounded(project: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """5 MiB of ``*a*a…`` would be a million emphases: the manuscript's spans are counted,
    and past the bound the rest is not parsed (the check fails where it ran out)."""
    from bookbuild.manuscript import markup

    monkeypatch.setattr(markup, "MAX_SPANS", 1000)
    write(project, "notes.yaml", "- id: javitas\n  text: >-\n    " + "*a" * 3000 + "\n")
    found = [f for f in check_errors(project) if "marked-up spans" in f[3]]
    # the fixture's other texts hold 9 spans; the note's 992nd emphasis is one too many
    assert len(found) == 1 and found[0][:2] == ("manuscript/notes.yaml", 3), found


@pytest.mark.slow
def test_a_five_mib_text_of_mentions_is_checked(project: Path) -> None:
    """About 140 000 mentions in one text (benchmarks/large_texts.py times it): ``check``
    reads the first 100 000 and stops where the budget ran out, with a located error."""
    text = "[Nagy Imre](@nagy-imre) beszélt. " * (5 * 1024 * 1024 // 36)
    write(project, "notes.yaml", "- id: javitas\n  text: >-\n    " + text + "\n")
    found = [f for f in check_errors(project) if "marked-up spans" in f[3]]
    assert [f[:2] for f in found] == [("manuscript/notes.yaml", 3)]
    mention, rest = divmod(found[0][2] - 5, 33)  # at a mention; the fixture has spans too
    assert rest == 0 and mention == MAX_SPANS - 8


def test_unmarked_names_in_a_long_note_are_located(project: Path) -> None:
    text = "Moszkvában " * 5800
    write(project, "notes.yaml", "- id: javitas\n  text: >-\n    " + text + "\n")
    diagnostics = Diagnostics()
    read_manuscript(find_project(project), diagnostics)
    warnings = [d for d in diagnostics.warnings if "without markup" in d.message]
    assert len(warnings) == 5800
    assert warnings[-1].location.line == 3 and warnings[-1].location.col == 5 + 11 * 5799


# ---------------------------------------------------------------- YAML counted in bytes


def test_aliases_of_a_big_string_are_refused_by_their_size() -> None:
    big = "x" * (1024 * 1024)
    text = f"a: &a {big}\nb: [" + ", ".join(["*a"] * 59) + "]\n"
    diagnostics = Diagnostics()
    tracemalloc.start()
    try:
        assert parse_yaml(text, "manuscript/notes.yaml", diagnostics) is None
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * 1024 * 1024
    error = diagnostics.errors[0]
    assert f"{MAX_EXPANDED_CHARS // (1024 * 1024)} MiB of text" in error.message
    assert (error.location.line, error.location.col) == (2, 5 + 4 * 8)  # keys count


# ---------------------------------------------------------------- fields


def test_a_language_that_is_not_a_tag_is_refused_where_it_stands(project: Path) -> None:
    replace_in(project, "book.yaml", "language: hu",
               'language: "hu\\nheader-includes: <script>alert(1)</script>"')
    found = check_errors(project)
    assert ("manuscript/book.yaml", 3, 1) in [f[:3] for f in found], found
    assert any("BCP 47" in message for *_w, message in found)


@pytest.mark.parametrize("slug", ["a" * 300, "Könyv", "../x", "a b"])
def test_a_slug_that_is_not_a_safe_file_name_is_refused(project: Path, slug: str) -> None:
    replace_in(project, "book.yaml", "slug: probakonyv", f"slug: '{slug}'")
    found = check_errors(project)
    assert ("manuscript/book.yaml", 4, 1) in [f[:3] for f in found], found


@pytest.mark.parametrize("pages", ["-4", "0"])
def test_max_pages_below_one_is_refused_by_check(project: Path, pages: str) -> None:
    replace_in(project, "book.yaml", "max_pages: 4", f"max_pages: {pages}")
    found = check_errors(project)
    line = line_of(project, "book.yaml", "max_pages")
    assert any(path == "manuscript/book.yaml" and found_line == line and "max_pages" in m
               for path, found_line, _c, m in found), found


def test_errors_in_editions_and_parts_name_their_line(project: Path) -> None:
    replace_in(project, "book.yaml", "  epub: {format: epub, layout: epub}",
               "  epub: {format: epub, layout: epub, parts: [nincs]}")
    replace_in(project, "book.yaml", "  - {id: days, title: Napról napra, kind: days}",
               "  - {id: days, title: Napról napra, kind: days}\n"
               "  - {id: days, title: Megint, kind: days}")
    found = check_errors(project)
    assert ("manuscript/book.yaml", line_of(project, "book.yaml", "  epub:"), 3) in \
        [f[:3] for f in found], found
    assert ("manuscript/book.yaml", line_of(project, "book.yaml", "Megint"), 5) in \
        [f[:3] for f in found], found


def test_a_nul_byte_is_located(project: Path) -> None:
    replace_in(project, "chronology.yaml", "beszédet", "besz\0édet")
    found = check_errors(project)
    assert any(path == "manuscript/chronology.yaml" and line == 6 for path, line, _c, _m
               in found), found


@pytest.mark.parametrize("kind", ["folder", "fifo"])
def test_an_index_file_that_is_not_a_file_is_refused(project: Path, kind: str) -> None:
    people = project / "manuscript" / "people.yaml"
    people.unlink()
    if kind == "folder":
        people.mkdir()
    else:
        os.mkfifo(people)
    result = run("check", project)
    assert result.exit_code == 1
    assert "manuscript/people.yaml: error: people.yaml is not a regular file" in result.output


def test_an_emoji_without_a_glyph_is_reported_by_check_where_it_stands(project: Path) -> None:
    replace_in(project, "chronology.yaml", "beszédet", "beszédet \U0001F600")
    result = run("check", "--strict", project)
    assert result.exit_code == 1
    found = [f[:3] for f in errors(result) if "U+1F600" in f[3]]
    assert found == [("manuscript/chronology.yaml", 6, 36)], result.output


@pytest.mark.parametrize(("file", "old"), [("book.yaml", "title: Próbakönyv"),
                                           ("chronology.yaml", "title: A kongresszus"),
                                           ("people.yaml", "name: Nagy Imre")])
def test_an_emoji_in_a_title_or_name_is_reported_by_check_where_it_stands(
        project: Path, file: str, old: str) -> None:
    replace_in(project, file, old, old + " \U0001F600")
    text = (project / "manuscript" / file).read_text(encoding="utf-8")
    line = text[: text.index("\U0001F600")].count("\n") + 1
    result = run("check", "--strict", project)
    assert result.exit_code == 1
    found = [f[:2] for f in errors(result) if "U+1F600" in f[3]]
    assert found == [(f"manuscript/{file}", line)], result.output


def test_a_letter_shaped_from_base_and_mark_is_printable(project: Path) -> None:
    """The faces have no precomposed ǵ (U+01F5), but HarfBuzz shapes it as g + ◌́, which they
    have: check accepts it, and a character with no glyph at all is still refused."""
    from bookbuild.render.fonts import missing_glyphs

    assert missing_glyphs("Ǵǵḱ") == []
    assert missing_glyphs("ǵ\U0001F600") == ["\U0001F600"]
    replace_in(project, "chronology.yaml", "beszédet", "beszédet ǵ")
    result = run("check", "--strict", project)
    assert result.exit_code == 0, result.output


# ---------------------------------------------------------------- environment and outputs


@pytest.mark.parametrize("epoch", ["99999999999999", "253402300800", "²", "١٧٠٠٠٠٠٠٠٠", "-1",
                                   "1e9"])
def test_a_bad_source_date_epoch_is_a_message(project: Path, tmp_path: Path,
                                               epoch: str) -> None:
    result = run("build", "-e", "html", "-o", tmp_path / "out", project,
                 env={"SOURCE_DATE_EPOCH": epoch})
    assert result.exit_code == 1
    assert "error: SOURCE_DATE_EPOCH=" in result.output and "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_the_last_possible_source_date_epoch_builds(project: Path, tmp_path: Path) -> None:
    from bookbuild.commands.build import epoch_date

    assert epoch_date("253402300799").isoformat() == "9999-12-31"
    with pytest.raises(BookbuildError):
        epoch_date("253402300800")


@pytest.mark.parametrize("record", ["[]", "{\"html\": []}", "{\"html\": {\"key\": 1}}",
                                    "{\"html\": {\"key\": \"k\", \"outputs\": [{\"x\": 1}]}}",
                                    "\"text\"", "null", "{"])
def test_a_broken_build_record_is_as_if_never_built(project: Path, tmp_path: Path,
                                                     record: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / ".bookbuild-cache.json").write_text(record, encoding="utf-8")
    result = run("build", "-e", "html", "-o", out, project, env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.exit_code == 0, result.output
    assert (out / "html" / "index.html").is_file()


def test_huge_inputs_are_not_read_to_compute_the_cache_key(project: Path,
                                                           tmp_path: Path) -> None:
    with (project / "manuscript" / "notes.yaml").open("r+b") as handle:
        handle.truncate(6 * 1024**3)  # sparse: reading it would need 6 GiB
    (project / "layouts").mkdir()
    with (project / "layouts" / "unused.html.j2").open("wb") as handle:
        handle.truncate(5 * 1024**3)
    tracemalloc.start()
    try:
        result = run("build", "-e", "html", "-o", tmp_path / "out", project,
                     env={"SOURCE_DATE_EPOCH": EPOCH})
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 100 * 1024 * 1024
    assert result.exit_code == 1
    assert "manuscript/notes.yaml: error: file is too large" in result.output


@pytest.mark.parametrize("target", ["afile/sub", "/proc/bookbuild-new", "/sys/x/y"])
def test_new_on_a_bad_target_is_a_message(tmp_path: Path, target: str) -> None:
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    place = tmp_path / target if not target.startswith("/") else Path(target)
    result = run("new", place)
    assert result.exit_code == 1
    assert "error: cannot write the new book into" in result.output
    assert "Traceback" not in result.output


def cli_process(*args: str, stdout: object = subprocess.PIPE,
                env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "bookbuild.cli", *args], stdout=stdout,
                          stderr=subprocess.PIPE, cwd=str(SRC.parent),
                          env={**os.environ, "PYTHONPATH": str(SRC), **(env or {})})


def test_export_to_a_full_disk_is_a_message() -> None:
    with open("/dev/full", "wb") as full:
        done = cli_process("export", str(VALID), stdout=full)
    assert done.returncode == 1
    stderr = done.stderr.decode()
    assert "error: cannot write to standard output: No space left on device" in stderr
    assert "Traceback" not in stderr and "Exception ignored" not in stderr


def test_export_to_a_latin2_terminal_writes_utf8_whole() -> None:
    expected = cli_process("export", str(VALID)).stdout
    done = cli_process("export", str(VALID), env={"PYTHONIOENCODING": "iso-8859-2"})
    assert done.returncode == 0 and not done.stderr
    assert done.stdout == expected and "„Bem téren”".encode() in done.stdout


def test_export_into_a_closed_pipe_is_quiet() -> None:
    process = subprocess.Popen([sys.executable, "-m", "bookbuild.cli", "export", "--format",
                                "json", str(REPO)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env={**os.environ, "PYTHONPATH": str(SRC)})
    assert process.stdout is not None and process.stderr is not None
    process.stdout.read(10)
    process.stdout.close()
    stderr = process.stderr.read().decode()
    process.wait()
    assert "Traceback" not in stderr and "Exception ignored" not in stderr


def test_unmarked_names_are_found_only_at_word_starts(project: Path) -> None:
    """The search skips to the forms' first letters; a form inside a word is passed over,
    and one after a hyphen or a bracket is found (as a look-behind
    ``(?<!\\w)`` would)."""
    text = "xMoszkva-Moszkvában _Moszkva Moszkva2 (Moszkva) 1Moszkva éMoszkva"
    write(project, "notes.yaml", "- id: javitas\n  text: >-\n    " + text + "\n")
    diagnostics = Diagnostics()
    read_manuscript(find_project(project), diagnostics)
    found = [(d.location.col, d.message.split("'")[1]) for d in diagnostics.warnings
             if "without markup" in d.message]
    expected = [(5 + m.start(), m.group(0)) for m in
                re.finditer(r"(?<![\w])(Moszkv[aá])\w*(?:-\w+)*", text)]
    assert found == expected == [(5 + 9, "Moszkvában"), (5 + 29, "Moszkva2"),
                                 (5 + 39, "Moszkva")]
