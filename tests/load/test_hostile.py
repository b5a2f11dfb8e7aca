"""Hostile and broken input: manuscript text is data, and input is bounded.

* Markup pushed through every text field of the format is refused by ``bookbuild
  check`` where it stands; what is accepted (text without tags) comes out of every
  edition escaped and inert: no script, no event handler, no ``javascript:`` link, no
  external ``url(``, no PDF JavaScript.
* YAML is plain data (no tags), aliases, size and nesting are bounded, and a refusal
  costs neither time nor memory.
* Unicode is NFC (decomposed and precomposed forms match), BOM, CRLF and tabs are
  handled, and ids, targets and text with control or invisible characters are refused.
"""

from __future__ import annotations

import inspect
import io
import re
import shutil
import tracemalloc
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from bookbuild.cli import main
from bookbuild.errors import Diagnostics
from bookbuild.manuscript import find_project, read_manuscript
from bookbuild.manuscript.yamlsource import MAX_FILE_BYTES, read_yaml
from conftest import TESTS

VALID = TESTS / "fixtures" / "valid"
HOSTILE = TESTS / "fixtures" / "hostile"
PAYLOADS: dict[str, list[str]] = yaml.safe_load(
    (HOSTILE / "payloads.yaml").read_text(encoding="utf-8"))
EPOCH = "1700000000"
LOCATED = re.compile(r"^(manuscript/[\w.-]+):(\d+):(\d+): error: (.*)$", re.MULTILINE)


# ---------------------------------------------------------------- helpers


def check(root: Path) -> Result:
    """``bookbuild check ROOT``, in-process."""
    return CliRunner().invoke(main, ["check", str(root)])


def located_errors(result: Result) -> list[tuple[str, int, str]]:
    return [(m[1], int(m[2]), m[4]) for m in LOCATED.finditer(result.output)]


def load(root: Path) -> tuple[Any, Diagnostics]:
    diagnostics = Diagnostics()
    return read_manuscript(find_project(root), diagnostics), diagnostics


def edit(root: Path, name: str, change: Callable[[Any], None]) -> None:
    """Load a manuscript file as data, change it, write it back as YAML."""
    path = root / "manuscript" / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000),
                    encoding="utf-8")


def _set(key: str) -> Callable[[Any, str], None]:
    def change(data: Any, value: str) -> None:
        data[key] = value
    return change


def _first(key: str, field: str, *, append: bool = False, as_list: bool = False
           ) -> Callable[[Any, str], None]:
    def change(data: Any, value: str) -> None:
        record = data[key] if key else data
        record = record[0] if isinstance(record, list) else record
        if append:
            value = f"{record[field]} {value}"
        record[field] = [value] if as_list else value
    return change


# Every text field of the format: (file, how to put a value into it, is it running text)
FIELDS: dict[str, tuple[str, Callable[[Any, str], None], bool]] = {
    "book.title": ("book.yaml", _set("title"), False),
    "book.subtitle": ("book.yaml", _set("subtitle"), False),
    "book.description": ("book.yaml", _set("description"), False),
    "book.rights": ("book.yaml", _set("rights"), False),
    "book.keywords": ("book.yaml", lambda d, v: d.__setitem__("keywords", ["teszt", v]), False),
    "book.editors.name": ("book.yaml", _first("editors", "name"), False),
    "book.source.title": ("book.yaml", _first("source", "title"), False),
    "book.source.note": ("book.yaml", _first("source", "note"), False),
    "book.parts.title": ("book.yaml", _first("parts", "title"), False),
    "event.title": ("chronology.yaml", _first("", "title"), False),
    "event.text": ("chronology.yaml", _first("", "text", append=True), True),
    "demand.text": ("demands.yaml", _first("", "text", append=True), True),
    "person.name": ("people.yaml", _first("", "name"), False),
    "person.sort": ("people.yaml", _first("", "sort"), False),
    "person.role": ("people.yaml", _first("", "role"), False),
    "person.aliases": ("people.yaml", _first("", "aliases", as_list=True), False),
    "person.variants": ("people.yaml", _first("", "variants", as_list=True), False),
    "place.name": ("places.yaml", _first("", "name"), False),
    "place.sort": ("places.yaml", _first("", "sort"), False),
    "place.aliases": ("places.yaml", _first("", "aliases", as_list=True), False),
    "place.variants": ("places.yaml", _first("", "variants", as_list=True), False),
    "organization.name": ("organizations.yaml", _first("", "name"), False),
    "organization.expansion": ("organizations.yaml", _first("", "expansion"), False),
    "organization.aliases": ("organizations.yaml", _first("", "aliases", as_list=True), False),
    "note.text": ("notes.yaml", _first("", "text", append=True), True),
}
RUNNING_TEXT = [name for name, (_f, _c, rich) in FIELDS.items() if rich]
# titles are read as inline markup too (emphasis, mentions): literal markup characters there
# are written escaped, as an author would
MARKUP_TITLES = {"book.title", "book.subtitle", "book.parts.title", "event.title"}


