"""Alphabetical order for indexes and name lists: the CLDR collation of the book's language, by ICU.

ICU's tailorings hold each language's rules (Hungarian: cs, dz, dzs, gy, ly, ny, sz, ty,
zs are letters of their own, a doubled digraph counts twice, ö after o; Polish: ł after l,
ś after s; German: ä with a …). Strings that ICU ranks equal are ordered by the string
itself, so the order is total and deterministic. Spaces and punctuation are ignored
but for ties (letter-by-letter order), except the comma of an inverted heading: the
order goes letter by letter up to the first comma, as indexes do ("Wood, William"
before "Woodward, Alan"; "Lawrence, Massachusetts" before "Lawrence Common").
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import icu

__all__ = ["SortKey", "sort_key_for"]

#: ICU's collation keys of the heading before its first comma and of the rest, then the
#: string (a total order).
SortKey = tuple[bytes, bytes, str]


@cache
def _collator(cldr: str) -> icu.Collator:
    collator = icu.Collator.createInstance(icu.Locale(cldr))
    # digits compare by value ("2. pont" < "10. pont")
    collator.setAttribute(icu.UCollAttribute.NUMERIC_COLLATION, icu.UCollAttributeValue.ON)
    # letter by letter: spaces and punctuation count only between otherwise equal strings
    # ("Nagy-Britannia" < "Nagy Imre" < "Nagyító", as Hungarian and most indexes order)
    collator.setAttribute(icu.UCollAttribute.ALTERNATE_HANDLING, icu.UCollAttributeValue.SHIFTED)
    return collator


def sort_key_for(cldr: str) -> Callable[[str], SortKey]:
    """The sort key function of the CLDR locale ``cldr`` (``hu_HU``, ``pl`` …)."""
    collator = _collator(cldr)

    def sort_key(text: str) -> SortKey:
        head, _comma, rest = text.partition(",")
        return (bytes(collator.getSortKey(head)), bytes(collator.getSortKey(rest)), text)

    return sort_key
