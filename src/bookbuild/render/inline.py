"""Running text to HTML: every character escaped, mentions and notes linked, typography applied."""

from __future__ import annotations

from collections.abc import Callable
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
    return Markup("").join(_node(node, linker) for node in nodes)


def _text(value: str, linker: Linker) -> Markup:
    value = typeset(value)
    if linker.hyphenate:
        value = hyphenate_text(value)
    return escape(value)


def _node(node: Inline, linker: Linker) -> Markup:
    if isinstance(node, Text):
        return _text(node.text, linker)
    if isinstance(node, Emphasis):
        tag = "strong" if node.strong else "em"
        return Markup("<{0}>{1}</{0}>").format(tag, render_inlines(node.children, linker))
    if isinstance(node, Mention):
        refs = " ".join(node.entity_ids)
        if linker.link_mentions:
            # a link may not hold a link: the note references inside go right after it
            inner = render_inlines(node.children, replace(linker, note_numbers={}))
            notes = Markup("").join(_note_ref(n.note_id, linker) for n in walk(node.children)
                                    if isinstance(n, NoteRef | Correction))
            return Markup('<a class="mention" id="{}" href="{}" data-ref="{}">{}</a>{}').format(
                node.anchor, linker.href(entry_anchor(node.entity_ids[0])), refs, inner, notes)
        inner = render_inlines(node.children, linker)
        return Markup('<span class="mention" id="{}" data-ref="{}">{}</span>').format(
            node.anchor, refs, inner)
    if isinstance(node, Link):
        inner = render_inlines(node.children, linker)
        href = linker.href(node.href[1:]) if node.href.startswith("#") else node.href
        return Markup('<a href="{}">{}</a>').format(href, inner)
    if isinstance(node, NoteRef):
        return _note_ref(node.note_id, linker)
    if isinstance(node, Correction):
        shown = _text(node.printed, linker) if node.printed else Markup("")
        return Markup('<span class="correction">{}</span>{}').format(
            shown, _note_ref(node.note_id, linker))
    raise TypeError(f"unknown inline node {node!r}")  # pragma: no cover


def _note_ref(note_id: str, linker: Linker) -> Markup:
    number = linker.note_numbers.get(note_id, 0)
    if not number:
        return Markup("")
    return Markup('<sup class="noteref"><a href="{}">{}</a></sup>').format(
        linker.href(note_anchor(note_id)), number)
