"""The inline text syntax: Markdown-like emphasis and links, mentions, notes, corrections.

``parse_rich_text`` turns a string into :class:`RichText` and a list of
problems, each with the character offset where it stands. The grammar is
small on purpose, so that every problem can be pointed at exactly:

* ``[shown text](@id)`` or ``(@id,id2)`` — a mention of index entities;
* ``[text](https://…)``, ``(mailto:…)``, ``(#id)`` — a link;
* ``*em*``, ``**strong**``;
* ``[^note-id]`` — an editorial note reference;
* ``{~~old~>new~~}``, ``{++inserted++}``, ``{--deleted--}`` — editorial corrections;
* ``\\x`` — a literal punctuation character; before a letter, a word that is no
  mention (``die \\Berliner Führung``: check does not take it for Berlin), printed
  without the backslash.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import TypeVar

from ..errors import Location
from .anchors import mention_anchor
from .model import (
    Correction,
    CorrectionKind,
    Emphasis,
    Inline,
    Link,
    Mention,
    NoteRef,
    Paragraph,
    RichText,
    Text,
    plain,
    walk,
)

ID_PATTERN = r"[a-z0-9]+(?:-[a-z0-9]+)*"
ID_RE = re.compile(ID_PATTERN + r"\Z")
SAFE_SCHEMES = ("http://", "https://", "mailto:")
MAX_SPANS = 100_000  # marked-up spans in one manuscript: the 1956 book has ~2 000
_SPAN_BUDGET: ContextVar[list[int] | None] = ContextVar("span_budget", default=None)


@contextmanager
def span_budget() -> Iterator[None]:
    """Within: the texts parsed share one budget of marked-up spans (one manuscript)."""
    token = _SPAN_BUDGET.set([MAX_SPANS])
    try:
        yield
    finally:
        _SPAN_BUDGET.reset(token)


MAX_NESTING = 16  # emphasis inside a mention inside emphasis …: a text needs three or four
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
_FOLDED_PARAGRAPH_BREAK = re.compile(r"\n\s*")
_BRACKET_OR_ESCAPE = re.compile(r"\\.|[\[\]]", re.DOTALL)
_SPECIAL = re.compile(r"[\\<{\[\]*]")
_HTML_LIKE = re.compile(r"<\s*(?:[A-Za-z!?/]|$)")
# a note reference just after the mention a correction ends ("…~~}](@id)[^note]")
_NOTE_AFTER_MENTION = re.compile(r"\]\([^)]*\)\[\^([^\]\s]+)\]")
_ESCAPABLE = set("\\`*_{}[]()<>#+-.!~@^|\"'")
# ``[plain words](target)``: no markup inside, the commonest span, read by one match
_PLAIN_BRACKET = re.compile(r"\[([^\\<{\[\]*]*)\]\(([^)]*)\)")
# ``[plain words](@id,id2)``: the same with a mention's well-formed ids
_PLAIN_MENTION = re.compile(r"\[([^\\<{\[\]*]*)\]\(@(" + ID_PATTERN + "(?:," + ID_PATTERN
                            + r")*)\)")
_NOTE_AFTER_CORRECTION = re.compile(r"\[\^(" + ID_PATTERN + r")\]")
_SPACE_RUN = re.compile(r"[ \t\n]+")
_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f]")  # Cc that is not whitespace
_CRITIC = {"{~~": ("~~}", CorrectionKind.SUBSTITUTE), "{++": ("++}", CorrectionKind.INSERT),
           "{--": ("--}", CorrectionKind.DELETE)}


_N = TypeVar("_N", Mention, Link, NoteRef, Correction)


@dataclass(frozen=True)
class MarkupProblem:
    offset: int
    message: str
    hint: str = ""


def _nowhere(offset: int) -> Location:
    return Location("", 0, 0)


class _Parser:
    def __init__(self, text: str, locate: Callable[[int], Location], owner: str = "") -> None:
        self.text = text
        self.locate = locate
        self.owner = owner  # mentions are anchored <owner>-m<n>, numbered as they are made
        self.mentions = 0
        self.problems: list[MarkupProblem] = []
        self.depth = 0
        self._brackets: dict[int, int] | None = None  # '[' offset -> its ']' offset
        self._missing: dict[tuple[str, int], int] = {}  # (needle, end) -> searched from
        self.offsets: dict[int, int] = {}  # id(node) -> offset, for problems about nodes

    def problem(self, offset: int, message: str, hint: str = "") -> None:
        self.problems.append(MarkupProblem(offset, message, hint))

    # A span is parsed between ``start`` and ``end``; ``closers`` stop it early.
    def inlines(self, start: int, end: int) -> tuple[Inline, ...]:
        if self.depth >= MAX_NESTING:
            self.problem(start, f"markup nested more than {MAX_NESTING} levels deep",
                         "a mention or emphasis holds plain text, perhaps one emphasis")
            return (Text(self.text[start:end]),)
        self.depth += 1
        try:
            return self._inlines(start, end)
        finally:
            self.depth -= 1

    def _over_budget(self, i: int) -> bool:
        """Spend one span of the manuscript's budget; True once it is spent."""
        budget = _SPAN_BUDGET.get()
        if budget is None:
            return False
        budget[0] -= 1
        if budget[0] >= 0:
            return False
        if budget[0] == -1:  # said once, where the budget ran out
            self.problem(i, f"the manuscript holds more than {MAX_SPANS:,} marked-up spans "
                         "(mentions, links, emphasis, notes, corrections)",
                         "a book's texts mark names and emphasis, not every word")
        return True

    def _find(self, needle: str, start: int, end: int) -> int:
        """``text.find`` that remembers where a needle is missing: each search for an
        unclosed opener would otherwise read to the end of the text again."""
        missing_from = self._missing.get((needle, end))
        if missing_from is not None and start >= missing_from:
            return -1
        found = self.text.find(needle, start, end)
        if found < 0:
            self._missing[(needle, end)] = start
        return found

    def _inlines(self, start: int, end: int) -> tuple[Inline, ...]:
        out: list[Inline] = []
        buf: list[str] = []
        i = start
        text = self.text

        def flush() -> None:
            if buf:
                out.append(Text("".join(buf)))
                buf.clear()

        while i < end:
            ch = text[i]
            if ch == "\\" and i + 1 < end and (text[i + 1] in _ESCAPABLE
                                             or text[i + 1].isalpha()):
                buf.append(text[i + 1])
                i += 2
            elif ch == "<" and _HTML_LIKE.match(text, i):
                self.problem(i, "raw HTML is not allowed in the text",
                             "write the text without tags; use *emphasis* or \\< for a literal '<'")
                buf.append(ch)
                i += 1
            elif ch in "[*{" and self._over_budget(i):  # an error: the rest is left unread
                buf.append(text[i:end])
                i = end
            elif text.startswith(("{~~", "{++", "{--"), i):
                flush()
                node, i = self.correction(i, end)
                if node is not None:
                    out.append(node)
            elif text.startswith("[^", i):
                flush()
                node_ref, i = self.note_ref(i, end)
                if node_ref is not None:
                    out.append(node_ref)
            elif ch == "[":
                flush()
                mention = self._plain_mention(i, end)
                if mention is not None:
                    out.append(mention[0])
                    i = mention[1]
                else:
                    node_link, i = self.bracket(i, end)
                    out.extend(node_link)
            elif ch == "]":
                self.problem(i, "']' without a matching '['", "write \\] for a literal bracket")
                buf.append(ch)
                i += 1
            elif ch == "*":
                flush()
                node_em, i = self.emphasis(i, end)
                out.extend(node_em)
            else:  # plain text: up to the next character that may start markup
                special = _SPECIAL.search(text, i + 1, end)
                stop = special.start() if special else end
                buf.append(text[i:stop])
                i = stop
        flush()
        return tuple(out)

    def correction(self, i: int, end: int) -> tuple[Correction | None, int]:
        opener = self.text[i : i + 3]
        closer, kind = _CRITIC[opener]
        close = self._find(closer, i + 3, end)
        if close < 0:
            self.problem(i, f"unclosed editorial correction '{opener}'",
                         f"close it with '{closer}'")
            return None, end
        body = self.text[i + 3 : close]
        after = close + 3
        new_start = i + 3
        if kind is CorrectionKind.SUBSTITUTE:
            if "~>" not in body:
                self.problem(i, "a substitution needs '~>' between the old and the new text",
                             "write {~~old~>new~~}")
                return None, after
            original, corrected = body.split("~>", 1)
            new_start = i + 3 + len(original) + 2
        elif kind is CorrectionKind.INSERT:
            original, corrected = "", body
        else:
            original, corrected = body, ""
        children: tuple[Inline, ...] = ()
        if corrected:
            children = self.inlines(new_start, close)
            for node in walk(children):
                if isinstance(node, NoteRef | Correction):
                    self.problem(self._offset(node, new_start),
                                 "an editorial correction cannot hold a note or another "
                                 "correction", "put the note reference after the correction")
            corrected = plain(children)
        note_id = ""
        match = _NOTE_AFTER_CORRECTION.match(self.text, after)
        if match and match.end() <= end:
            note_id = match.group(1)
            after = match.end()
        else:
            outside = _NOTE_AFTER_MENTION.match(self.text, after)
            self.problem(i, "an editorial correction must be followed by a note reference",
                         "inside a mention the note reference goes inside its brackets too: "
                         f"…~~}}[^{outside.group(1)}]](@…)" if outside else
                         "add [^note-id] right after it and write the note in notes.yaml")
        return self._at(Correction(kind, original, corrected, note_id, self.locate(i), children),
                        i), after

    def note_ref(self, i: int, end: int) -> tuple[NoteRef | None, int]:
        close = self._find("]", i, end)
        if close < 0:
            self.problem(i, "unclosed note reference '[^'", "write [^note-id]")
            return None, end
        note_id = self.text[i + 2 : close]
        if not ID_RE.match(note_id):
            self.problem(i + 2, f"invalid note id '{note_id}'",
                         "ids are lower-case letters, digits and hyphens")
            return None, close + 1
        return self._at(NoteRef(note_id, self.locate(i)), i), close + 1

    def bracket(self, i: int, end: int) -> tuple[list[Inline], int]:
        plain_span = self._plain_bracket(i, end)
        if plain_span is not None:
            close, paren, children = plain_span
        else:
            close = self._matching_bracket(i, end)
            if close < 0 or not self.text.startswith("(", close + 1):
                where = "unclosed '['" if close < 0 else "'[…]' is not followed by '(…)'"
                self.problem(i, f"unclosed mention or link markup: {where}",
                             "write [text](@id) for a mention, or \\[ for a literal bracket")
                return [Text("[")], i + 1
            paren = self._find(")", close + 2, end)
            if paren < 0:
                self.problem(close + 1, "unclosed mention or link markup: missing ')'",
                             "write [text](@id)")
                return [Text("[")], i + 1
            children = self.inlines(i + 1, close)
        target = self.text[close + 2 : paren].strip()
        after = paren + 1
        inner = _first_link(children)
        if inner is not None:
            self.problem(i, "a mention or link cannot hold another mention or link",
                         "mark each name on its own: [Kommunista](@mdp) [Párt](@szkp)")
            return list(children), after
        hidden = _hidden_character(target)
        if hidden:
            self.problem(close + 2, f"the link or mention target contains the invisible "
                         f"character U+{ord(hidden):04X}",
                         "retype the target: ids are lower-case letters, digits and hyphens")
            return list(children), after
        if target.startswith("@"):
            ids = tuple(part.strip() for part in target[1:].split(","))
            bad = [x for x in ids if not ID_RE.match(x)]
            if bad or not ids:
                self.problem(close + 2, f"invalid id in mention '{target}'",
                             "write (@id) or (@id,other-id) with lower-case ids")
                return list(children), after
            return [self._mention(ids, children, i)], after
        if target.startswith("#") and ID_RE.match(target[1:]):
            return [self._at(Link(target, children, self.locate(i)), i)], after
        if target.lower().startswith(SAFE_SCHEMES) and _is_safe_url(target):
            return [self._at(Link(target, children, self.locate(i)), i)], after
        self.problem(close + 2, f"link target '{target[:40]}' is not allowed",
                     "links may point to http(s) or mailto addresses, (@entity) or (#event-id)")
        return list(children), after

    def _mention(self, ids: tuple[str, ...], children: tuple[Inline, ...],
                 i: int) -> Mention:
        """A mention made at ``i``, with the next anchor of its owner's text.

        Mentions are made in reading order (a mention never holds another: one that
        would is refused and its content kept), so the n-th made is the n-th read.
        """
        self.mentions += 1
        anchor = mention_anchor(self.owner, self.mentions) if self.owner else ""
        node = Mention(ids, children, anchor, self.locate(i))
        self.offsets[id(node)] = i
        return node

    def _at(self, node: _N, offset: int) -> _N:
        self.offsets[id(node)] = offset
        return node

    def _offset(self, node: Inline, fallback: int) -> int:
        """Where a parsed node stands in the text (the parser records it in its location)."""
        return self.offsets.get(id(node), fallback)

    def _plain_mention(self, i: int, end: int) -> tuple[Mention, int] | None:
        """A mention of plain words with well-formed ids at ``i`` and where it ends, or None:
        what :meth:`bracket` would make of it, by one match (see :meth:`_plain_bracket`)."""
        if self.depth >= MAX_NESTING or (i > 0 and self.text[i - 1] == "\\"):
            return None
        match = _PLAIN_MENTION.match(self.text, i, end)
        if match is None:
            return None
        words, ids = match.groups()
        return self._mention(tuple(ids.split(",")), (Text(words),) if words else (),
                             i), match.end()

    def _plain_bracket(self, i: int, end: int) -> tuple[int, int, tuple[Inline, ...]] | None:
        """``]``, ``)`` and the children of a ``[`` whose text holds no markup, or None.

        What :meth:`_matching_bracket`, the search for ``)`` and :meth:`inlines` would
        find, by one match: nothing between the brackets can open, close or escape one.
        A ``[`` after a backslash, or at the nesting bound, takes the general way.
        """
        if self.depth >= MAX_NESTING or (i > 0 and self.text[i - 1] == "\\"):
            return None
        match = _PLAIN_BRACKET.match(self.text, i, end)
        if match is None:
            return None
        words = match.group(1)
        return match.end(1), match.end() - 1, (Text(words),) if words else ()

    def _matching_bracket(self, i: int, end: int) -> int:
        """The ``]`` closing the ``[`` at ``i`` (before ``end``), or -1.

        All brackets of the text are paired in one pass, the first time one is
        asked for: 20 000 unclosed ``[`` cost one reading, not 20 000.
        """
        if self._brackets is None:
            self._brackets = {}
            stack: list[int] = []
            for found in _BRACKET_OR_ESCAPE.finditer(self.text):
                ch, j = found.group(), found.start()
                if ch == "[":
                    stack.append(j)
                elif ch == "]" and stack:
                    self._brackets[stack.pop()] = j
        close = self._brackets.get(i, -1)
        return close if close < end else -1

    def emphasis(self, i: int, end: int) -> tuple[list[Inline], int]:
        marker = "**" if self.text.startswith("**", i) else "*"
        close = self._find_unescaped(marker, i + len(marker), end)
        if marker == "*":
            while close >= 0 and self.text.startswith("**", close):
                close = self._find_unescaped("*", close + 2, end)
        if close < 0:
            self.problem(i, f"unclosed emphasis '{marker}'",
                         f"close it with '{marker}', or write \\* for a literal asterisk")
            return [Text(marker)], i + len(marker)
        children = self.inlines(i + len(marker), close)
        return [Emphasis(children, strong=marker == "**")], close + len(marker)

    def _find_unescaped(self, needle: str, start: int, end: int) -> int:
        missing_from = self._missing.get(("\\" + needle, end))
        if missing_from is not None and start >= missing_from:
            return -1
        j = start
        while j < end:
            j = self.text.find(needle, j, end)
            if j < 0:
                break
            if self._escaped(j, start):
                j += 1
                continue
            return j
        self._missing[("\\" + needle, end)] = start
        return -1

    def _escaped(self, j: int, start: int) -> bool:
        """Whether the character at ``j`` is escaped, reading pairs from ``start``."""
        slashes = 0
        k = j - 1
        while k >= start and self.text[k] == "\\":
            slashes += 1
            k -= 1
        return slashes % 2 == 1


