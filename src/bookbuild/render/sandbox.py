"""The layouts' Jinja2 sandbox: no code runs, and every render is bounded in work, size and time.

A project's ``layouts/`` are as untrusted as its manuscript. Templates run in
Jinja2's :class:`~jinja2.sandbox.ImmutableSandboxedEnvironment` (no access to
``__globals__``, ``__class__`` …, no mutation of lists and dicts), and on top of
it every render gets a budget:

* steps: each iteration of a ``{% for %}`` loop spends one, each call (macros
  included) :data:`CALL_STEPS`; a render that would take more than :data:`MAX_STEPS` stops;
* sizes: ``range()`` gives at most :data:`MAX_RANGE` numbers, ``*``, ``**`` and
  ``%`` and the filters that widen text (``center``, ``indent``, ``replace`` …)
  are refused before they build a value larger than :data:`MAX_OUTPUT_CHARS`,
  and the page itself may not grow beyond it;
* time: a watchdog stops a render still running after :data:`RENDER_SECONDS`.

Every problem is a :class:`~bookbuild.errors.BookbuildError` naming the
template file and line where it stands.
"""

from __future__ import annotations

import ctypes
import operator
import re
import threading
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import wraps
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ..errors import BookbuildError, Location

MAX_STEPS = 500_000  # the 1956 booklet takes ~2 000
CALL_STEPS = 10  # a call (a macro's above all) costs ten loop iterations' time
MAX_RANGE = 100_000
MAX_OUTPUT_CHARS = 32 * 1024 * 1024  # the 1956 booklet's page is ~110 000
MAX_POWER_BITS = 4096
MAX_TEMPLATE_BYTES = 1024 * 1024
RENDER_SECONDS = 60.0  # a backstop only: the step and size budgets bound the work; generous
# so that a big book on a slow or busy machine is never stopped
_STEP_FILTER = "bookbuild_counted"


class RenderLimit(Exception):
    """A render went beyond one of its bounds (raised inside the template's code)."""


class RenderTimeout(RenderLimit):
    """Raised in the rendering thread by the watchdog."""


class _Budget(threading.local):
    steps = MAX_STEPS


_BUDGET = _Budget()


def _step(cost: int = 1) -> None:
    _BUDGET.steps -= cost
    if _BUDGET.steps < 0:
        raise RenderLimit(f"the layout takes more than {MAX_STEPS:,} steps (loop iterations "
                          "and calls) to render")


def _counted(iterable: Iterable[Any]) -> Iterator[Any]:
    for item in iterable:
        _step()
        yield item


def _bounded_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise RenderLimit(f"range() of {len(numbers):,} numbers; a layout gets at most "
                          f"{MAX_RANGE:,}")
    return numbers


def _check_size(size: int, what: str) -> None:
    if size > MAX_OUTPUT_CHARS:
        raise RenderLimit(f"{what} would make {size:,} characters; a page holds at most "
                          f"{MAX_OUTPUT_CHARS:,}")


def _sized(value: object) -> int:
    return len(value) if isinstance(value, str | bytes | list | tuple) else 0


_WIDTH = re.compile(r"%[-+ #0]*(\d+|\*)?(?:\.(\d+|\*))?")


def _check_format(fmt: object) -> None:
    """A ``%`` format may not ask for a field wider than a page."""
    if isinstance(fmt, str):
        for match in _WIDTH.finditer(fmt):
            for group in match.groups():
                if group == "*" or (group and int(group) > MAX_RANGE):
                    raise RenderLimit(f"the format '{fmt[:40]}' asks for a field too wide")


def _bounded_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """A filter refused before it widens a value beyond a page (``center(10**9)``)."""

    @wraps(func)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        extra = [a for a in (*args[1:], *kwargs.values()) if isinstance(a, int)]
        value = next((a for a in args if isinstance(a, str)), "")
        if name == "replace" and len(args) >= 3:
            old, new = str(args[-2] if len(args) == 3 else args[2]), str(args[-1])
            count = value.count(old) if old else len(value) + 1
            _check_size(len(value) + count * len(new), "replace")
        if name == "format":
            _check_format(value)
        if any(abs(a) > MAX_RANGE for a in extra if not isinstance(a, bool)):
            raise RenderLimit(f"the filter '{name}' was given a number larger than "
                              f"{MAX_RANGE:,}")
        return func(*args, **kwargs)

    return bounded