def inject(root: Path, field: str, value: str) -> str:
    """Put ``value`` into ``field`` of the project at ``root``; returns the file's name."""
    name, change, _rich = FIELDS[field]
    edit(root, name, lambda data: change(data, value))
    return name


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "book"
    shutil.copytree(VALID, root)
    return root


def test_the_untouched_project_passes_after_a_round_trip(project: Path) -> None:
    for name in {f for f, _c, _r in FIELDS.values()}:
        edit(project, name, lambda data: None)
    assert check(project).exit_code == 0


# ---------------------------------------------------------------- markup is refused


@pytest.mark.parametrize("payload", PAYLOADS["tags"])
@pytest.mark.parametrize("field", sorted(FIELDS))
def test_markup_in_any_text_field_is_refused_where_it_stands(project: Path, field: str,
                                                             payload: str) -> None:
    name = inject(project, field, payload)
    result = check(project)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    errors = located_errors(result)
    assert any(path == f"manuscript/{name}" and "raw HTML" in message
               for path, _line, message in errors), result.output


@pytest.mark.parametrize("target", PAYLOADS["links"])
@pytest.mark.parametrize("field", RUNNING_TEXT)
def test_unsafe_link_targets_are_refused(project: Path, field: str, target: str) -> None:
    name = inject(project, field, f"[kattints]({target})")
    result = check(project)
    assert result.exit_code == 1, result.output
    assert any(path == f"manuscript/{name}" for path, _line, _m in located_errors(result)), \
        result.output


@pytest.mark.parametrize("field", sorted(FIELDS))
def test_control_characters_in_text_are_refused(project: Path, field: str) -> None:
    name = inject(project, field, "csengő\x07 és \x1b[2J törlés")
    result = check(project)
    assert result.exit_code == 1
    assert any(path == f"manuscript/{name}" and "control character U+0007" in message
               for path, _line, message in located_errors(result)), result.output
    assert "\x1b" not in result.output and "\x07" not in result.output


def test_a_key_cannot_drive_the_terminal(project: Path) -> None:
    book = project / "manuscript" / "book.yaml"
    book.write_text(book.read_text(encoding="utf-8") + '"\\e[2J\\e]0;pwned\\a": x\n',
                    encoding="utf-8")
    result = check(project)
    assert result.exit_code == 1
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "unknown field '\\u001b[2J" in result.output


@pytest.mark.parametrize("name,layout,message", [
    ("../../escape", "html", "invalid edition name"),
    ("a/b", "html", "invalid edition name"),
    ("Nagy Betű", "html", "invalid edition name"),
    ("web", "../../../etc/passwd", "invalid layout"),
    ("web", "partials/toc", "invalid layout"),
])
def test_edition_and_layout_names_cannot_be_paths(project: Path, name: str, layout: str,
                                                  message: str) -> None:
    edit(project, "book.yaml",
         lambda data: data.__setitem__("editions", {name: {"format": "html", "layout": layout}}))
    result = check(project)
    assert result.exit_code == 1
    assert re.search(rf"manuscript/book\.yaml:\d+:\d+: error: {message}", result.output), \
        result.output