def _first_link(nodes: tuple[Inline, ...]) -> Inline | None:
    """A mention or link among ``nodes`` or inside their emphasis."""
    for node in nodes:
        if isinstance(node, Mention | Link):
            return node
        if isinstance(node, Emphasis):
            found = _first_link(node.children)
            if found is not None:
                return found
    return None


def _invisible(ch: str) -> bool:
    """A control or format character (zero-width, bidi override …): unseen, so never meant."""
    return unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")


def _hidden_character(target: str) -> str:
    """The first invisible character of ``target`` that is not whitespace, or ""."""
    if target.isascii():  # the common case, by one search
        found = _ASCII_CONTROL.search(target)
        return found.group() if found else ""
    return next((c for c in target if _invisible(c) and not c.isspace()), "")


def _is_safe_url(url: str) -> bool:
    return not any(c in url for c in " \"'<>`\\") and not any(_invisible(c) for c in url)


def parse_rich_text(
    text: str, *, folded: bool = False, locate: Callable[[int], Location] = _nowhere,
    owner: str = "",
) -> tuple[RichText, list[MarkupProblem]]:
    """Parse ``text`` into paragraphs of inline nodes; report every markup problem.

    Paragraphs are separated by an empty line; in a ``folded`` YAML value (where
    YAML has already turned single line breaks into spaces) by any line break.
    With an ``owner`` (the anchor of the text's event, demand or note) every mention
    gets its stable anchor ``<owner>-m<n>``, in reading order.
    """
    parser = _Parser(text, locate, owner)
    paragraphs: list[Paragraph] = []
    start = 0
    breaks = _FOLDED_PARAGRAPH_BREAK if folded else _PARAGRAPH_BREAK
    for match in [*breaks.finditer(text), None]:
        stop = match.start() if match else len(text)
        lead = start
        while lead < stop and text[lead].isspace():
            lead += 1
        tail = stop
        while tail > lead and text[tail - 1].isspace():
            tail -= 1
        if tail > lead:
            children = parser.inlines(lead, tail)
            paragraphs.append(Paragraph(_collapse_space(children)))
        if match:
            start = match.end()
    return RichText(tuple(paragraphs)), parser.problems


