"""Confinement: a build reads the project's manuscript and layouts and the font packages only.

The WeasyPrint URL fetcher (``builders/fetch.py``) refuses the network, files outside
the project (by path, by ``..`` or through a symbolic link) and oversized ``data:`` URIs,
and names the reference and where it stands. The EPUB packages nothing from outside,
and a whole build runs with every socket refusing to connect.
"""

from __future__ import annotations

import inspect
import io
import os
import pickle
import re
import shutil
import socket
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import weasyprint
from click.testing import CliRunner
from weasyprint.urls import FatalURLFetchingError

from bookbuild.builders.fetch import (
    MAX_DATA_URI,
    ConfinedFetcher,
    RefusedResource,
    ResourceError,
    read_confined,
)
from bookbuild.cli import main
from bookbuild.errors import BookbuildError, Location
from bookbuild.render.fonts import font_dirs, font_faces
from bookbuild.render.html import builtin_layouts
from conftest import TESTS

VALID = TESTS / "fixtures" / "valid"
HOSTILE = TESTS / "fixtures" / "hostile"
EPOCH = "1700000000"



# ---------------------------------------------------------------- helpers


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the minimal valid project, with an empty layouts/ folder and a secret beside."""
    root = tmp_path / "book"
    shutil.copytree(VALID, root)
    (root / "layouts" / "css").mkdir(parents=True)
    (tmp_path / "secret.txt").write_text("TOP-SECRET-4711\n", encoding="utf-8")
    return root


def fetcher_for(root: Path) -> ConfinedFetcher:
    """The fetcher the PDF builder makes: project layouts, bookbuild's, manuscript, fonts."""
    return ConfinedFetcher([root / "layouts", builtin_layouts(), root / "manuscript",
                            *font_dirs()])


def render(root: Path, html: str) -> weasyprint.document.Document:
    return weasyprint.HTML(string=html, base_url=(root / "layouts").as_uri() + "/",
                           url_fetcher=fetcher_for(root)).render()


