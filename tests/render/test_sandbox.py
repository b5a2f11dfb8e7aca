"""Layouts are untrusted: they render in a sandbox, bounded in work, size and time, and every
mistake in one is a message naming the template file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bookbuild.cli import main
from bookbuild.errors import BookbuildError
from bookbuild.render import sandbox
from bookbuild.render.html import builtin_layouts, make_environment
from bookbuild.render.sandbox import render
from conftest import TESTS

VALID = TESTS / "fixtures" / "valid"
EPOCH = "1700000000"


def render_snippet(tmp_path: Path, source: str | bytes, **values: object) -> str:
    layouts = tmp_path / "layouts"
    layouts.mkdir(exist_ok=True)
    path = layouts / "page.html.j2"
    if isinstance(source, bytes):
        path.write_bytes(source)
    else:
        path.write_text(source, encoding="utf-8")
    return render(make_environment([layouts]), "page.html.j2", values)


def refused(tmp_path: Path, source: str | bytes, **values: object) -> BookbuildError:
    with pytest.raises(BookbuildError) as info:
        render_snippet(tmp_path, source, **values)
    return info.value


ESCAPES = {
    "globals": "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "mro": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "cycler": "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "namespace": "{{ namespace.__init__.__globals__ }}",
    "format": "{{ '{0.__class__.__mro__}'.format('') }}",
    "mutation": "{% set l = [1] %}{{ l.append(2) }}",
}


@pytest.mark.parametrize("case", sorted(ESCAPES))
def test_a_template_cannot_reach_python(tmp_path: Path, case: str) -> None:
    error = refused(tmp_path, "line one\n" + ESCAPES[case])
    assert str(error.location) == "layouts/page.html.j2:2:1", error.format()
    assert "uid=" not in error.format()


BOUNDS = {
    "huge range": ("{% for i in range(10**12) %}x{% endfor %}", "range()"),
    "big range": ("{% for i in range(100001) %}{% endfor %}", "range()"),
    "nested loops": ("{% for a in range(100000) %}{% for b in range(100000) %}"
                     "{% endfor %}{% endfor %}", "steps"),
    "nested strings": ("{% set s = 'x' * 90000 %}{% for a in s %}{% for b in s %}"
                       "{% endfor %}{% endfor %}", "steps"),
    "macro tree": ("{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}"
                   "{% endmacro %}{{ f(60) }}", "steps"),
    "string product": ("{{ 'x' * 10**10 }}", "'*'"),
    "list product": ("{{ ([1] * 10**10)|length }}", "'*'"),
    "power": ("{{ 10 ** 100000 }}", "too large a number"),
    "center": ("{{ 'x'|center(10**9) }}", "'center'"),
    "indent": ("{{ 'a\\nb'|indent(10**9) }}", "'indent'"),
    "format filter": ("{{ '%0999999999d'|format(1) }}", "too wide"),
    "percent": ("{{ '%0999999999d' % 1 }}", "too wide"),
    "replace": ("{{ ('x' * 1000000)|replace('x', 'y' * 1000) }}", "replace"),
    "lipsum": ("{{ lipsum(10**9) }}", "undefined value"),
}


# what filters, text methods and operators do inside is bounded too: each of these once
# ran for tens of seconds or built a gigabyte before the page's own bound could see it
INNER_WORK = {
    "join of a range": ("{{ range(100000)|join('x' * 1000) }}", "'join' would make"),
    "list of a text": ("{{ ('x' * 30000000)|list|length }}", "steps"),
    "list of a long list": ("{{ ((range(100000)|list) * 300)|list|length }}", "steps"),
    "sum": ("{{ ((range(100000)|list) * 300)|sum }}", "steps"),
    "sort": ("{{ ('x' * 3000000)|sort|length }}", "steps"),
    "unique": ("{{ ('xy' * 3000000)|unique|list|length }}", "steps"),
    "batch": ("{{ ('x' * 10000000)|batch(1)|list|length }}", "steps"),
    "map": ("{{ ('x' * 10000000)|map('upper')|list|length }}", "steps"),
    "map of a range": ("{% for x in range(100000)|map('string') %}{% endfor %}"
                       "{% for x in range(100000)|map('string') %}{% endfor %}"
                       "{% for x in range(100000)|map('string') %}{% endfor %}", "steps"),
    "select": ("{{ ('x' * 10000000)|select|list|length }}", "steps"),
    "groupby": ("{{ ('x' * 1000000)|groupby('x')|list|length }}", "steps"),
    "wordwrap": ("{{ ('x ' * 10000000)|wordwrap(1)|length }}", "steps"),
    "wordwrap string": ("{{ ('x ' * 100000)|wordwrap(1, true, 'y' * 1000) }}",
                        "'wordwrap' would make"),
    "title": ("{{ ('ab ' * 3000000)|title|length }}", "steps"),
    "urlize": ("{{ ('x' * 3000000)|urlize|length }}", "steps"),
    "indent of many lines": ("{{ ('a\\n' * 1000000)|indent(100) }}", "'indent' would make"),
    "indent by a text": ("{{ ('a\\n' * 1000000)|indent('x' * 1000) }}",
                         "'indent' would make"),
    "forceescape": ("{{ ('&' * 30000000)|forceescape }}", "'forceescape' would make"),
    "tojson": ("{{ ('<' * 30000000)|tojson }}", "'tojson' would make"),
    "string of a list": ("{% set s = ['x' * 1000000] * 100 %}{{ s|string|length }}",
                         "'string' would make"),
    "printed list": ("{% set s = ['x' * 1000000] * 100 %}{{ s }}", "printing a value"),
    "center method": ("{{ 'x'.center(10**9) }}", "'center' was given a number"),
    "ljust method": ("{{ 'x'.ljust(10**9) }}", "'ljust' was given a number"),
    "expandtabs": ("{{ ('\\t' * 1000000).expandtabs(100000) }}", "'expandtabs' would make"),
    "format method": ("{{ '{:999999999}'.format(1) }}", "too wide"),
    "format method nested": ("{{ '{:{w}}'.format(1, w=10**9) }}", "too wide"),
    "join method": ("{% set s = 'x' * 1000000 %}{{ ''.join([s] * 100) }}", "'join' would make"),
    "join filter": ("{% set s = 'x' * 1000000 %}{{ ([s] * 100)|join }}", "'join' would make"),
    "replace method": ("{% set s = 'x' * 30000000 %}{{ s.replace('x', 'yy') }}",
                       "'replace' would make"),
    "split method": ("{{ ('x ' * 10000000).split()|length }}", "steps"),
    "concat": ("{% set s = 'x' * 30000000 %}{{ s ~ s ~ s ~ s }}", "'~' would make"),
    "plus": ("{% set s = 'x' * 30000000 %}{{ s + s + s }}", "'+' would make"),
    "percent width": ("{{ '%999999999s' % 'x' }}", "too wide"),
    "center filter": ("{{ 'x'|center(10**9) }}", "'center'"),
}


@pytest.mark.parametrize("case", sorted(INNER_WORK))
def test_the_work_inside_filters_and_methods_is_bounded(tmp_path: Path, case: str) -> None:
    source, message = INNER_WORK[case]
    error = refused(tmp_path, "first line\n" + source)
    assert message in error.message, error.format()
    assert str(error.location) == "layouts/page.html.j2:2:1", error.format()


def test_filters_and_operators_still_do_their_work_within_the_bounds(tmp_path: Path) -> None:
    source = ("{{ range(5)|join(',') }}|{{ 'ab'|list|join }}|{{ [3, 1, 2]|sort|join }}|"
              "{{ range(4)|map('string')|join('-') }}|{{ range(6)|select('odd')|sum }}|"
              "{{ 'x'.center(5, '.') }}|{{ 'a b c'|wordwrap(3) }}|{{ 'a' ~ 1 ~ 'b' }}|"
              "{{ 'a' + 'b' }}|{{ '{:>4}'.format(7) }}|{{ '-'.join(['a', 'b']) }}|"
              "{{ [1, [2, 'x']] }}|{{ '<b>' ~ 'c' }}|{{ ['<a>', '<b>']|join }}|"
              "{{ 'a\nb'|indent(2) }}|{{ '&'|forceescape }}")
    assert render_snippet(tmp_path, source) == (
        "0,1,2,3,4|ab|123|0-1-2-3|9|..x..|a b\nc|a1b|ab|   7|a-b|"
        "[1, [2, &#39;x&#39;]]|&lt;b&gt;c|&lt;a&gt;&lt;b&gt;|a\n  b|&amp;")


def test_the_page_size_is_bounded_where_the_template_writes_it(tmp_path: Path) -> None:
    error = refused(tmp_path, "first line\n{% for i in range(100000) %}\n"
                              "{{ 'x' * 1000 }}\n{% endfor %}")
    assert "the page grows beyond" in error.message
    assert str(error.location) == "layouts/page.html.j2:3:1"
    # through an include: the line of the include that wrote it
    (tmp_path / "layouts" / "part.html.j2").write_text("one\ntwo {{ 'y' * 1000000 }}\n",
                                                       encoding="utf-8")
    error = refused(tmp_path, "{% for i in range(100) %}\n{% include 'part.html.j2' %}"
                              "{% endfor %}")
    assert "the page grows beyond" in error.message
    assert str(error.location) == "layouts/page.html.j2:2:1"


@pytest.mark.parametrize("case", sorted(BOUNDS))
def test_a_template_cannot_hang_or_blow_up(tmp_path: Path, case: str) -> None:
    source, message = BOUNDS[case]
    error = refused(tmp_path, "\n" + source)
    assert message in error.message, error.format()
    assert str(error.location) == "layouts/page.html.j2:2:1", error.format()


def test_the_watchdog_stops_a_render_that_takes_too_long(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # the work takes tens of seconds on any machine: the watchdog stops it at 0.2 s (the
    # step budget is lifted, so that a fast machine does not reach it first)
    monkeypatch.setattr(sandbox, "RENDER_SECONDS", 0.2)
    monkeypatch.setattr(sandbox, "MAX_STEPS", 10**12)
    source = ("{% set s = 'x' * 60000 %}\n{% for a in range(20000) %}"
              "{{ s|replace('x', 'yy')|replace('y', 'zz')|length }}{% endfor %}")
    error = refused(tmp_path, source)
    assert "more than 0.2 s" in error.message
    assert error.location is not None and error.location.path == "layouts/page.html.j2"
    # the environment works again at once, with no exception left pending
    assert render_snippet(tmp_path, "ok") == "ok"


MISTAKES = {
    "syntax error": ("{% if %}", "template syntax error"),
    "unclosed block": ("{% for x in y %}", "template syntax error"),
    "undefined variable": ("{{ nothing_like_this }}", "'nothing_like_this' is undefined"),
    "undefined attribute": ("{{ book.nothing }}", "undefined value"),
    "division by zero": ("{{ 1//0 }}", "ZeroDivisionError"),
    "recursive macro": ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "without end"),
    "self include": ("{% include 'page.html.j2' %}", "without end"),
    "missing include": ("{% include 'partials/nope.html.j2' %}",
                        "'partials/nope.html.j2' not found"),
}


@pytest.mark.parametrize("case", sorted(MISTAKES))
def test_a_template_mistake_is_a_located_message(tmp_path: Path, case: str) -> None:
    source, message = MISTAKES[case]
    error = refused(tmp_path, "first line\n" + source, book=object())
    assert message in error.message, error.format()
    assert error.location is not None
    assert (error.location.path, error.location.line) == ("layouts/page.html.j2", 2), \
        error.format()


def test_a_template_that_is_not_utf8_is_located(tmp_path: Path) -> None:
    error = refused(tmp_path, "line one\nab\xff".encode("latin-1"))
    assert str(error.location) == "layouts/page.html.j2:2:3"
    assert "not UTF-8" in error.message


def test_a_template_that_is_too_large_is_refused_unread(tmp_path: Path) -> None:
    layouts = tmp_path / "layouts"
    layouts.mkdir()
    with (layouts / "page.html.j2").open("wb") as f:
        f.truncate(6 * 1024**3)  # sparse: reading it would need 6 GiB
    with pytest.raises(BookbuildError) as info:
        render(make_environment([layouts]), "page.html.j2", {})
    error = info.value
    assert "too large" in error.message and str(error.location) == "layouts/page.html.j2"


@pytest.mark.slow
def test_the_bundled_layouts_render_well_within_the_bounds(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The 1956 book's web page uses a small part of each budget: the bounds leave room."""
    import io

    import bookbuild.render.html as html_module
    from bookbuild.commands.build import build

    used: list[tuple[int, int]] = []

    def counting(env: sandbox.LayoutSandbox, name: str, values: dict[str, object]) -> str:
        page = render(env, name, values)
        used.append((sandbox.MAX_STEPS - sandbox._BUDGET.steps, len(page)))
        return page

    monkeypatch.setattr(html_module, "render", counting)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    build(TESTS.parent, editions=["html"], out=tmp_path / "out", err=io.StringIO(), jobs=1)
    steps, size = max(used)
    assert 0 < steps < sandbox.MAX_STEPS // 20
    assert 0 < size < sandbox.MAX_OUTPUT_CHARS // 20