def test_an_unknown_layout_is_an_error_not_a_traceback(project: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    edit(project, "book.yaml",
         lambda data: data.__setitem__("editions", {"web": {"format": "html",
                                                            "layout": "nincs-ilyen"}}))
    result = CliRunner().invoke(main, ["build", "-o", str(tmp_path / "out"), str(project)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "nincs-ilyen" in result.output


def test_every_missing_template_is_named_before_anything_is_built(
        project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The builders' declared templates are looked for first: one error names each
    missing one, and no edition is built meanwhile."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    edit(project, "book.yaml", lambda data: data.__setitem__("editions", {
        "web": {"format": "html", "layout": "html"},
        "print": {"format": "pdf", "layout": "nincs-ilyen"},
        "ebook": {"format": "epub", "layout": "sehol"}}))
    made: list[str] = []
    from bookbuild.builders.web import WebBuilder

    monkeypatch.setattr(WebBuilder, "build", lambda self, job: made.append("web"))
    result = CliRunner().invoke(main, ["build", "-j", "1", "-o", str(tmp_path / "out"),
                                       str(project)])
    assert result.exit_code == 1 and not made
    assert "template 'nincs-ilyen.html.j2' not found" in result.output
    assert "template 'sehol/content.html.j2' not found" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    checked = CliRunner().invoke(main, ["check", str(project)])
    assert checked.exit_code == 1
    for name in ("nincs-ilyen.html.j2", "sehol/content.html.j2", "sehol/nav.html.j2"):
        assert re.search(rf"manuscript/book\.yaml:\d+:\d+: error: edition '\w+' \(layout "
                         rf"'[\w-]+'\): template '{re.escape(name)}' not found",
                         checked.output), checked.output


# ---------------------------------------------------------------- what is accepted is inert


def hostile_project(root: Path) -> None:
    """Every accepted payload in every text field at once."""
    literal = " ".join(PAYLOADS["literal"])
    rich = " ".join(PAYLOADS["rich"])
    escaped = (literal.replace("[", "\\[").replace("]", "\\]").replace("*", "\\*")
               .replace("{", "\\{"))
    for field, (_name, _change, running) in FIELDS.items():
        if running:
            inject(root, field, rich + " " + escaped)
        else:
            inject(root, field, escaped if field in MARKUP_TITLES else literal)


def test_accepted_payloads_pass_the_check(project: Path) -> None:
    hostile_project(project)
    result = check(project)
    assert result.exit_code == 0, result.output


def run_build(root: Path, out: Path) -> None:
    from bookbuild.commands.build import build

    kwargs: dict[str, Any] = {"editions": (), "out": out, "err": io.StringIO()}
    if "force" in inspect.signature(build).parameters:
        kwargs["force"] = True
    build(root, **kwargs)


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import os

    root = tmp_path_factory.mktemp("hostile") / "book"
    shutil.copytree(VALID, root)
    hostile_project(root)
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    out = root.parent / "dist"
    run_build(root, out)
    return out


ACTIVE_TAGS = {"script", "iframe", "frame", "object", "embed", "applet", "base", "form",
               "input", "button", "meta[http-equiv]", "foreignobject", "animate", "set",
               "handler", "listener"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "background",
                  "xlink:href", "{http://www.w3.org/1999/xlink}href", "srcset", "content"}
SAFE_SCHEMES = ("http:", "https:", "mailto:")


def _external_css_urls(css: str) -> list[str]:
    urls = re.findall(r"url\(\s*['\"]?([^'\")]*)", css, flags=re.IGNORECASE)
    urls += re.findall(r"@import\s+['\"]([^'\"]+)", css, flags=re.IGNORECASE)
    return [u for u in urls if re.match(r"\s*([a-z][a-z0-9+.-]*:|//|/)", u, re.IGNORECASE)]


def scan_markup(text: str, where: str, *, xml: bool) -> None:
    """No script, handler, dangerous URI or external url( anywhere in ``text``."""
    from lxml import etree
    from lxml import html as lxml_html

    assert not re.search(r"<\s*script", text, re.IGNORECASE), where
    for tag in re.findall(r"<[a-zA-Z](?:[^>\"']|\"[^\"]*\"|'[^']*')*>", text):
        names = re.findall(r"\s([^\s=/>\"']+)(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?", tag)
        assert not [n for n in names if n.lower().startswith("on")], f"{where}: {tag}"
    root = (etree.fromstring(text.encode("utf-8")) if xml
            else lxml_html.document_fromstring(text))
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        local = etree.QName(element).localname.lower()
        assert local not in ACTIVE_TAGS, f"{where}: <{local}>"
        if local == "meta":
            assert element.get("http-equiv") is None, f"{where}: meta http-equiv"
        for name, value in element.attrib.items():
            attr = etree.QName(name).localname.lower() if name.startswith("{") else name.lower()
            assert not attr.startswith("on"), f"{where}: <{local} {attr}=…>"
            if attr in URL_ATTRIBUTES or name in URL_ATTRIBUTES:
                bare = re.sub(r"[\s\x00-\x1f]", "", value).lower()
                scheme = re.match(r"[a-z][a-z0-9+.-]*:", bare)
                if attr == "content":
                    continue  # <meta content> holds text, never followed
                assert scheme is None or scheme.group().startswith(SAFE_SCHEMES), \
                    f"{where}: {attr}={value!r}"
            if attr == "style":
                assert not _external_css_urls(value), f"{where}: style={value!r}"
        if local == "style":
            assert not _external_css_urls(element.text or ""), f"{where}: <style>"


def _pdf_objects(reader: Any) -> Iterator[Any]:
    """Every dictionary reachable from the trailer, once."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [reader.trailer]
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            yield item
            stack.extend(item.values())
        elif isinstance(item, ArrayObject):
            stack.extend(item)


def scan_pdf(path: Path) -> int:
    """No JavaScript, launch or form actions; every URI action http(s) or mailto."""
    from pypdf import PdfReader

    uris = 0
    for obj in _pdf_objects(PdfReader(path)):
        keys = set(obj.keys())
        assert not keys & {"/JS", "/JavaScript", "/AA", "/XFA", "/RichMedia"}, (path, keys)
        action = obj.get("/S")
        assert action not in ("/JavaScript", "/Launch", "/SubmitForm", "/ImportData",
                              "/ResetForm", "/Rendition", "/GoToE", "/GoToR"), (path, action)
        if action == "/URI":
            uri = str(obj["/URI"])
            assert uri.lower().startswith(SAFE_SCHEMES), (path, uri)
            uris += 1
    return uris


@pytest.mark.slow
def test_no_script_reaches_the_web_edition(hostile_build: Path) -> None:
    page = (hostile_build / "html" / "index.html").read_text(encoding="utf-8")
    scan_markup(page, "html/index.html", xml=False)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # the escaped literal is there
    assert "&amp;lt;script&amp;gt;" in page  # and an entity stays text
    for css in (hostile_build / "html" / "css").glob("*.css"):
        assert not _external_css_urls(css.read_text(encoding="utf-8")), css.name
    links = re.findall(r'href="([^"#][^"]*)"', page)
    assert "https://example.com/?q=javascript:alert(1" in links  # a target ends at ')'
    assert all(link.startswith(("https://", "mailto:", "css/")) for link in links), links


@pytest.mark.slow
def test_no_script_reaches_the_epub(hostile_build: Path) -> None:
    with zipfile.ZipFile(hostile_build / "probakonyv.epub") as epub:
        documents = [n for n in epub.namelist() if n.endswith((".xhtml", ".html"))]
        assert len(documents) > 3
        for name in documents:
            scan_markup(epub.read(name).decode("utf-8"), name, xml=True)
        for name in (n for n in epub.namelist() if n.endswith(".css")):
            assert not _external_css_urls(epub.read(name).decode("utf-8")), name
        opf = epub.read("EPUB/content.opf").decode("utf-8")
        assert "<script" not in opf.lower()
        assert "&amp;lt;script&amp;gt;" in opf  # the description: an entity stays text


@pytest.mark.slow
def test_no_script_reaches_the_pdfs(hostile_build: Path) -> None:
    pdfs = sorted(hostile_build.glob("*.pdf"))
    assert len(pdfs) == 3
    uris = sum(scan_pdf(pdf) for pdf in pdfs)
    assert uris > 0  # the safe links are there, as links


# ---------------------------------------------------------------- bounded YAML

CORPUS = sorted(p.name for p in (HOSTILE / "yaml").glob("*.yaml"))


@pytest.mark.parametrize("case", CORPUS)
def test_hostile_yaml_is_refused_fast_small_and_located(case: str) -> None:
    diagnostics = Diagnostics()
    tracemalloc.start()
    try:
        node = read_yaml(HOSTILE / "yaml" / case, f"manuscript/{case}", diagnostics)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert node is None
    assert peak < 4 * 1024 * 1024, f"{case} grew memory by {peak // 1024} KiB"
    error = diagnostics.errors[0]
    assert error.location.path == f"manuscript/{case}" and error.location.line > 0


@pytest.mark.parametrize("case", ["alias-bomb.yaml", "alias-bomb-wide.yaml",
                                  "deep-nesting.yaml", "python-object.yaml"])
def test_check_refuses_hostile_yaml_as_a_manuscript_file(project: Path, case: str) -> None:
    shutil.copy(HOSTILE / "yaml" / case, project / "manuscript" / "chronology.yaml")
    result = check(project)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert any(path == "manuscript/chronology.yaml" for path, _l, _m in located_errors(result))


def load_measured(project: Path) -> tuple[Diagnostics, int]:
    """Load ``project``; its diagnostics and the peak memory the load took, in bytes (after
    one load of the valid fixture: what is loaded once per process, the catalogues and
    ICU's collator, is not the file's cost)."""
    load(VALID)
    tracemalloc.start()
    try:
        _book, diagnostics = load(project)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return diagnostics, peak


@pytest.mark.parametrize("name", ["book.yaml", "chronology.yaml", "demands.yaml", "people.yaml",
                                  "places.yaml", "organizations.yaml", "notes.yaml"])
def test_oversized_files_are_refused_without_reading_them(project: Path, name: str) -> None:
    with (project / "manuscript" / name).open("r+b") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: no time to write it
    diagnostics, peak = load_measured(project)
    assert peak < MAX_FILE_BYTES // 4
    message = next(d.format() for d in diagnostics.errors
                   if d.location.path == f"manuscript/{name}")
    assert "too large" in message and f"{MAX_FILE_BYTES // 1024} KiB" in message


def test_many_values_below_the_size_limit_are_refused_quickly(project: Path) -> None:
    text = "- [" + ",".join(["1"] * 250_000) + "]\n"
    assert len(text.encode()) < MAX_FILE_BYTES
    (project / "manuscript" / "notes.yaml").write_text(text, encoding="utf-8")
    diagnostics, peak = load_measured(project)
    assert peak < 64 * 1024 * 1024, f"loading grew memory by {peak // 1024} KiB"
    assert any("more than" in d.message and d.location.path == "manuscript/notes.yaml"
               for d in diagnostics.errors)


# ---------------------------------------------------------------- Unicode, BOM, CRLF, tabs


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def test_an_alias_typed_decomposed_finds_the_precomposed_text(project: Path) -> None:
    edit(project, "places.yaml", lambda d: d[1].__setitem__("aliases", [nfd("Országház")]))
    edit(project, "demands.yaml",
         lambda d: d[0].__setitem__("text", "Szabad sajtót az Országházban!"))
    _book, diagnostics = load(project)
    assert any("'Országházban' looks like a mention of place 'orszaghaz'" in d.message
               for d in diagnostics.warnings), [d.format() for d in diagnostics]


def test_text_typed_decomposed_is_found_by_a_precomposed_alias(project: Path) -> None:
    edit(project, "places.yaml", lambda d: d[1].__setitem__("aliases", ["Országház"]))
    edit(project, "demands.yaml",
         lambda d: d[0].__setitem__("text", nfd("Szabad sajtót az Országházban!")))
    _book, diagnostics = load(project)
    assert any("'Országházban' looks like a mention of place 'orszaghaz'" in d.message
               for d in diagnostics.warnings), [d.format() for d in diagnostics]


def test_a_mention_typed_decomposed_matches_and_prints_precomposed(project: Path) -> None:
    edit(project, "chronology.yaml", lambda d: d[2].__setitem__(
        "text", nfd("[Nagy Imre](@nagy-imre) beszélt az [Országházban](@orszaghaz), "
                    "az [MDP](@mdp) vezetői hallgatták.")))
    edit(project, "people.yaml", lambda d: d[1].__setitem__("name", nfd(d[1]["name"])))
    book, diagnostics = load(project)
    assert not diagnostics.errors, [d.format() for d in diagnostics]
    mention = [n for n in book.events[2].text.inlines() if hasattr(n, "entity_ids")][1]
    assert mention.entity_ids == ("orszaghaz",)
    shown = "".join(getattr(c, "text", "") for c in mention.children)
    assert shown == "Országházban" and unicodedata.is_normalized("NFC", shown)


@pytest.mark.parametrize("typed", ["országház", nfd("országház")])
def test_an_id_with_accents_is_refused_with_its_ascii_form(project: Path, typed: str) -> None:
    edit(project, "places.yaml", lambda d: d[1].__setitem__("id", typed))
    _book, diagnostics = load(project)
    assert any(f"invalid id '{unicodedata.normalize('NFC', typed)}'" in d.message
               and "'orszaghaz'" in d.hint for d in diagnostics.errors)


def test_bom_and_crlf_keep_error_lines_right(project: Path) -> None:
    path = project / "manuscript" / "chronology.yaml"
    text = path.read_text(encoding="utf-8").replace("date: 1956-10-23\n  time:",
                                                    "date: 1956-02-30\n  time:")
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    result = check(project)
    line = next(n for n, s in enumerate(text.splitlines(), 1) if "1956-02-30" in s)
    assert ("manuscript/chronology.yaml", line) in [(p, n) for p, n, _m in located_errors(result)]


def test_old_mac_line_ends_are_lines(project: Path) -> None:
    path = project / "manuscript" / "people.yaml"
    text = path.read_text(encoding="utf-8").replace("born: 1896", "born: tavaly")
    path.write_bytes(text.replace("\n", "\r").encode("utf-8"))
    result = check(project)
    line = next(n for n, s in enumerate(text.splitlines(), 1) if "tavaly" in s)
    assert ("manuscript/people.yaml", line) in [(p, n) for p, n, _m in located_errors(result)]


def test_tabs_indenting_yaml_are_located_and_tabs_in_text_are_spaces(project: Path) -> None:
    path = project / "manuscript" / "places.yaml"
    path.write_text("- id: moszkva\n\tname: Moszkva\n", encoding="utf-8")
    result = check(project)
    assert ("manuscript/places.yaml", 2) in [(p, n) for p, n, _m in located_errors(result)]
    shutil.copy(VALID / "manuscript" / "places.yaml", path)
    edit(project, "demands.yaml", lambda d: d[0].__setitem__("text", "Szabad\tsajtót!"))
    book, diagnostics = load(project)
    assert not diagnostics.errors
    assert "".join(getattr(n, "text", "") for n in book.demands[0].text.inlines()) == \
        "Szabad sajtót!"


INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202e", "\u2066",
             "\u061c", "\u180e", "\U000e0041", "\x07", "\x1b", "\x7f", "\x9b"]


@pytest.mark.parametrize("char", INVISIBLE, ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize("file,index", [("places.yaml", 0), ("chronology.yaml", 0),
                                        ("notes.yaml", 0), ("people.yaml", 1)])
def test_invisible_and_control_characters_in_ids_are_refused(project: Path, char: str,
                                                             file: str, index: int) -> None:
    edit(project, file, lambda d: d[index].__setitem__("id", d[index]["id"][:3] + char
                                                       + d[index]["id"][3:]))
    result = check(project)
    assert result.exit_code == 1
    assert any(path == f"manuscript/{file}" and ("invisible" in message or "control" in message)
               for path, _line, message in located_errors(result)), result.output
    assert char not in result.output


@pytest.mark.parametrize("char", ["\u200b", "\u202e", "\u2066", "\ufeff"],
                         ids=lambda c: f"U+{ord(c):04X}")
def test_invisible_characters_in_mention_targets_are_refused(project: Path, char: str) -> None:
    edit(project, "demands.yaml", lambda d: d[1].__setitem__(
        "text", f"[Nagy Imre](@nagy{char}-imre) alakítson kormányt!"))
    result = check(project)
    assert result.exit_code == 1
    assert any(path == "manuscript/demands.yaml" and f"U+{ord(char):04X}" in message
               for path, _line, message in located_errors(result)), result.output


def test_invisible_part_id_is_refused(project: Path) -> None:
    edit(project, "book.yaml", lambda d: d["parts"][0].__setitem__("id", "back\u200bground"))
    result = check(project)
    assert result.exit_code == 1
    assert any(path == "manuscript/book.yaml" and "invisible" in message
               for path, _line, message in located_errors(result)), result.output
