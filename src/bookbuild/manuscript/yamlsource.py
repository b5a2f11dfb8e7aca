"""Read YAML safely into a small tree that remembers where every value stands.

PyYAML's composer gives nodes with marks; we walk them into :class:`YMap`,
:class:`YList` and :class:`YScalar` so that validation can point at
``path:line:col``. Only plain data is accepted: no Python tags, a bounded
number of aliases and nodes (an alias bomb is refused before it grows), and a
bounded file size.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import yaml

from ..errors import Diagnostics, Location

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ALIASES = 64
MAX_NODES = 200_000  # the real book has ~26 values a KiB: a 5 MiB file holds ~130 000
MAX_DEPTH = 64
MAX_EXPANDED_CHARS = 2 * MAX_FILE_BYTES  # the text a document holds once aliases expand

try:  # the C loader is faster; both give the same nodes
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _BaseLoader = yaml.SafeLoader


@dataclass(frozen=True)
class YScalar:
    """A scalar as written: its text, where it starts, and the raw source it came from."""

    value: str
    location: Location
    raw: str = ""
    style: str = ""
    tag: str = ""

    def location_at(self, offset: int) -> Location:
        """The file location of character ``offset`` of :attr:`value`."""
        return _align(self, offset)

    @cached_property
    def _index(self) -> _Alignment:
        return _Alignment(self)

    @property
    def is_null(self) -> bool:
        return self.tag.endswith(":null") or (self.style == "" and self.value in ("", "~", "null"))


@dataclass(frozen=True)
class YList:
    items: tuple[YNode, ...]
    location: Location


@dataclass(frozen=True)
class YMap:
    entries: dict[str, tuple[YScalar, YNode]] = field(default_factory=dict)
    location: Location = field(default_factory=lambda: Location(""))

    def get(self, key: str) -> YNode | None:
        entry = self.entries.get(key)
        return entry[1] if entry else None

    def key_location(self, key: str) -> Location:
        entry = self.entries.get(key)
        return entry[0].location if entry else self.location


YNode = YScalar | YList | YMap


_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
)


class _LimitExceeded(Exception):
    def __init__(self, message: str, mark: object) -> None:
        super().__init__(message)
        self.mark = mark


def scalars(node: YNode) -> Iterator[YScalar]:
    """Every scalar value below ``node`` (mapping values, list items), in file order."""
    stack: list[YNode] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, YScalar):
            yield current
        elif isinstance(current, YList):
            stack.extend(reversed(current.items))
        elif isinstance(current, YMap):
            stack.extend(reversed([value for _key, value in current.entries.values()]))


def read_yaml(path: Path, shown: str, diagnostics: Diagnostics) -> YNode | None:
    """Read ``path`` (reported as ``shown``); problems go to ``diagnostics``."""
    text = read_text(path, shown, diagnostics)
    if text is None:
        return None
    return parse_yaml(text, shown, diagnostics)


def read_text(path: Path, shown: str, diagnostics: Diagnostics) -> str | None:
    """The file's text, NFC-normalised, with a BOM and CRLF line ends handled.

    A file that is a symbolic link leading out of its folder (the manuscript folder)
    is refused: a build reads the project's own files only.
    """
    real, folder = path.resolve(), path.parent.resolve()
    if folder not in real.parents:
        diagnostics.error(
            Location(shown),
            f"the file is a symbolic link to {real}, outside the manuscript folder",
            "copy the file into the manuscript folder: a build reads only the project's "
            "own files",
        )
        return None
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            diagnostics.error(
                Location(shown),
                f"file is too large ({size // 1024} KiB; "
                f"the limit is {MAX_FILE_BYTES // 1024} KiB)",
                "split the manuscript into smaller files or remove what does not belong",
            )
            return None
        data = path.read_bytes()
    except OSError as exc:
        diagnostics.error(Location(shown), f"cannot read file: {exc.strerror or exc}")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        diagnostics.error(
            Location(shown, line, col),
            f"file is not UTF-8 (byte 0x{data[exc.start]:02x})",
            "save the file as UTF-8 in your editor",
        )
        return None
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def parse_yaml(text: str, shown: str, diagnostics: Diagnostics) -> YNode | None:
    """Parse one YAML document from ``text``."""
    loader = _BaseLoader(text)
    try:
        _check_shape(text, shown)
        node = loader.get_single_node()
    except _LimitExceeded as exc:
        diagnostics.error(_mark_location(shown, exc.mark), str(exc))
        return None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "malformed YAML"
        diagnostics.error(
            _mark_location(shown, mark),
            f"malformed YAML: {problem}",
            "check the indentation and quoting near this line",
        )
        return None
    except yaml.reader.ReaderError as exc:  # a character YAML may not hold (NUL …)
        before = text[: max(exc.position, 0)]
        line = before.count("\n") + 1
        col = exc.position - (before.rfind("\n") + 1) + 1
        character = exc.character if isinstance(exc.character, int) else ord(
            str(exc.character)[:1] or "\0")
        diagnostics.error(Location(shown, line, col),
                          f"the file holds the control character U+{character:04X}",
                          "retype the text here; a control character cannot be printed")
        return None
    except yaml.YAMLError as exc:
        diagnostics.error(Location(shown), f"malformed YAML: {exc}")
        return None
    finally:
        loader.dispose()
    if node is None:
        return YMap(location=Location(shown, 1, 1))
    try:
        return _convert(node, shown, text, [0])
    except _LimitExceeded as exc:
        diagnostics.error(_mark_location(shown, exc.mark), str(exc))
        return None


def _check_shape(text: str, shown: str) -> None:
    """Refuse a document too big or too deep to build, before anything is built from it.

    One pass over the parser's events (no nodes are made) counts the values the
    document holds once its aliases are expanded, so an alias bomb (billion
    laughs) is refused at the alias that makes it too big, in a fraction of a
    second and without memory growing; nesting deeper than any manuscript needs
    is refused too.
    """
    sizes: dict[str, tuple[int, int]] = {}  # anchor -> (values, characters) it expands to
    open_nodes: list[tuple[str | None, int, int]] = []  # (anchor, values, chars before it)
    values = aliases = chars = 0
    for event in yaml.parse(text, Loader=_BaseLoader):
        if isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_ALIASES:
                raise _LimitExceeded(
                    f"too many YAML aliases (more than {MAX_ALIASES}); "
                    "a manuscript does not need them",
                    event.start_mark,
                )
            anchored_values, anchored_chars = sizes.get(event.anchor or "", (1, 0))
            values += anchored_values
            chars += anchored_chars
            if chars > MAX_EXPANDED_CHARS:
                raise _LimitExceeded(
                    f"the YAML aliases expand the document to more than "
                    f"{MAX_EXPANDED_CHARS // (1024 * 1024)} MiB of text; "
                    "a manuscript does not need them",
                    event.start_mark,
                )
            if values > MAX_NODES:
                raise _LimitExceeded(
                    f"the YAML aliases expand the document to more than {MAX_NODES} values; "
                    "a manuscript does not need them",
                    event.start_mark,
                )
            continue
        if isinstance(event, yaml.ScalarEvent):
            values += 1
            chars += len(event.value)
            if event.anchor:
                sizes[event.anchor] = (1, len(event.value))
        elif isinstance(event, yaml.CollectionStartEvent):
            values += 1
            open_nodes.append((event.anchor, values - 1, chars))
            if len(open_nodes) > MAX_DEPTH:
                raise _LimitExceeded(
                    f"the YAML is nested more than {MAX_DEPTH} levels deep; "
                    "a manuscript needs a few",
                    event.start_mark,
                )
        elif isinstance(event, yaml.CollectionEndEvent) and open_nodes:
            anchor, before, chars_before = open_nodes.pop()
            if anchor:
                sizes[anchor] = (values - before, chars - chars_before)
        if values > MAX_NODES:
            raise _LimitExceeded(f"the document has more than {MAX_NODES} values",
                                 event.start_mark)


def _mark_location(shown: str, mark: object) -> Location:
    line, column = getattr(mark, "line", None), getattr(mark, "column", None)
    if line is None or column is None:
        return Location(shown)
    return Location(shown, line + 1, column + 1)


def _convert(node: yaml.Node, shown: str, text: str, budget: list[int]) -> YNode:
    budget[0] += 1
    if budget[0] > MAX_NODES:
        raise _LimitExceeded(f"the document has more than {MAX_NODES} values", node.start_mark)
    loc = _mark_location(shown, node.start_mark)
    if node.tag and node.tag not in _PLAIN_TAGS:
        raise _LimitExceeded(
            f"YAML tag '{node.tag}' is not allowed; a manuscript holds plain data only",
            node.start_mark,
        )
    if isinstance(node, yaml.ScalarNode):
        return YScalar(
            value=str(node.value),
            location=loc,
            raw=_raw_slice(text, node.start_mark, node.end_mark),
            style=node.style or "",
            tag=node.tag or "",
        )
    if isinstance(node, yaml.SequenceNode):
        return YList(tuple(_convert(item, shown, text, budget) for item in node.value), loc)
    if isinstance(node, yaml.MappingNode):
        entries: dict[str, tuple[YScalar, YNode]] = {}
        for key_node, value_node in node.value:
            key = _convert(key_node, shown, text, budget)
            value = _convert(value_node, shown, text, budget)
            if not isinstance(key, YScalar):
                raise _LimitExceeded("a mapping key must be a plain word", key_node.start_mark)
            if key.value in entries:
                raise _LimitExceeded(f"duplicate key '{key.value}'", key_node.start_mark)
            entries[key.value] = (key, value)
        return YMap(entries, loc)
    raise _LimitExceeded("unsupported YAML node", node.start_mark)  # pragma: no cover


def _raw_slice(text: str, start: object, end: object) -> str:
    """The source text a node was read from."""
    first, last = getattr(start, "index", 0), getattr(end, "index", 0)
    return text[first:last] if 0 <= first <= last else ""


_WORD = re.compile(r"\S+")
_NON_SPACE = re.compile(r"\S")
_FIRST_CHUNK = 64  # characters compared at once when measuring a verbatim stretch


class _Alignment:
    """Where each character of a scalar's value stands in its raw source, computed once.

    Folding, indentation and quoting change whitespace but keep the other
    characters in order, so non-space characters are matched in order: each word
    of the value is looked for from where the previous one ended (its first
    character, then the whole word; character by character where quoting or an
    escape changed it). ``after(v)`` is the raw offset reached once the value's
    first ``v`` characters are matched (-1 once matching failed).

    Most of a value is its source verbatim: a stretch of whole words that stands
    character for character in the raw text (a source line, or the whole text) is
    recorded as one piece, found by comparing growing chunks, so a long text costs
    a few string comparisons per source line, not a step per word or character.
    The line of a raw offset is found by bisecting the raw text's line starts.
    """

    def __init__(self, scalar: YScalar) -> None:
        raw, value = scalar.raw, scalar.value
        self.value = value
        self.starts: list[int] = []  # value offset each piece starts at (a word start)
        self.pieces: list[tuple[int, array[int] | None, int]] = []
        # (raw offset of the piece's first character, per-character raw offsets reached
        # or None for a verbatim piece, value length of the piece)
        self.failed_from = len(value) + 1  # after(v) is -1 for every v > failed_from
        r = v = 0
        while True:
            first = _NON_SPACE.search(value, v)
            if first is None:
                break
            start = first.start()
            found = raw.find(value[start], r)
            length = _verbatim_words(value, start, raw, found) if found >= 0 else 0
            if length:
                self._add(start, found, None, length)
                r, v = found + length, start + length
                continue
            end = _WORD.match(value, start).end()  # type: ignore[union-attr]
            if found >= 0 and raw.startswith(value[start:end], found):
                self._add(start, found, None, end - start)
                r, v = found + end - start, end
                continue
            reached = array("i", [0]) * (end - start)  # quoted or escaped: char by char
            for index in range(start, end):
                if r >= 0:
                    r = raw.find(value[index], r)
                    r = r + 1 if r >= 0 else -1
                reached[index - start] = r
            self._add(start, 0, reached, end - start)
            v = end
            if r < 0:
                self.failed_from = end
                break
        self.newlines = [m.start() for m in re.finditer("\n", raw)]

    def _add(self, start: int, raw_start: int, reached: array[int] | None,
             length: int) -> None:
        self.starts.append(start)
        self.pieces.append((raw_start, reached, length))

    def after(self, v: int) -> int:
        """The raw offset reached once the value's first ``v`` characters are matched."""
        if v > self.failed_from:
            return -1
        k = bisect.bisect_left(self.starts, v) - 1  # the last piece starting before v
        if k < 0:
            return 0
        raw_start, reached, length = self.pieces[k]
        start = self.starts[k]
        into = min(v - start, length)  # past the piece: the space after it
        if reached is not None:
            return reached[into - 1]
        while self.value[start + into - 1].isspace():  # in a space: where the word ended
            into -= 1
        return raw_start + into

    def location(self, scalar: YScalar, r: int) -> Location:
        """The file location of raw offset ``r``."""
        start = scalar.location
        before = bisect.bisect_left(self.newlines, r)
        if before == 0:
            return Location(start.path, start.line, start.col + r)
        return Location(start.path, start.line + before, r - self.newlines[before - 1])


