"""Running text to HTML: every character escaped, mentions and notes linked, typography applied."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

from markupsafe import Markup, escape

from ..manuscript.anchors import entry_anchor, note_anchor
from ..manuscript.model import (
    Correction,
    Emphasis,
    Inline,
    Link,
    Mention,
    NoteRef,
    RichText,
    Text,
    walk,
)
from .hyphenate import hyphenate_text
from .typography import typeset

# Stands between the text runs of a paragraph while they are typeset together, so that a
# quote after a mention closes and nesting carries over; no rule of typography acts on it.
_JOINT = "\ue000"


def _same_document(target: str) -> str:
    return f"#{target}"


@dataclass(frozen=True)
class Linker:
    """Where links point in one output: a single document, or one file among several."""

    href: Callable[[str], str] = _same_document  # anchor id -> href
    link_mentions: bool = True  # mentions link back to their index entry
    hyphenate: bool = False  # insert safe soft hyphens (print)
    note_numbers: dict[str, int] = field(default_factory=dict)


def render_text(text: RichText, linker: Linker, *, owner: str = "") -> Markup:
    """All paragraphs of ``text`` as ``<p>`` elements, with ids ``<owner>-p<n>`` if given."""
    return Markup("").join(
        Markup("<p{}>{}</p>").format(
            Markup(' id="{}-p{}"').format(owner, n) if owner else Markup(""),
            render_inlines(p.children, linker))
        for n, p in enumerate(text.paragraphs, start=1)
    )


def render_inlines(nodes: tuple[Inline, ...], linker: Linker) -> Markup:
    """One paragraph's inline content; its text runs are typeset as one text."""
    return _Renderer(linker, typeset_runs(nodes)).inlines(nodes)


def text_runs(nodes: tuple[Inline, ...]) -> list[str]:
    """The printed text runs of ``nodes`` in reading order (an insertion's brackets too)."""
    runs: list[str] = []
    for node in nodes:
        if isinstance(node, Text):
            runs.append(node.text)
        elif isinstance(node, Emphasis | Mention | Link):
            runs.extend(text_runs(node.children))
        elif isinstance(node, Correction) and node.corrected:
            opening, closing = node.brackets
            runs += [opening, *text_runs(node.content), closing]
    return runs


def typeset_runs(nodes: tuple[Inline, ...]) -> list[str]:
    """The text runs typeset in their context: what stands before a quote decides it."""
    runs = text_runs(nodes)
    typeset_text = typeset(_JOINT.join(runs))
    out = typeset_text.split(_JOINT)
    return out if len(out) == len(runs) else [typeset(run) for run in runs]


class _Renderer:
    def __init__(self, linker: Linker, runs: list[str]) -> None:
        self.linker = linker
        self.runs: Iterator[str] = iter(runs)

    def inlines(self, nodes: tuple[Inline, ...]) -> Markup:
        return Markup("").join(self.node(node) for node in nodes)

    def text(self) -> Markup:
        value = next(self.runs)
        if self.linker.hyphenate:
            value = hyphenate_text(value)
        return escape(value)

    def node(self, node: Inline) -> Markup:
        linker = self.linker
        if isinstance(node, Text):
            return self.text()
        if isinstance(node, Emphasis):
            tag = "strong" if node.strong else "em"
            return Markup("<{0}>{1}</{0}>").format(tag, self.inlines(node.children))
        if isinstance(node, Mention):
            refs = " ".join(node.entity_ids)
            if linker.link_mentions:
                # a link may not hold a link: the note references inside go right after it
                self.linker = replace(linker, note_numbers={})
                inner = self.inlines(node.children)
                self.linker = linker
                notes = Markup("").join(_note_ref(n.note_id, linker) for n in walk(node.children)
                                        if isinstance(n, NoteRef | Correction))
                return Markup('<a class="mention" id="{}" href="{}" data-ref="{}">{}</a>{}').format(
                    node.anchor, linker.href(entry_anchor(node.entity_ids[0])), refs, inner, notes)
            inner = self.inlines(node.children)
            return Markup('<span class="mention" id="{}" data-ref="{}">{}</span>').format(
                node.anchor, refs, inner)
        if isinstance(node, Link):
            inner = self.inlines(node.children)
            href = linker.href(node.href[1:]) if node.href.startswith("#") else node.href
            return Markup('<a href="{}">{}</a>').format(href, inner)
        if isinstance(node, NoteRef):
            return _note_ref(node.note_id, linker)
        if isinstance(node, Correction):
            shown = Markup("")
            if node.corrected:
                shown = self.text() + self.inlines(node.content) + self.text()
            return Markup('<span class="correction">{}</span>{}').format(
                shown, _note_ref(node.note_id, linker))
        raise TypeError(f"unknown inline node {node!r}")  # pragma: no cover


def _note_ref(note_id: str, linker: Linker) -> Markup:
    number = linker.note_numbers.get(note_id, 0)
    if not number:
        return Markup("")
    return Markup('<sup class="noteref"><a href="{}">{}</a></sup>').format(
        linker.href(note_anchor(note_id)), number)
