"""The layouts' Jinja2 sandbox: no code runs, and every render is bounded in work, size and time.

A project's ``layouts/`` are as untrusted as its manuscript. Templates run in
Jinja2's :class:`~jinja2.sandbox.ImmutableSandboxedEnvironment` (no access to
``__globals__``, ``__class__`` …, no mutation of lists and dicts), and on top of
it every render gets a budget:

* steps: each iteration of a ``{% for %}`` loop spends one, each call (macros
  included) :data:`CALL_STEPS`; a render that would take more than :data:`MAX_STEPS` stops;
* filters and methods: what a filter is handed is paid for before it works, a
  step per item of a list or per character where it works item by item in
  Python (``list``, ``sort``, ``map``, ``wordwrap`` …), a step per
  :data:`CHARS_PER_STEP` characters of text where it works at C speed; an
  iterator handed on (``map``, ``select``) spends a step per item taken;
* sizes: ``range()`` gives at most :data:`MAX_RANGE` numbers, ``*``, ``**``,
  ``%``, ``+`` and ``~``, the filters and the text methods that widen text
  (``center``, ``indent``, ``escape``, ``join``, ``'x'.ljust(…)``, ``'{:9}'.format`` …)
  are refused before they build a value larger than :data:`MAX_OUTPUT_CHARS`,
  any text a filter or method makes is measured, a value printed whole (a list)
  is weighed before it is turned into text, and the page itself may not grow
  beyond it;
* time: a watchdog stops a render still running after :data:`RENDER_SECONDS`.

Every problem is a :class:`~bookbuild.errors.BookbuildError` naming the
template file and line where it stands.
"""

from __future__ import annotations

import ctypes
import operator
import re
import string
import threading
import traceback
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from functools import wraps
from pathlib import Path
from typing import Any, cast

import jinja2
from jinja2 import nodes
from jinja2.exceptions import SecurityError
from jinja2.runtime import markup_join, str_join
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import pass_eval_context

from ..errors import BookbuildError, Location

MAX_STEPS = 500_000  # the 1956 booklet takes ~2 000
CALL_STEPS = 10  # a call (a macro's above all) costs ten loop iterations' time
MAX_RANGE = 100_000
MAX_OUTPUT_CHARS = 32 * 1024 * 1024  # the 1956 booklet's page is ~110 000
MAX_POWER_BITS = 4096
MAX_TEMPLATE_BYTES = 1024 * 1024
RENDER_SECONDS = 60.0  # a backstop only: the step and size budgets bound the work; generous
# so that a big book on a slow or busy machine is never stopped
CHARS_PER_STEP = 100  # a filter's pass over text at C speed: a step per 100 characters
_STEP_FILTER = "bookbuild_counted"
_CONCAT_FILTER = "bookbuild_concat"


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


def _weigh(value: object, what: str) -> None:
    """Refuse ``value`` if it would print as more than a page; a step per element seen.

    Lists, tuples, dicts and sets are walked (shared elements as often as they are
    shared, as printing would), their texts measured, until the bound is passed.
    """
    chars = 0
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, str | bytes):
            chars += len(current) + 4
        elif isinstance(current, dict):
            _step(len(current))
            chars += 4 * len(current)
            stack.extend(current.keys())
            stack.extend(current.values())
        elif isinstance(current, list | tuple | set | frozenset):
            _step(len(current))
            chars += 2 * len(current)
            stack.extend(current)
        else:
            chars += 24  # a number, None, an object of the book: a short text
        _check_size(chars, what)