def _collapse_space(nodes: tuple[Inline, ...]) -> tuple[Inline, ...]:
    """Line breaks inside a paragraph are spaces; runs of whitespace become one space.

    Returns ``nodes`` itself when nothing changes (the common case: no node is copied).
    """
    out: list[Inline] = []
    changed = False
    for node in nodes:
        new = node
        if isinstance(node, Text):
            text = node.text
            if "\n" in text or "\t" in text or "  " in text:
                collapsed = _SPACE_RUN.sub(" ", text)
                if collapsed != text:
                    new = Text(collapsed)
        elif isinstance(node, Emphasis | Mention | Link):
            children = _collapse_space(node.children)
            if children is not node.children:
                new = replace(node, children=children)
        elif isinstance(node, Correction) and node.children:
            children = _collapse_space(node.children)
            new = replace(node, children=children, corrected=plain(children))
        changed = changed or new is not node
        out.append(new)
    return tuple(out) if changed else nodes


def plain_text(nodes: tuple[Inline, ...], *, source: bool = False) -> str:
    """The text as printed (``source=False``) or as the source had it (``source=True``)."""
    parts: list[str] = []
    for node in nodes:
        if isinstance(node, Text):
            parts.append(node.text)
        elif isinstance(node, Emphasis | Mention | Link):
            parts.append(plain_text(node.children, source=source))
        elif isinstance(node, Correction):
            parts.append(node.original if source else node.printed)
    return "".join(parts)