def test_a_hostile_project_layout_fails_the_build_with_a_located_message(tmp_path: Path) -> None:
    project = tmp_path / "book"
    shutil.copytree(VALID, project)
    (project / "layouts").mkdir()
    builtin = (builtin_layouts() / "html.html.j2").read_text(encoding="utf-8")
    (project / "layouts" / "html.html.j2").write_text(
        "{{ lipsum.__globals__['os'].popen('touch " + str(tmp_path / "pwned") + "').read() }}\n"
        + builtin, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", "-e", "html", "-o", str(out), str(project)],
                                env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.exit_code == 1
    assert "layouts/html.html.j2:1:1: error: " in result.output, result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "pwned").exists()
    assert not (out / "html").exists()


def test_a_missing_field_is_named_with_the_fields_there_are(tmp_path: Path) -> None:
    """Not "'bookbuild.manuscript.model.BookMeta object' has no attribute 'autor'": the
    view's class by its name, and what it has."""
    from bookbuild.manuscript.model import BookMeta

    meta = BookMeta("Cím", "hu", "cim", "urn:x")
    error = refused(tmp_path, "{{ meta.autor }}", meta=meta)
    assert "a BookMeta has no 'autor'" in error.message, error.format()
    assert "bookbuild.manuscript" not in error.message
    assert "title" in error.hint and "subtitle_line" not in error.hint.split(":")[0]