_WIDENING_FILTERS = ("center", "indent", "wordwrap", "replace", "format", "truncate",
                     "batch", "slice", "random")


class LayoutSandbox(ImmutableSandboxedEnvironment):
    """The environment every layout renders in (see the module's description)."""

    intercepted_binops = frozenset(["*", "**", "%"])

    def __init__(self, loader: jinja2.BaseLoader, roots: Sequence[Path]) -> None:
        super().__init__(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined,
                         trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
        self.roots = tuple(roots)  # layout folders, for showing template paths
        self.globals.pop("lipsum", None)  # lipsum(10**9) builds gigabytes
        self.globals["range"] = _bounded_range
        for name in _WIDENING_FILTERS:
            if name in self.filters:
                self.filters[name] = _bounded_filter(name, self.filters[name])
        self.filters[_STEP_FILTER] = _counted

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        """Parse, then make every ``{% for %}`` spend a step of the budget per iteration."""
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Filter(loop.iter, _STEP_FILTER, [], [], None, None,
                                     lineno=loop.iter.lineno)
        return tree

    def call(__self, __context: jinja2.runtime.Context, __obj: Any,
             *args: Any, **kwargs: Any) -> Any:
        _step(CALL_STEPS)
        return super().call(__context, __obj, *args, **kwargs)

    def call_binop(self, context: jinja2.runtime.Context, operator_: str, left: Any,
                   right: Any) -> Any:
        if operator_ == "**" and isinstance(left, int) and isinstance(right, int):
            if abs(left) > 1 and right * max(abs(left).bit_length(), 1) > MAX_POWER_BITS:
                raise RenderLimit(f"{left} ** {right} is too large a number for a layout")
        elif operator_ == "*":
            count = right if isinstance(right, int) else left if isinstance(left, int) else 1
            _check_size(max(_sized(left), _sized(right)) * count, "'*'")
        elif operator_ == "%":
            _check_format(left)
        return {"*": operator.mul, "**": operator.pow, "%": operator.mod}[operator_](left, right)

    def shown(self, filename: str) -> str:
        """A template's path as a message shows it: ``layouts/booklet.html.j2``."""
        path = Path(filename)
        for root in self.roots:
            if root == path or root in path.parents:
                return path.relative_to(root.parent).as_posix()
        return filename


class ConfinedLoader(jinja2.FileSystemLoader):
    """Templates from the layout folders only: one that is a symbolic link leading out of
    them is refused before it is read (a project's template could otherwise print any
    file of the machine into the book), and so is one too large or not UTF-8."""

    def get_source(self, environment: jinja2.Environment,
                   template: str) -> tuple[str, str, Callable[[], bool]]:
        from jinja2.loaders import split_template_path

        pieces = split_template_path(template)
        roots = [Path(f).resolve() for f in self.searchpath]
        for folder in self.searchpath:
            candidate = Path(folder, *pieces)
            if not candidate.is_file():
                continue
            real = candidate.resolve()
            shown = (environment.shown(str(candidate)) if isinstance(environment, LayoutSandbox)
                     else str(candidate))
            if not any(real == root or root in real.parents for root in roots):
                raise BookbuildError(
                    f"layout template '{template}' is a symbolic link to {real}, "
                    "outside the layout folders",
                    "copy the file into layouts/: a build reads only the project's own "
                    "files", Location(shown))
            return _read_template(candidate, shown), str(candidate), _unchanged(candidate)
        raise jinja2.TemplateNotFound(template)


def _unchanged(path: Path) -> Callable[[], bool]:
    try:
        mtime = path.stat().st_mtime
    except OSError:
        mtime = -1.0

    def uptodate() -> bool:
        try:
            return path.stat().st_mtime == mtime
        except OSError:
            return False

    return uptodate


def _read_template(path: Path, shown: str) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_TEMPLATE_BYTES:
            raise BookbuildError(f"layout template is too large ({size // 1024} KiB; the "
                                 f"limit is {MAX_TEMPLATE_BYTES // 1024} KiB)",
                                 "a template holds markup, not data", Location(shown))
        data = path.read_bytes()
    except OSError as exc:
        raise BookbuildError(f"cannot read layout template: {exc.strerror or exc}",
                             location=Location(shown)) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise BookbuildError(f"layout template is not UTF-8 (byte 0x{data[exc.start]:02x})",
                             "save the template as UTF-8 in your editor",
                             Location(shown, line, col)) from None


class _Watchdog:
    """Raises :class:`RenderTimeout` in the rendering thread once ``seconds`` have passed."""

    def __init__(self, seconds: float) -> None:
        self.thread = threading.get_ident()
        self.lock = threading.Lock()
        self.active = True
        self.fired = False
        self.timer = threading.Timer(seconds, self._fire)
        self.timer.daemon = True

    def _raise(self, exc: object) -> None:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self.thread), exc)

    def _fire(self) -> None:
        with self.lock:
            if self.active:
                self.fired = True
                self._raise(ctypes.py_object(RenderTimeout))

    def __enter__(self) -> _Watchdog:
        self.timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        with self.lock:
            self.active = False
            if self.fired:  # not delivered yet: withdraw it
                self._raise(None)
        self.timer.cancel()


