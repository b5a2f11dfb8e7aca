"""Typed reading of one YAML mapping, with every problem reported where it stands."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable

from ..errors import Diagnostics, Location
from .markup import ID_RE, MarkupProblem, parse_rich_text
from .model import RichText
from .yamlsource import YList, YMap, YNode, YScalar

_INVISIBLE = re.compile(
    r"[\u0000-\u001f\u007f-\u009f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"
    r"\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0"
    r"\U000e0000-\U000e0fff]"
)
# Characters no text of a book may hold: C0/C1 controls (but tab and line feed), DEL,
# and the noncharacters. They print as nothing or as boxes and are not allowed in XML.
_FORBIDDEN = re.compile(
    r"[\u0000-\u0008\u000b-\u001f\u007f-\u009f\ufdd0-\ufdef\ufffe\uffff]"
)
_TAG_LIKE = re.compile(r"<\s*[A-Za-z!/?]")


def suggest(word: str, choices: Iterable[str]) -> str:
    """A ``did you mean`` hint, or an empty string."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


def shown(text: str) -> str:
    """``text`` safe to print in a message: control and invisible characters as ``\\uXXXX``.

    A message goes to a terminal; a value read from a file must not move its cursor,
    change its colours or reorder what it shows.
    """
    return "".join(f"\\u{ord(c):04x}" if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")
                   else c for c in text)


def describe(node: YNode) -> str:
    if isinstance(node, YMap):
        return "a mapping"
    if isinstance(node, YList):
        return "a list"
    return f"'{shown(node.value[:30])}'" if node.value else "an empty value"


