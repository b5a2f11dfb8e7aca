"""The words the templates print around a book's content, from the book's locale.

Templates read ``labels.contents``, ``labels.roles[role]``, ``labels.index_titles[kind]``,
``labels.relations[relation]`` …; every word comes from the language's catalogue (or the
book's ``labels:``), none is written here.
"""

from __future__ import annotations

from ..locale import Locale

#: Catalogue prefixes that templates read as a group: ``role.editor`` → ``roles["editor"]``.
GROUPS = {"role": "roles", "index": "index_titles", "relation": "relations",
          "time_of_day": "times_of_day"}


def template_labels(locale: Locale) -> dict[str, object]:
    """Every word of the locale, flat keys as they are and dotted ones grouped."""
    labels: dict[str, object] = {}
    for key in sorted(locale.catalogue.messages):
        prefix, dot, name = key.partition(".")
        if not dot:
            labels[key] = locale.word(key)
        elif prefix in GROUPS:
            group = labels.setdefault(GROUPS[prefix], {})
            assert isinstance(group, dict)
            group[name] = locale.word(key)
    return labels


def _css_string(text: str) -> str:
    """``text`` as a CSS string literal: every character but letters and digits escaped."""
    return '"' + "".join(c if c.isascii() and c.isalnum() else f"\\{ord(c):06x}"
                         for c in text) + '"'


def page_reference_css(locale: Locale) -> str:
    """The custom properties a layout's CSS uses around a page counter (``8. o.``, ``p. 8``).

    ``content: var(--page-ref-before) target-counter(attr(href url), page)
    var(--page-ref-after)`` prints a page reference in the book's language.
    """
    before, after = locale.page_affixes()
    return (f"\n:root {{ --page-ref-before: {_css_string(before)}; "
            f"--page-ref-after: {_css_string(after)}; }}")