def render(env: LayoutSandbox, name: str, values: Mapping[str, object]) -> str:
    """Render template ``name`` within the bounds; any problem is a located message."""
    try:
        with _Watchdog(RENDER_SECONDS):
            _BUDGET.steps = MAX_STEPS
            parts: list[str] = []
            size = 0
            template = env.get_template(name)
            for chunk in template.generate(**values):
                size += len(chunk)
                if size > MAX_OUTPUT_CHARS:
                    raise RenderLimit(f"the page grows beyond {MAX_OUTPUT_CHARS:,} characters")
                parts.append(chunk)
            return "".join(parts)
    except BookbuildError:
        raise
    except Exception as exc:  # every layout mistake: a message, never a traceback
        raise located(env, name, exc) from None


def located(env: LayoutSandbox, name: str, exc: BaseException) -> BookbuildError:
    """A layout problem as a message standing at its template's file and line."""
    where = _template_frame(env, exc)
    location = Location(*where) if where else None
    if isinstance(exc, jinja2.TemplateSyntaxError):
        shown = env.shown(exc.filename) if exc.filename else name
        return BookbuildError(f"template syntax error: {exc.message}",
                              "see docs/layouts.md for what a layout may write",
                              Location(shown, exc.lineno or 0))
    if isinstance(exc, jinja2.TemplateNotFound):
        return BookbuildError(f"layout template '{exc.name}' not found",
                              "an edition's layout names a template in layouts/ (or "
                              "bookbuild's own): booklet, handout, epub, html",
                              location)
    if location is None:
        location = Location(f"layouts/{name}")
    if isinstance(exc, RenderTimeout):
        return BookbuildError(f"the layout took more than {RENDER_SECONDS:g} s to render",
                              "a layout shows the book; it does not compute", location)
    if isinstance(exc, RenderLimit):
        return BookbuildError(str(exc), "a layout shows the book; it does not compute",
                              location)
    if isinstance(exc, SecurityError):
        return BookbuildError(f"the layout is not allowed to do this: {exc}",
                              "a layout may read the book's values, loop, test and filter; "
                              "see docs/layouts.md", location)
    if isinstance(exc, RecursionError):
        return BookbuildError("the layout calls itself without end (a macro or an include "
                              "that leads back to itself)",
                              "give the recursion a case that stops it", location)
    if isinstance(exc, jinja2.UndefinedError):
        return BookbuildError(f"undefined value in the layout: {exc.message}",
                              "see docs/layouts.md for the values a template gets", location)
    if isinstance(exc, MemoryError):
        return BookbuildError("the layout needs more memory than there is",
                              "a layout shows the book; it does not compute", location)
    return BookbuildError(f"the layout failed: {type(exc).__name__}: {exc}",
                          "fix the template at this line", location)


def _template_frame(env: LayoutSandbox, exc: BaseException) -> tuple[str, int] | None:
    """The innermost template line in the exception's traceback."""
    found: tuple[str, int] | None = None
    for frame, line in traceback.walk_tb(exc.__traceback__):
        filename = frame.f_code.co_filename
        if filename.endswith(".j2") and any(r in Path(filename).parents for r in env.roots):
            found = (env.shown(filename), line)
    return found