def with_stylesheet(root: Path, name: str, css: str) -> str:
    (root / "layouts" / "css" / name).write_text(css, encoding="utf-8")
    return f'<html><head><link rel="stylesheet" href="css/{name}"/></head><body><p>x</p></body>'


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def run_build(root: Path, out: Path, *editions: str) -> object:
    """``bookbuild build`` in-process, fresh (no cache), whatever options it has grown."""
    from bookbuild.commands.build import build

    params = inspect.signature(build).parameters
    kwargs: dict[str, object] = {"editions": editions, "out": out, "err": io.StringIO()}
    if "force" in params:
        kwargs["force"] = True
    return build(root, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


# ---------------------------------------------------------------- the fetcher alone


def test_serves_layouts_manuscript_and_font_packages(project: Path) -> None:
    fetcher = fetcher_for(project)
    css = project / "layouts" / "css" / "own.css"
    css.write_text("p { color: red }", encoding="utf-8")
    assert fetcher.fetch(css.as_uri()).read() == b"p { color: red }"
    book = fetcher.fetch((project / "manuscript" / "book.yaml").as_uri())
    assert book.read().startswith(b"title:")
    face = font_faces()[0]
    assert fetcher.fetch(face.path.as_uri()).read()[:4] in (b"\x00\x01\x00\x00", b"OTTO")
    base = builtin_layouts() / "css" / "base.css"
    assert fetcher.fetch(base.as_uri()).read() == base.read_bytes()


def test_a_link_inside_the_project_to_a_project_file_is_served(project: Path) -> None:
    target = project / "layouts" / "css" / "real.css"
    target.write_text("p {}", encoding="utf-8")
    (project / "layouts" / "css" / "alias.css").symlink_to(target)
    assert fetcher_for(project).fetch((project / "layouts/css/alias.css").as_uri()).read() == \
        b"p {}"


@pytest.mark.parametrize("url,reason", [
    ("http://example.com/x.css", "network"),
    ("https://example.com/x.png", "network"),
    ("HTTPS://EXAMPLE.COM/X.PNG", "network"),
    ("ftp://example.com/x.ttf", "network"),
    ("gopher://example.com/x", "'gopher:'"),
    ("javascript:alert(1)", "'javascript:'"),
    ("file:///etc/passwd", "outside"),
    ("file://example.com/share/x.png", "another machine"),
])
def test_refuses_the_network_and_files_outside(project: Path, url: str, reason: str) -> None:
    with pytest.raises(RefusedResource) as info:
        fetcher_for(project).fetch(url)
    assert reason in info.value.reason
    assert info.value.url == url


def test_refuses_a_path_that_climbs_out_with_dots(project: Path) -> None:
    url = (project / "layouts").as_uri() + "/css/../../../secret.txt"
    with pytest.raises(RefusedResource) as info:
        fetcher_for(project).fetch(url)
    assert "climbs out" in info.value.reason and "'..'" in info.value.reason
    encoded = (project / "layouts").as_uri() + "/%2e%2e/%2E%2E/secret.txt"
    with pytest.raises(RefusedResource, match="climbs out"):
        fetcher_for(project).fetch(encoded)


def test_refuses_a_symbolic_link_that_leads_out(project: Path) -> None:
    link = project / "layouts" / "css" / "innocent.png"
    link.symlink_to(project.parent / "secret.txt")
    with pytest.raises(RefusedResource) as info:
        fetcher_for(project).fetch(link.as_uri())
    assert "symbolic link" in info.value.reason
    folder_link = project / "layouts" / "up"
    folder_link.symlink_to(project.parent, target_is_directory=True)
    with pytest.raises(RefusedResource, match="symbolic link"):
        fetcher_for(project).fetch((folder_link / "secret.txt").as_uri())


def test_refuses_missing_files_folders_fifos_and_nul(project: Path) -> None:
    fetcher = fetcher_for(project)
    with pytest.raises(RefusedResource, match="no such file"):
        fetcher.fetch((project / "layouts" / "nothing.css").as_uri())
    with pytest.raises(RefusedResource, match="not a regular file"):
        fetcher.fetch((project / "layouts" / "css").as_uri())
    fifo = project / "layouts" / "pipe.css"
    os.mkfifo(fifo)  # reading it would block for ever
    with pytest.raises(RefusedResource, match="not a regular file"):
        fetcher.fetch(fifo.as_uri())
    with pytest.raises(RefusedResource, match="NUL"):
        fetcher.fetch((project / "layouts").as_uri() + "/a%00.css")


def test_data_uris_are_served_small_and_refused_large(project: Path) -> None:
    fetcher = fetcher_for(project)
    assert fetcher.fetch("data:text/css,p%20%7B%7D").read() == b"p {}"
    assert fetcher.fetch("data:text/plain;base64,aGVsbG8=").read() == b"hello"
    big = "data:image/png;base64," + "A" * MAX_DATA_URI
    with pytest.raises(RefusedResource) as info:
        fetcher.fetch(big)
    assert "KiB" in info.value.reason
    assert len(info.value.message) < 400  # the URI itself is not poured into the message


def test_refused_resource_stops_rendering_and_is_not_an_exception() -> None:
    """Why it is no BookbuildError: WeasyPrint turns every Exception into a warning."""
    assert issubclass(RefusedResource, FatalURLFetchingError)
    assert not issubclass(RefusedResource, Exception)
    assert issubclass(type(RefusedResource("http://x", "r").error()), BookbuildError)

    class Both(RefusedResource, BookbuildError):  # the MRO allows it …
        pass

    class SwallowedFetcher(ConfinedFetcher):
        def fetch(self, url: str, headers: object = None) -> object:
            raise Both("http://x", "test")

    html = '<link rel="stylesheet" href="http://example.com/x.css"/><p>x</p>'
    document = weasyprint.HTML(string=html, url_fetcher=SwallowedFetcher([])).render()
    assert len(document.pages) == 1  # … but WeasyPrint would render on without a word


def test_refused_resource_pickles_with_its_location() -> None:
    """A build may run in worker processes: the refusal must cross back intact."""
    refused = RefusedResource("http://example.com/x.css", "it is on the network",
                              Location("layouts/css/booklet.css", 3, 9))
    again = pickle.loads(pickle.dumps(refused))
    assert (again.url, again.reason, again.location, again.message) == \
        (refused.url, refused.reason, refused.location, refused.message)
    assert again.format().startswith("layouts/css/booklet.css:3:9: error: a build may not read")
    error = again.error()
    assert isinstance(error, BookbuildError) and error.location == refused.location


# ---------------------------------------------------------------- through WeasyPrint

CSS_CASES = {
    "http-import.css": ("http://example.com/evil.css", "network"),
    "https-background.css": ("https://example.com/pixel.png", "network"),
    "ftp-font.css": ("ftp://example.com/evil.ttf", "network"),
    "file-outside.css": ("file:///etc/passwd", "outside"),
    "climb.css": ("secret.txt", "outside"),
    "symlink.css": ("img/link.png", "symbolic link"),
    "protocol-relative.css": ("//example.com/x.png", "another machine"),
    "escaped-scheme.css": ("//example.com/escaped.png", "network"),
}


@pytest.mark.parametrize("case", sorted(CSS_CASES))
def test_hostile_stylesheet_is_refused_where_it_stands(project: Path, case: str) -> None:
    reference, reason = CSS_CASES[case]
    css = (HOSTILE / "css" / case).read_text(encoding="utf-8")
    if case == "symlink.css":
        (project / "layouts" / "css" / "img").mkdir()
        (project / "layouts" / "css" / "img" / "link.png").symlink_to(
            project.parent / "secret.txt")
    with pytest.raises(RefusedResource) as info:
        render(project, with_stylesheet(project, "hostile.css", css))
    refused = info.value
    assert reason in refused.reason
    assert refused.location == Location("layouts/css/hostile.css", line_of(css, reference),
                                        css.splitlines()[line_of(css, reference) - 1]
                                        .index(reference) + 1)
    assert re.match(r"layouts/css/hostile\.css:\d+:\d+: error: a build may not read '",
                    refused.format())


def test_oversized_data_uri_is_refused_where_it_stands(project: Path) -> None:
    css = "p { color: red }\nbody { background: url(data:image/png;base64," + \
        "iVBORw0KGgo" * (MAX_DATA_URI // 10) + ") }\n"
    with pytest.raises(RefusedResource) as info:
        render(project, with_stylesheet(project, "big.css", css))
    assert info.value.location == Location("layouts/css/big.css", 2, 24)
    assert "data: URI" in info.value.reason


def test_svg_image_inside_an_allowed_data_uri_reaches_nothing(project: Path,
                                                              monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    """An SVG's own <image href> goes through the fetcher too (WeasyPrint then skips it)."""
    asked: list[str] = []
    original = ConfinedFetcher.fetch

    def spy(self: ConfinedFetcher, url: str, headers: object = None) -> object:
        asked.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(ConfinedFetcher, "fetch", spy)
    svg = ("data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'>"
           "<image href='http://example.com/inner.png' width='10' height='10'/></svg>")
    html = f'<p><img src="{svg}" alt=""/></p>'
    with no_network() as attempts:
        try:
            render(project, html).write_pdf()
        except RefusedResource as exc:
            assert exc.url == "http://example.com/inner.png"
    assert not attempts
    assert any(u.startswith("data:image/svg+xml") for u in asked)


TEMPLATE_CASES = {
    "remote-image.html.j2": ("http://example.com/logo.png", "network"),
    "attachment.html.j2": ("file:///etc/hostname", "outside"),
    "object-data.html.j2": ("https://example.com/embed.svg", "network"),
}


@pytest.mark.parametrize("case", sorted(TEMPLATE_CASES))
def test_hostile_template_reference_is_refused_where_it_stands(project: Path,
                                                               case: str) -> None:
    reference, reason = TEMPLATE_CASES[case]
    snippet = (HOSTILE / "templates" / case).read_text(encoding="utf-8")
    partial = project / "layouts" / "partials" / "titlepage.html.j2"
    partial.parent.mkdir()
    builtin = (builtin_layouts() / "partials" / "titlepage.html.j2").read_text(encoding="utf-8")
    builtin = builtin.rstrip("\n") + "\n"
    partial.write_text(builtin + snippet, encoding="utf-8")
    html = "<html><body>" + snippet + "</body></html>"  # as the template renders it
    with pytest.raises(RefusedResource) as info:
        render(project, html).write_pdf()  # attachments are read when the PDF is written
    assert reason in info.value.reason and info.value.url == reference
    line = len(builtin.splitlines()) + 1
    assert info.value.location is not None
    assert (info.value.location.path, info.value.location.line) == \
        ("layouts/partials/titlepage.html.j2", line)


# ---------------------------------------------------------------- files read directly


def test_a_manuscript_file_linked_from_outside_is_refused(project: Path) -> None:
    notes = project / "manuscript" / "notes.yaml"
    outside = project.parent / "notes.yaml"
    shutil.move(notes, outside)
    notes.symlink_to(outside)
    result = CliRunner().invoke(main, ["check", str(project)])
    assert result.exit_code == 1
    assert "is a symbolic link to" in result.output and "outside the manuscript folder" in \
        result.output


def test_a_layout_template_linked_from_outside_is_refused(project: Path, tmp_path: Path,
                                                          epoch: None) -> None:
    partial = project / "layouts" / "partials" / "imprint.html.j2"
    partial.parent.mkdir()
    partial.symlink_to(project.parent / "secret.txt")
    result = CliRunner().invoke(main, ["build", "-e", "html", "-o", str(tmp_path / "out"),
                                       str(project)])
    assert result.exit_code == 1
    assert "layout template 'partials/imprint.html.j2' is a symbolic link" in result.output
    assert not (tmp_path / "out" / "html").exists()


def test_read_confined_gives_a_bookbuild_error(project: Path) -> None:
    roots = [project / "layouts"]
    own = project / "layouts" / "css" / "own.css"
    own.write_text("p {}", encoding="utf-8")
    assert read_confined(own, roots) == b"p {}"
    link = project / "layouts" / "css" / "html.css"
    link.symlink_to(project.parent / "secret.txt")
    with pytest.raises(ResourceError, match="symbolic link"):
        read_confined(link, roots)


def test_a_layout_stylesheet_linked_from_outside_is_not_published(project: Path,
                                                                 tmp_path: Path,
                                                                 epoch: None) -> None:
    (project / "layouts" / "css" / "html.css").symlink_to(project.parent / "secret.txt")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", "-e", "html", "-o", str(out), str(project)])
    published = [p for p in out.rglob("*") if p.is_file()] if out.exists() else []
    assert not any(b"TOP-SECRET" in p.read_bytes() for p in published)
    assert result.exit_code == 1 and "symbolic link" in result.output


# ---------------------------------------------------------------- through a build


@pytest.mark.slow
def test_refusal_stops_the_build_and_names_where_the_reference_stands(
        project: Path, tmp_path: Path, epoch: None) -> None:
    hostile = (HOSTILE / "css" / "https-background.css").read_text(encoding="utf-8")
    builtin = (builtin_layouts() / "css" / "booklet.css").read_text(encoding="utf-8")
    written = builtin.rstrip("\n") + "\n" + hostile
    (project / "layouts" / "css" / "booklet.css").write_text(written, encoding="utf-8")
    out = tmp_path / "dist"
    with no_network() as attempts, pytest.raises((RefusedResource, BookbuildError)) as info:
        run_build(project, out, "booklet")
    assert not attempts
    error = info.value
    assert error.location is not None  # type: ignore[union-attr]
    assert error.location.path == "layouts/css/booklet.css"  # type: ignore[union-attr]
    assert error.location.line == line_of(written, "pixel.png")  # type: ignore[union-attr]
    assert "https://example.com/pixel.png" in error.message  # type: ignore[union-attr]
    assert not list(out.glob("*.pdf"))  # nothing half-built is published


@pytest.mark.slow
def test_bookbuild_build_reports_a_refusal_without_traceback(project: Path, tmp_path: Path,
                                                             epoch: None) -> None:
    hostile = (HOSTILE / "css" / "http-import.css").read_text(encoding="utf-8")
    builtin = (builtin_layouts() / "css" / "booklet.css").read_text(encoding="utf-8")
    (project / "layouts" / "css" / "booklet.css").write_text(hostile + builtin,
                                                             encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "-e", "booklet", "-o", str(tmp_path / "dist"),
                                       str(project)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert re.search(r"layouts/css/booklet\.css:2:\d+: error: a build may not read "
                     r"'http://example\.com/evil\.css'", result.output)
    assert "Traceback" not in result.output


class _NoNetwork(Exception):
    pass


class no_network:
    """Every connect and name lookup raises; attempts are listed (and marked in a file,
    for worker processes forked while it is on)."""

    def __init__(self) -> None:
        self.attempts: list[str] = []
        self.patches: list[tuple[object, str, object]] = []

    def __enter__(self) -> list[str]:
        import tempfile

        marker = Path(tempfile.mkdtemp(prefix="bookbuild-net-")) / "attempts"
        self.marker = marker

        def refuse(*args: object, **kwargs: object) -> None:
            self.attempts.append(repr(args[:2]))
            with marker.open("a", encoding="utf-8") as out:
                out.write(repr(args[:2]) + "\n")
            raise _NoNetwork(f"network access attempted: {args[:2]!r}")

        for owner, name in ((socket.socket, "connect"), (socket.socket, "connect_ex"),
                            (socket, "create_connection"), (socket, "getaddrinfo"),
                            (socket, "gethostbyname")):
            self.patches.append((owner, name, getattr(owner, name)))
            setattr(owner, name, refuse)
        return self.attempts

    def __exit__(self, *exc: object) -> None:
        for owner, name, original in reversed(self.patches):
            setattr(owner, name, original)
        if self.marker.exists():
            self.attempts.extend(self.marker.read_text(encoding="utf-8").splitlines())
        shutil.rmtree(self.marker.parent, ignore_errors=True)


@pytest.fixture(scope="module")
def offline_build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, list[str]]]:
    """Every edition of the valid fixture, built with the network unplugged."""
    out = tmp_path_factory.mktemp("offline") / "dist"
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    with no_network() as attempts:
        run_build(VALID, out)
    yield out, attempts


@pytest.mark.slow
def test_a_whole_build_needs_no_network(offline_build: tuple[Path, list[str]]) -> None:
    out, attempts = offline_build
    assert attempts == []
    names = {p.name for p in out.iterdir()}
    assert {"probakonyv-booklet.pdf", "probakonyv-booklet-print.pdf", "probakonyv-handout.pdf",
            "probakonyv.epub", "html"} <= names


@pytest.mark.slow
def test_epub_packages_only_layouts_fonts_and_generated_files(
        offline_build: tuple[Path, list[str]]) -> None:
    from fontTools.ttLib import TTFont

    out, _ = offline_build
    font_names = {face.path.name: face for face in font_faces()}
    generated = re.compile(r"(mimetype|META-INF/container\.xml|EPUB/content\.opf|EPUB/toc\.ncx|"
                           r"EPUB/[\w-]+\.xhtml|EPUB/css/fonts\.css|EPUB/images/cover\.png)\Z")
    local_paths = {str(TESTS.parent) + "/", str(builtin_layouts()) + "/", "file:/",
                   *(str(d) + "/" for d in font_dirs())}
    from bookbuild.builders.epub.cssvars import custom_properties, resolve_custom_properties

    sheets = [p.read_text(encoding="utf-8") for p in builtin_layouts().glob("css/*.css")]
    values = custom_properties(sheets)
    epub_sheets = {resolve_custom_properties(css, values).encode() for css in sheets}
    with zipfile.ZipFile(out / "probakonyv.epub") as epub:
        for info in epub.infolist():
            data = epub.read(info)
            name = info.filename
            assert not name.startswith("/") and ".." not in name.split("/"), name
            if name.startswith("EPUB/fonts/"):
                face = font_names[name.rsplit("/", 1)[1]]  # a font package's file …
                font = TTFont(io.BytesIO(data))
                family = font["name"].getDebugName(1)
                with TTFont(face.path, lazy=True) as original:
                    assert family == original["name"].getDebugName(1)  # … subset, same face
            elif name.startswith("EPUB/css/") and name != "EPUB/css/fonts.css":
                # a layout stylesheet, with its custom properties written out for reading
                # systems that do not know var()
                assert data in epub_sheets, f"{name} is not a layout file"
                assert b"var(" not in data, name
            else:
                assert generated.match(name), f"unexpected file in the EPUB: {name}"
            if name.endswith((".xhtml", ".css", ".opf", ".ncx", ".xml")):
                text = data.decode("utf-8")
                for path in local_paths:
                    assert path not in text, f"{name} refers to {path}"
                for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", text):
                    assert not re.match(r"[a-z]+:|/", url), f"{name}: url({url})"
                    assert not url.startswith("../../"), f"{name}: url({url}) leaves the EPUB"
