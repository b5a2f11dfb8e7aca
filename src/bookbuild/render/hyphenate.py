"""Safe Hungarian hyphenation by soft hyphens (U+00AD).

WeasyPrint's ``hyphens: auto`` with Pyphen's hu_HU dictionary applies the
dictionary's *non-standard* breaks, which change the spelling at a doubled digraph
("visszatérést" → "visz-" / "szatérést"): printed without the added letter it reads
"visz-" + "zatérést". The PDF renderer therefore uses ``hyphens: manual`` and this
module inserts soft hyphens only where a line break keeps the word exactly as
written:

* only Pyphen breaks whose two halves concatenate back to the word are used;
* no break inside a digraph (cs, dz, dzs, gy, ly, ny, sz, ty, zs) or a doubled
  digraph (ccs, ddz, ggy, lly, nny, ssz, tty, zzs);
* no break where the next line would start with two consonant letters
  ("Hru-scsov"): Hungarian syllabification moves only the last consonant;
* each hyphen-separated part is treated on its own, so nothing breaks next to an
  existing hyphen; parts with digits, existing soft hyphens or a capital letter
  after the first (abbreviations such as "MEFESZ", "ÁVH", "MSzMP") are left alone;
* parts shorter than 6 letters get no breaks; at least 2 letters stay on the left
  and 3 go to the right.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pyphen

__all__ = [
    "FORBIDDEN_CLUSTERS",
    "MIN_LEFT",
    "MIN_RIGHT",
    "MIN_WORD_LENGTH",
    "SOFT_HYPHEN",
    "hyphenate_text",
    "hyphenate_word",
    "safe_break_positions",
]

SOFT_HYPHEN = "\u00ad"

#: Letter clusters that must never be split (no break between any two of their
#: letters): the Hungarian digraphs, the trigraph dzs and the doubled digraphs.
FORBIDDEN_CLUSTERS: tuple[str, ...] = (
    "cs", "dz", "dzs", "gy", "ly", "ny", "sz", "ty", "zs",
    "ccs", "ddz", "ddzs", "ggy", "lly", "nny", "ssz", "tty", "zzs",
)  # fmt: skip

#: Digraphs that count as one consonant letter when checking consonant clusters.
_DIGRAPHS: frozenset[str] = frozenset({"cs", "dz", "gy", "ly", "ny", "sz", "ty", "zs"})

_VOWELS = frozenset("aáeéiíoóöőuúüűäëïôõûy")

MIN_WORD_LENGTH = 6
MIN_LEFT = 2
MIN_RIGHT = 3

#: A run of word characters (and soft hyphens) between separators such as "-".
_PART_RE = re.compile(r"[\w\u00ad]+")


@lru_cache(maxsize=1)
def load_dictionary() -> pyphen.Pyphen:
    """The shared Pyphen hu_HU dictionary (loaded once)."""
    return pyphen.Pyphen(lang="hu_HU", left=MIN_LEFT, right=2)


def _lower(word: str) -> str:
    """Lower-case ``word`` character by character, keeping its length."""
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in word)


def _forbidden_positions(word: str) -> set[int]:
    """Break positions (0 < i < len) that would split a forbidden cluster."""
    lowered = _lower(word)
    forbidden: set[int] = set()
    for cluster in FORBIDDEN_CLUSTERS:
        start = lowered.find(cluster)
        while start != -1:
            forbidden.update(range(start + 1, start + len(cluster)))
            start = lowered.find(cluster, start + 1)
    return forbidden


def _starts_with_consonant_cluster(right: str) -> bool:
    """True if ``right`` begins with two consonant letters (a digraph counts as one)."""
    lowered = _lower(right)
    first_len = 2 if lowered[:2] in _DIGRAPHS else 1
    if lowered[:3] == "dzs":
        first_len = 3
    first, rest = lowered[:first_len], lowered[first_len:]
    return bool(rest) and first[0] not in _VOWELS and rest[0] not in _VOWELS


def _pyphen_breaks(word: str) -> list[int]:
    """Pyphen's break positions whose halves concatenate back to ``word``.

    Non-standard entries (where Pyphen would respell the word, e.g. "visz-szatérést")
    are dropped.
    """
    breaks = [len(left) for left, right in load_dictionary().iterate(word) if left + right == word]
    return sorted(breaks)


def _is_breakable(part: str) -> bool:
    """True if a hyphen-free part may receive soft hyphens at all."""
    return (
        len(part) >= MIN_WORD_LENGTH
        and part.isalpha()
        and not any(char.isupper() for char in part[1:])
    )


def _part_breaks(part: str) -> list[int]:
    """Safe break positions inside one breakable part."""
    forbidden = _forbidden_positions(part)
    return [
        pos
        for pos in _pyphen_breaks(part)
        if MIN_LEFT <= pos <= len(part) - MIN_RIGHT
        and pos not in forbidden
        and not _starts_with_consonant_cluster(part[pos:])
    ]


def safe_break_positions(word: str) -> list[int]:
    """Indices into ``word`` where a soft hyphen may be inserted, ascending.

    ``word`` may contain hyphens ("Rajk-perben"); each part is handled separately.
    """
    positions: list[int] = []
    for match in _PART_RE.finditer(word):
        part = match.group()
        if _is_breakable(part):
            positions.extend(match.start() + pos for pos in _part_breaks(part))
    return positions


@lru_cache(maxsize=16_384)
def hyphenate_word(word: str) -> str:
    """Return ``word`` with U+00AD inserted at every safe break position."""
    pieces: list[str] = []
    previous = 0
    for pos in safe_break_positions(word):
        pieces.append(word[previous:pos])
        previous = pos
    pieces.append(word[previous:])
    return SOFT_HYPHEN.join(pieces)


def hyphenate_text(text: str) -> str:
    """Insert soft hyphens into every word of a running text.

    Spaces, punctuation, digits and words that already contain soft hyphens are
    left as they are.
    """
    return _PART_RE.sub(lambda match: hyphenate_word(match.group()), text)