class Fields:
    """The fields of one record (an event, a person …) read with their expected types."""

    def __init__(self, node: YMap, what: str, diagnostics: Diagnostics) -> None:
        self.node = node
        self.what = what
        self.diagnostics = diagnostics

    @property
    def location(self) -> Location:
        return self.node.location

    def check_known(self, allowed: Iterable[str]) -> None:
        allowed = list(allowed)
        for name, (key, _value) in self.node.entries.items():
            if name not in allowed:
                self.diagnostics.error(
                    key.location,
                    f"unknown field '{shown(name)}' in {self.what}",
                    suggest(name, allowed) or f"known fields: {', '.join(allowed)}",
                )

    def scalar(self, name: str, *, required: bool = False) -> YScalar | None:
        node = self.node.get(name)
        if node is None:
            if required:
                self.diagnostics.error(
                    self.location, f"{self.what} has no '{name}'", f"add '{name}: …'"
                )
            return None
        if not isinstance(node, YScalar):
            self.diagnostics.error(
                node.location, f"'{name}' must be a single value, not {describe(node)}"
            )
            return None
        if node.is_null:
            if required:
                self.diagnostics.error(node.location, f"'{name}' is empty in {self.what}")
            return None
        if not self.clean(node, name):
            return None
        return node

    def clean(self, node: YScalar, name: str) -> bool:
        """False (and an error where it stands) if the value holds a control character."""
        bad = _FORBIDDEN.search(node.value)
        if bad is None:
            return True
        self.diagnostics.error(
            node.location_at(bad.start()),
            f"'{name}' contains the control character U+{ord(bad.group()):04X}",
            "retype the text; a control character cannot be printed",
        )
        return False

    def refuse_html(self, node: YScalar, value: str, name: str) -> None:
        """Plain-text fields hold no markup: anything tag-like is refused where it stands."""
        tag = _TAG_LIKE.search(value) if "<" in value else None
        if tag is not None:
            self.diagnostics.error(
                node.location_at(node.value.find(tag.group())),
                f"raw HTML is not allowed in '{name}'", "write plain text",
            )

    def text(self, name: str, *, required: bool = False, default: str = "") -> str:
        node = self.scalar(name, required=required)
        if node is None:
            return default
        value = node.value.strip()
        if not value and required:
            self.diagnostics.error(node.location, f"'{name}' is empty in {self.what}")
        self.refuse_html(node, value, name)
        return value

    def identifier(self, name: str = "id") -> str:
        node = self.scalar(name, required=True)
        if node is None:
            return ""
        value = node.value
        if _INVISIBLE.search(value):
            self.diagnostics.error(
                node.location,
                f"id {value!r} contains an invisible or control character",
                "retype the id: lower-case letters, digits and hyphens only",
            )
            return ""
        if not ID_RE.match(value):
            normal = unicodedata.normalize("NFKD", value.lower())
            ascii_form = re.sub(r"[^a-z0-9]+", "-", normal.encode("ascii", "ignore").decode())
            self.diagnostics.error(
                node.location,
                f"invalid id '{value}'",
                f"ids are lower-case letters, digits and hyphens, e.g. '{ascii_form.strip('-')}'",
            )
            return ""
        return value

    def integer(self, name: str, *, required: bool = False) -> int | None:
        node = self.scalar(name, required=required)
        if node is None:
            return None
        if node.style or not re.fullmatch(r"-?\d+", node.value):
            self.diagnostics.error(
                node.location, f"'{name}' must be a whole number, not {describe(node)}"
            )
            return None
        return int(node.value)

    def boolean(self, name: str) -> bool:
        node = self.scalar(name)
        if node is None:
            return False
        if node.value in ("true", "True", "yes"):
            return True
        if node.value in ("false", "False", "no"):
            return False
        self.diagnostics.error(
            node.location, f"'{name}' must be true or false, not {describe(node)}"
        )
        return False

    def text_list(self, name: str) -> tuple[str, ...]:
        node = self.node.get(name)
        if node is None or (isinstance(node, YScalar) and node.is_null):
            return ()
        if isinstance(node, YScalar):
            if not self.clean(node, name):
                return ()
            self.refuse_html(node, node.value, name)
            return (node.value.strip(),)
        if not isinstance(node, YList):
            self.diagnostics.error(node.location, f"'{name}' must be a list, not {describe(node)}")
            return ()
        out: list[str] = []
        for item in node.items:
            if isinstance(item, YScalar) and not item.is_null:
                if self.clean(item, name):
                    self.refuse_html(item, item.value, name)
                    out.append(item.value.strip())
            else:
                self.diagnostics.error(item.location, f"each item of '{name}' must be a text")
        return tuple(out)

    def mapping(self, name: str) -> Fields | None:
        node = self.node.get(name)
        if node is None:
            return None
        if not isinstance(node, YMap):
            self.diagnostics.error(
                node.location, f"'{name}' must be a mapping, not {describe(node)}"
            )
            return None
        return Fields(node, f"'{name}' of {self.what}", self.diagnostics)

    def rich(self, name: str, *, required: bool = False,
             owner: str = "") -> tuple[RichText, YScalar | None]:
        """A text field's markup; with an ``owner``, its mentions are anchored in it."""
        node = self.scalar(name, required=required)
        if node is None:
            return RichText(), None
        folded = node.style != "|"
        rich, problems = parse_rich_text(node.value, folded=folded, locate=node.location_at,
                                         owner=owner)
        self.report(node, problems)
        return rich, node

    def report(self, node: YScalar, problems: list[MarkupProblem]) -> None:
        for problem in problems:
            self.diagnostics.error(node.location_at(problem.offset), problem.message, problem.hint)


def records(node: YNode | None, what: str, diagnostics: Diagnostics) -> list[Fields]:
    """The records of a list file (chronology, people …)."""
    if node is None:
        return []
    if isinstance(node, YMap) and not node.entries:
        return []
    if not isinstance(node, YList):
        diagnostics.error(
            node.location, f"expected a list of {what}s, found {describe(node)}",
            "start each entry with '- '",
        )
        return []
    out: list[Fields] = []
    for index, item in enumerate(node.items, start=1):
        if isinstance(item, YMap):
            out.append(Fields(item, f"{what} #{index}", diagnostics))
        else:
            diagnostics.error(item.location, f"{what} #{index} must be a mapping of fields")
    return out