def _verbatim_words(value: str, start: int, raw: str, found: int) -> int:
    """The length of the longest run of whole words of ``value`` from ``start`` that
    ``raw`` holds character for character at ``found`` (0: not even the first word).

    Chunks of growing size are compared, then the first unequal one is halved, so
    the cost is a few comparisons of the run's length, whatever the run holds.
    """
    limit = min(len(value) - start, len(raw) - found)
    same, step = 0, _FIRST_CHUNK
    while same < limit:
        upto = min(limit, same + step)
        if not value.startswith(raw[found + same : found + upto], start + same):
            while upto - same > 1:  # same chars match, upto chars do not
                middle = (same + upto) // 2
                if value.startswith(raw[found + same : found + middle], start + same):
                    same = middle
                else:
                    upto = middle
            break
        same, step = upto, step * 2
    end = start + same  # back to the end of a whole word of the value
    if end < len(value) and not value[end].isspace():
        while end > start and not value[end - 1].isspace():
            end -= 1
    while end > start and value[end - 1].isspace():
        end -= 1
    return end - start


def _align(scalar: YScalar, offset: int) -> Location:
    """The place in the file of character ``offset`` of the scalar's value."""
    raw, value = scalar.raw, scalar.value
    index = scalar._index
    r = index.after(min(offset, len(value)))
    if r < 0:
        return scalar.location
    while r < len(raw) and raw[r].isspace():
        r += 1
    if value[offset : offset + 1].isspace() or offset >= len(value):
        return index.location(scalar, r)
    # skip the block indicator line of ``>``/``|`` scalars and quotes
    found = raw.find(value[offset], r)
    if found < 0:
        return scalar.location
    return index.location(scalar, found)
