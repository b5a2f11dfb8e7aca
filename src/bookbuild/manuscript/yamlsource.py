"""Read YAML safely into a small tree that remembers where every value stands.

PyYAML's composer gives nodes with marks; we walk them into :class:`YMap`,
:class:`YList` and :class:`YScalar` so that validation can point at
``path:line:col``. Only plain data is accepted: no Python tags, a bounded
number of aliases and nodes (an alias bomb is refused before it grows), and a
bounded file size.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import Diagnostics, Location

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ALIASES = 64
MAX_NODES = 200_000  # the real book has ~26 values a KiB: a 5 MiB file holds ~130 000
MAX_DEPTH = 64

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
    sizes: dict[str, int] = {}  # anchor -> values in the anchored node, expanded
    open_nodes: list[tuple[str | None, int]] = []  # (anchor, values before it started)
    values = aliases = 0
    for event in yaml.parse(text, Loader=_BaseLoader):
        if isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_ALIASES:
                raise _LimitExceeded(
                    f"too many YAML aliases (more than {MAX_ALIASES}); "
                    "a manuscript does not need them",
                    event.start_mark,
                )
            values += sizes.get(event.anchor or "", 1)
            if values > MAX_NODES:
                raise _LimitExceeded(
                    f"the YAML aliases expand the document to more than {MAX_NODES} values; "
                    "a manuscript does not need them",
                    event.start_mark,
                )
            continue
        if isinstance(event, yaml.ScalarEvent):
            values += 1
            if event.anchor:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.CollectionStartEvent):
            values += 1
            open_nodes.append((event.anchor, values - 1))
            if len(open_nodes) > MAX_DEPTH:
                raise _LimitExceeded(
                    f"the YAML is nested more than {MAX_DEPTH} levels deep; "
                    "a manuscript needs a few",
                    event.start_mark,
                )
        elif isinstance(event, yaml.CollectionEndEvent) and open_nodes:
            anchor, before = open_nodes.pop()
            if anchor:
                sizes[anchor] = values - before
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


def _align(scalar: YScalar, offset: int) -> Location:
    """Walk the scalar's value and its raw source together to find a character's place.

    Folding, indentation and quoting change whitespace but keep the other
    characters in order, so non-space characters are matched one by one.
    """
    raw, value = scalar.raw, scalar.value
    line, col = scalar.location.line, scalar.location.col
    r = 0
    for v_index in range(min(offset, len(value))):
        ch = value[v_index]
        if ch.isspace():
            continue
        while r < len(raw) and raw[r] != ch:
            line, col = (line + 1, 1) if raw[r] == "\n" else (line, col + 1)
            r += 1
        if r >= len(raw):
            return scalar.location
        line, col = (line + 1, 1) if raw[r] == "\n" else (line, col + 1)
        r += 1
    while r < len(raw) and raw[r].isspace():
        line, col = (line + 1, 1) if raw[r] == "\n" else (line, col + 1)
        r += 1
    if value[offset : offset + 1].isspace() or offset >= len(value):
        return Location(scalar.location.path, line, col)
    # skip the block indicator line of ``>``/``|`` scalars and quotes
    while r < len(raw) and raw[r] != value[offset]:
        line, col = (line + 1, 1) if raw[r] == "\n" else (line, col + 1)
        r += 1
    if r >= len(raw):
        return scalar.location
    return Location(scalar.location.path, line, col)
