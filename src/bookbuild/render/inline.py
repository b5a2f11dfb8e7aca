"""Running text to HTML: every character escaped, mentions and notes linked, typography applied."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

from markupsafe import Markup, escape

from ..locale import Locale
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


def _same_document(target: str) -> str:
    return f"#{target}"


@dataclass(frozen=True)
class Linker:
    """Where links point in one output: a single document, or one file among several."""

    href: Callable[[str], str] = _same_document  # anchor id -> href
    link_mentions: bool = True  # mentions link back to their index entry
    hyphenate: bool = False  # insert safe soft hyphens (print)
    note_numbers: dict[str, int] = field(default_factory=dict)
    locale: Locale | None = None  # the book's typography and hyphenation (set by render_page)
    calls: list[str] | None = None  # when given: the id of every note call rendered, in order


def render_text(text: RichText, linker: Linker, *, owner: str = "") -> Markup:
    """All paragraphs of ``text`` as ``<p>`` elements, with ids ``<owner>-p<n>`` if given."""
    return Markup("").join(
        Markup("<p{}>{}</p>").format(
            Markup(' id="{}-p{}"').format(owner, n) if owner else Markup(""),
            render_inlines(p.children, linker))
        for n, p in enumerate(text.paragraphs, start=1)
    )


def render_inlines(nodes: tuple[Inline, ...], linker: Linker) -> Markup:
    """One paragraph's inline nodes, its text runs typeset together (quotes across mentions)."""
    if linker.locale is None:
        raise ValueError("render_inlines needs a Linker with the book's locale")
    typeset = linker.locale.typeset_runs(list(text_runs(nodes)))
    if linker.hyphenate:  # hyphenated here, the paragraph's last word left whole
        return _inlines(nodes, replace(linker, hyphenate=False),
                        iter(_hyphenated(typeset, linker.locale)))
    return _inlines(nodes, linker, iter(typeset))


_WORD = re.compile(r"\w+")


def _hyphenated(runs: list[str], locale: Locale) -> list[str]:
    """Soft hyphens in every word of a paragraph's runs but its last: a paragraph never
    ends on the fragment of a word ("bay-" / "onets.")."""
    last = next((k for k in range(len(runs) - 1, -1, -1) if _WORD.search(runs[k])), -1)
    out = []
    for k, run in enumerate(runs):
        if k == last:
            start = list(_WORD.finditer(run))[-1].start()
            out.append(locale.hyphenate(run[:start]) + run[start:])
        else:
            out.append(locale.hyphenate(run))
    return out


def text_runs(nodes: tuple[Inline, ...]) -> Iterator[str]:
    """The text runs of ``nodes`` in reading order (what typography sees as one paragraph)."""
    for node in nodes:
        if isinstance(node, Text):
            yield node.text
        elif isinstance(node, Emphasis | Mention | Link):
            yield from text_runs(node.children)
        elif isinstance(node, Correction) and node.corrected:
            opening, closing = node.brackets  # an insertion stands in square brackets
            yield opening
            yield from text_runs(node.content)
            yield closing


def _inlines(nodes: tuple[Inline, ...], linker: Linker, runs: Iterator[str]) -> Markup:
    return Markup("").join(_node(node, linker, runs) for node in nodes)


def _text(runs: Iterator[str], linker: Linker) -> Markup:
    return escape(next(runs))  # typeset (and hyphenated) by render_inlines


def _node(node: Inline, linker: Linker, runs: Iterator[str]) -> Markup:
    if isinstance(node, Text):
        return _text(runs, linker)
    if isinstance(node, Emphasis):
        tag = "strong" if node.strong else "em"
        return Markup("<{0}>{1}</{0}>").format(tag, _inlines(node.children, linker, runs))
    if isinstance(node, Mention):
        refs = " ".join(node.entity_ids)
        if linker.link_mentions:
            # a link may not hold a link: the note references inside go right after it
            inner = _inlines(node.children, replace(linker, note_numbers={}), runs)
            notes = Markup("").join(_note_ref(n.note_id, linker) for n in walk(node.children)
                                    if isinstance(n, NoteRef | Correction))
            return Markup('<a class="mention" id="{}" href="{}" data-ref="{}">{}</a>{}').format(
                node.anchor, linker.href(entry_anchor(node.entity_ids[0])), refs, inner, notes)
        inner = _inlines(node.children, linker, runs)
        return Markup('<span class="mention" id="{}" data-ref="{}">{}</span>').format(
            node.anchor, refs, inner)
    if isinstance(node, Link):
        inner = _inlines(node.children, linker, runs)
        href = linker.href(node.href[1:]) if node.href.startswith("#") else node.href
        return Markup('<a href="{}">{}</a>').format(href, inner)
    if isinstance(node, NoteRef):
        return _note_ref(node.note_id, linker)
    if isinstance(node, Correction):
        shown = Markup("")
        if node.corrected:
            shown = (_text(runs, linker) + _inlines(node.content, linker, runs)
                     + _text(runs, linker))
        return Markup('<span class="correction">{}</span>{}').format(
            shown, _note_ref(node.note_id, linker))
    raise TypeError(f"unknown inline node {node!r}")  # pragma: no cover


def _note_ref(note_id: str, linker: Linker) -> Markup:
    number = linker.note_numbers.get(note_id, 0)
    if not number:
        return Markup("")
    if linker.calls is not None:
        linker.calls.append(note_id)
    return Markup('<sup class="noteref"><a href="{}">{}</a></sup>').format(
        linker.href(note_anchor(note_id)), number)