def _charge(value: object, per_item: bool) -> object:
    """Pay for what a filter is handed; an iterator is handed on counting its items."""
    if isinstance(value, str):
        _step(len(value) if per_item else len(value) // CHARS_PER_STEP)
    elif isinstance(value, list | tuple | dict | set | frozenset | range):
        if per_item:
            _step(len(value))
    elif isinstance(value, Iterator):
        return _counted(value)
    return value


def _widened_size(name: str, value: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> int:
    """The most characters filter ``name`` can make of ``value`` (0: it does not widen)."""
    def arg(index: int, key: str, default: Any) -> Any:
        return args[index] if len(args) > index else kwargs.get(key, default)

    if name in ("e", "escape", "forceescape", "tojson"):
        return len(value) + 5 * sum(value.count(c) for c in "&<>'\"")
    if name == "urlencode":
        return 3 * len(value.encode("utf-8", "surrogatepass"))
    if name == "indent":
        width = arg(0, "width", 4)
        indent = len(width) if isinstance(width, str) else int(width)
        return len(value) + (value.count("\n") + 1) * max(indent, 0)
    if name == "wordwrap":
        wrapstring = arg(2, "wrapstring", None) or "\n"
        return len(value) * (1 + len(str(wrapstring)))
    if name == "replace" and len(args) >= 2:
        old, new = str(args[0]), str(args[1])
        count = value.count(old) if old else len(value) + 1
        return len(value) + count * len(new)
    if name == "format":
        _check_format(value)
    return 0


# filters that handle their value item by item, or a text character by character, in Python
_ITEMWISE_FILTERS = frozenset({
    "batch", "dictsort", "groupby", "items", "join", "list", "map", "max", "min", "reject",
    "rejectattr", "reverse", "select", "selectattr", "slice", "sort", "striptags", "sum",
    "title", "unique", "urlize", "wordcount", "wordwrap"})
_PRINTING_FILTERS = frozenset({"pprint", "string", "tojson", "urlencode", "xmlattr"})
_WIDENING_FILTERS = frozenset({"center", "indent", "wordwrap", "replace", "format",
                               "truncate", "batch", "slice", "random"})


def _guarded_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """Filter ``name`` bounded: its value paid for (:func:`_charge`), refused before it
    widens text beyond a page (``center(10**9)``, ``indent`` of many lines …), what it
    makes measured, an iterator it returns counted as it is consumed."""
    skip = 1 if getattr(func, "jinja_pass_arg", None) is not None else 0  # the context
    per_item = name in _ITEMWISE_FILTERS

    @wraps(func)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if len(args) <= skip:
            return func(*args, **kwargs)
        value, rest = args[skip], args[skip + 1:]
        if name in _PRINTING_FILTERS:
            _weigh(value, f"the filter '{name}'")
        value = _charge(value, per_item)
        for other in (*rest, *kwargs.values()):
            _charge(other, False)
        if name in _WIDENING_FILTERS and any(
                isinstance(a, int) and not isinstance(a, bool) and abs(a) > MAX_RANGE
                for a in (*rest, *kwargs.values())):
            raise RenderLimit(f"the filter '{name}' was given a number larger than "
                              f"{MAX_RANGE:,}")
        if isinstance(value, str):
            _check_size(_widened_size(name, value, rest, kwargs), f"the filter '{name}'")
        if name == "join":
            value = _joinable(value, rest[0] if rest else kwargs.get("d", ""),
                              "the filter 'join'")
        result = func(*args[:skip], value, *rest, **kwargs)
        return _made(result, f"the filter '{name}'")

    return guarded


def _joinable(items: Any, separator: object, what: str) -> Any:
    """``items`` as a list of their texts, refused if joined they would pass a page."""
    if not isinstance(items, Iterable) or isinstance(items, str):
        return items
    listed = list(_counted(iter(items)))
    gap = len(str(separator))
    size = gap * max(len(listed) - 1, 0)
    for index, item in enumerate(listed):
        if not isinstance(item, str):
            _weigh(item, what)
            if not hasattr(item, "__html__"):
                listed[index] = item = str(item)
        size += len(item) if isinstance(item, str) else 0
        _check_size(size, what)
    return listed


def _made(result: Any, what: str) -> Any:
    """What a filter or method made: a text measured, an iterator counted as it is taken."""
    if isinstance(result, str):
        _check_size(len(result), what)
    elif isinstance(result, Iterator):
        return _counted(result)
    elif isinstance(result, list | tuple):
        _step(len(result))
    return result


# text methods a layout may call, and what bounds them (the width-like arguments)
_WIDTH_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})
_FORMAT_FIELD = string.Formatter()


