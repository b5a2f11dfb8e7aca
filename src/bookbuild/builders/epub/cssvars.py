"""CSS custom properties resolved at build time, for reading systems that do not know them.

The layouts keep one home for their values (``:root { --muted: #444 }`` in base.css);
an e-reader that does not implement ``var()`` drops every declaration that uses one.
:func:`resolve_custom_properties` writes each ``var(--x)`` (or its fallback) out as the
value declared on ``:root`` and removes the custom properties themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import tinycss2

Node = Any  # a tinycss2 node


def _declarations(rule: Node) -> list[Node]:
    return list(tinycss2.parse_blocks_contents(rule.content))


def _is_root(rule: Node) -> bool:
    return str(tinycss2.serialize(rule.prelude)).strip() == ":root"


def custom_properties(sheets: Iterable[str]) -> dict[str, list[Node]]:
    """The custom properties declared on ``:root`` in ``sheets`` (a later one wins)."""
    found: dict[str, list[Node]] = {}
    for css in sheets:
        for rule in tinycss2.parse_stylesheet(css):
            if rule.type == "qualified-rule" and _is_root(rule):
                for decl in _declarations(rule):
                    if decl.type == "declaration" and decl.name.startswith("--"):
                        found[decl.name] = _strip(decl.value)
    return found


def _strip(tokens: Sequence[Node]) -> list[Node]:
    tokens = list(tokens)
    while tokens and tokens[0].type == "whitespace":
        tokens.pop(0)
    while tokens and tokens[-1].type == "whitespace":
        tokens.pop()
    return tokens


def _substitute(tokens: Sequence[Node], values: dict[str, list[Node]],
                depth: int = 0) -> list[Node]:
    out: list[Node] = []
    for token in tokens:
        if token.type == "function" and token.lower_name == "var" and depth < 16:
            args = _strip(token.arguments)
            name = args[0].value if args and args[0].type == "ident" else ""
            comma = next((k for k, t in enumerate(args) if t.type == "literal"
                          and t.value == ","), None)
            fallback = args[comma + 1:] if comma is not None else None
            chosen = values.get(name, _strip(fallback) if fallback is not None else [])
            out.extend(_substitute(chosen, values, depth + 1))
        elif token.type == "function":
            token.arguments = _substitute(token.arguments, values, depth)
            out.append(token)
        else:
            out.append(token)
    return out


def _rewrite_block(content: Sequence[Node], values: dict[str, list[Node]]) -> str:
    parts = []
    for decl in tinycss2.parse_blocks_contents(content):
        if decl.type == "declaration":
            if decl.name.startswith("--"):
                continue
            value = tinycss2.serialize(_substitute(decl.value, values)).strip()
            important = " !important" if decl.important else ""
            parts.append(f"{decl.name}: {value}{important};")
        elif decl.type in ("qualified-rule", "at-rule"):
            parts.append(_rewrite_rule(decl, values))
    return " ".join(parts)


def _rewrite_rule(rule: Node, values: dict[str, list[Node]]) -> str:
    prelude = tinycss2.serialize(rule.prelude).strip()
    if rule.type == "at-rule":
        if rule.content is None:
            return f"@{rule.at_keyword} {prelude};"
        if rule.lower_at_keyword in ("media", "supports", "layer", "document"):
            inner = "\n".join(filter(None, (_rewrite_rule(r, values) for r in
                                            tinycss2.parse_rule_list(rule.content)
                                            if r.type in ("qualified-rule", "at-rule"))))
            return f"@{rule.at_keyword} {prelude} {{\n{inner}\n}}"
        return f"@{rule.at_keyword} {prelude} {{ {_rewrite_block(rule.content, values)} }}"
    body = _rewrite_block(rule.content, values)
    if not body:
        return ""
    return f"{prelude} {{ {body} }}"


def resolve_custom_properties(css: str, values: dict[str, list[Node]]) -> str:
    """``css`` with every ``var()`` written out and no custom property left."""
    out = []
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type in ("qualified-rule", "at-rule"):
            text = _rewrite_rule(rule, values)
            if text:
                out.append(text)
    return "\n".join(out) + "\n"