ALL_CONSTRUCTS = frozenset({"emphasis", "mention", "link", "note", "correction"})


def refused_constructs(nodes: tuple[Inline, ...],
                       allowed: frozenset[str]) -> list[tuple[Inline, str]]:
    """The nodes of a kind a field does not allow, each with the construct's name."""
    names = {Emphasis: "emphasis", Mention: "mention", Link: "link", NoteRef: "note",
             Correction: "correction"}
    return [(node, names[type(node)]) for node in walk(nodes)
            if type(node) in names and names[type(node)] not in allowed]


def rich_plain_text(text: RichText, *, source: bool = False) -> str:
    """All paragraphs' plain text, joined by blank lines."""
    return "\n\n".join(plain_text(p.children, source=source) for p in text.paragraphs)


_MARKED_SPANS = re.compile(
    r"\[(?:[^\[\]]|\[[^\[\]]*\])*\]\([^)]*\)"  # [text](target), one level of nesting
    r"|\[\^[^\]]*\]"  # [^note]
    r"|\{~~.*?~~\}|\{\+\+.*?\+\+\}|\{--.*?--\}"  # corrections
    r"|\\.",
    re.DOTALL,
)


def unmarked_text(text: str) -> str:
    """``text`` with every marked-up span blanked out, offsets unchanged.

    What remains is the running text that no markup ties to an entity: the
    place to look for mentions an editor forgot to mark.
    """
    return _MARKED_SPANS.sub(lambda m: " " * len(m.group(0)), text)