def _check_method(method: Any, args: Sequence[Any], kwargs: Mapping[str, Any]) -> None:
    """Refuse a call of a text's method that would build more than a page."""
    target = getattr(method, "__wrapped__", method)  # the sandbox wraps str.format
    owner, name = getattr(target, "__self__", None), getattr(target, "__name__", "")
    if not isinstance(owner, str):
        return
    numbers = [a for a in (*args, *kwargs.values())
               if isinstance(a, int) and not isinstance(a, bool)]
    _step(len(owner) // CHARS_PER_STEP)
    if name in _WIDTH_METHODS and any(abs(a) > MAX_RANGE for a in numbers):
        raise RenderLimit(f"'{name}' was given a number larger than {MAX_RANGE:,}")
    if name == "expandtabs" and numbers:
        _check_size(len(owner) + owner.count("\t") * abs(numbers[0]), "'expandtabs'")
    elif name == "replace" and len(args) >= 2:
        old, new = str(args[0]), str(args[1])
        count = owner.count(old) if old else len(owner) + 1
        _check_size(len(owner) + count * len(new), "'replace'")
    elif name in ("format", "format_map"):
        for _text, field, spec, _conversion in _FORMAT_FIELD.parse(owner):
            if field is None or not spec:
                continue
            widths = [int(n) for n in re.findall(r"\d+", spec)]
            if any(w > MAX_RANGE for w in widths) or ("{" in spec and any(
                    abs(a) > MAX_RANGE for a in numbers)):
                raise RenderLimit(f"the format '{owner[:40]}' asks for a field too wide")


def _check_joined(method: Any, args: Sequence[Any]) -> Sequence[Any]:
    """The arguments of ``'…'.join(items)``, items listed and refused beyond a page."""
    target = getattr(method, "__wrapped__", method)
    owner = getattr(target, "__self__", None)
    if isinstance(owner, str) and getattr(target, "__name__", "") == "join" and args:
        return (_joinable(args[0], owner, "'join'"), *args[1:])
    return args


@pass_eval_context
def _concat(eval_ctx: jinja2.nodes.EvalContext, parts: list[Any]) -> str:
    """``a ~ b``: refused before it builds more than a page."""
    size = 0
    for part in parts:
        if isinstance(part, str):
            size += len(part)
        else:
            _weigh(part, "'~'")
        _check_size(size, "'~'")
    joined: str = (markup_join if eval_ctx.autoescape else str_join)(parts)
    return _made(joined, "'~'")  # type: ignore[no-any-return]


def _finalize(value: Any) -> Any:
    """A value printed by ``{{ … }}``: a list or a mapping is weighed before it is text."""
    if isinstance(value, list | tuple | dict | set | frozenset):
        _weigh(value, "printing a value")
    return value


class LayoutSandbox(ImmutableSandboxedEnvironment):
    """The environment every layout renders in (see the module's description)."""

    intercepted_binops = frozenset(["*", "**", "%", "+"])

    def __init__(self, loader: jinja2.BaseLoader, roots: Sequence[Path]) -> None:
        super().__init__(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined,
                         trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                         finalize=_finalize)
        self.roots = tuple(roots)  # layout folders, for showing template paths
        self.globals.pop("lipsum", None)  # lipsum(10**9) builds gigabytes
        self.globals["range"] = _bounded_range
        for name, func in list(self.filters.items()):
            self.filters[name] = _guarded_filter(name, func)
        self.filters[_STEP_FILTER] = _counted
        self.filters[_CONCAT_FILTER] = _concat

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        """Parse, then make every ``{% for %}`` spend a step of the budget per iteration
        and every ``a ~ b`` measure what it joins."""
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Filter(loop.iter, _STEP_FILTER, [], [], None, None,
                                     lineno=loop.iter.lineno)
        for concat in list(tree.find_all(nodes.Concat)):
            parts = nodes.List(concat.nodes, lineno=concat.lineno)
            concat.nodes = [nodes.Filter(parts, _CONCAT_FILTER, [], [], None, None,
                                         lineno=concat.lineno)]
        return tree

    def call(__self, __context: jinja2.runtime.Context, __obj: Any,
             *args: Any, **kwargs: Any) -> Any:
        _step(CALL_STEPS)
        _check_method(__obj, args, kwargs)
        args = tuple(_check_joined(__obj, args))
        return _made(super().call(__context, __obj, *args, **kwargs), "a text method")

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
        elif operator_ == "+":
            _check_size(_sized(left) + _sized(right), "'+'")
        return {"*": operator.mul, "**": operator.pow, "%": operator.mod,
                "+": operator.add}[operator_](left, right)

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
            stream = cast(Generator[str, None, None], template.generate(**values))
            for chunk in stream:
                size += len(chunk)
                if size > MAX_OUTPUT_CHARS:  # raised where the template wrote it: its line
                    limit = RenderLimit(f"the page grows beyond {MAX_OUTPUT_CHARS:,} "
                                        "characters")
                    stream.throw(limit)
                    raise limit  # (the template does not catch it)
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
        message, hint = _undefined(exc.message or "")
        return BookbuildError(f"undefined value in the layout: {message}", hint, location)
    if isinstance(exc, MemoryError):
        return BookbuildError("the layout needs more memory than there is",
                              "a layout shows the book; it does not compute", location)
    return BookbuildError(f"the layout failed: {type(exc).__name__}: {exc}",
                          "fix the template at this line", location)


_NO_ATTRIBUTE = re.compile(r"'(?:[\w.]+\.)?(\w+) object' has no attribute '([^']*)'")


def _undefined(message: str) -> tuple[str, str]:
    """Jinja's message for a missing attribute, said with the view's own names: the class
    without its module ("BookMeta has no 'autor'"), and its fields in the hint."""
    found = _NO_ATTRIBUTE.fullmatch(message)
    if not found:
        return message, "see docs/layouts.md for the values a template gets"
    name, attribute = found.groups()
    import dataclasses
    import sys

    kind = next((getattr(sys.modules[m], name) for m in ("bookbuild.render.book",
                                                         "bookbuild.manuscript.model",
                                                         "bookbuild.render.figureview")
                 if m in sys.modules and hasattr(sys.modules[m], name)), None)
    fields = [f.name for f in dataclasses.fields(kind)] if dataclasses.is_dataclass(kind) \
        else []
    hint = (f"a {name} has: {', '.join(fields)} (docs/layouts.md)" if fields
            else "see docs/layouts.md for the values a template gets")
    return f"a {name} has no '{attribute}'", hint


def _template_frame(env: LayoutSandbox, exc: BaseException) -> tuple[str, int] | None:
    """The innermost template line in the exception's traceback."""
    found: tuple[str, int] | None = None
    for frame, line in traceback.walk_tb(exc.__traceback__):
        filename = frame.f_code.co_filename
        if filename.endswith(".j2") and any(r in Path(filename).parents for r in env.roots):
            found = (env.shown(filename), line)
    return found
