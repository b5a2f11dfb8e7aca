"""Safe hyphenation by soft hyphens (U+00AD), with the Pyphen dictionary of the book's language.

The PDF renderer uses ``hyphens: manual``; this module inserts soft hyphens only where
a line break keeps the word exactly as written:

* only Pyphen breaks whose two halves concatenate back to the word are used (the
  dictionaries' non-standard breaks respell the word: Hungarian "visz-" / "szatérést");
* each hyphen-separated part is treated on its own, so nothing breaks next to an
  existing hyphen; parts with digits, existing soft hyphens or a capital letter after
  the first (abbreviations such as "MEFESZ", "ÁVH", "MSzMP") are left alone;
* parts shorter than 6 letters get no breaks; at least 2 letters stay on the left and
  3 go to the right; parts longer than :data:`MAX_WORD_LENGTH` are left alone (no
  language has such words; a long run of letters costs no time);
* a language may register a rule of its own (:func:`register_rule`): the Hungarian
  one never splits a digraph (cs, dz, dzs, gy, ly, ny, sz, ty, zs) or a doubled
  digraph (ccs, ddz, ggy, lly, nny, ssz, tty, zzs), and never starts the next line with
  two consonant letters ("Hru-scsov").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache

import pyphen

from ..langrules import LanguageRules
from .typography import SOFT_HYPHEN

__all__ = [
    "FORBIDDEN_CLUSTERS",
    "MAX_WORD_LENGTH",
    "MIN_LEFT",
    "MIN_RIGHT",
    "MIN_WORD_LENGTH",
    "SOFT_HYPHEN",
    "Hyphenator",
    "hyphenator_for",
    "register_rule",
]


MIN_WORD_LENGTH = 6
MAX_WORD_LENGTH = 40
MIN_LEFT = 2
MIN_RIGHT = 3

#: A run of word characters (and soft hyphens) between separators such as "-".
_PART_RE = re.compile(r"[\w\u00ad]+")

#: A language's own rule: may ``part`` (lower case) break before index ``pos``?
BreakRule = Callable[[str, int], bool]

_RULES: LanguageRules[BreakRule] = LanguageRules()
register_rule = _RULES.register  # @register_rule("hu"): the break rule of a language


@cache
def load_dictionary(name: str) -> pyphen.Pyphen | None:
    """Pyphen's dictionary for ``name`` (``hu_HU``, ``en_GB`` …), or None if it has none."""
    from .hyphdicts import load_patterns

    found = pyphen.language_fallback(name)
    if not found:
        return None
    load_patterns(found)  # parsed once per machine, not once per build
    return pyphen.Pyphen(lang=found, left=MIN_LEFT, right=2)


def _lower(word: str) -> str:
    """Lower-case ``word`` character by character, keeping its length."""
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in word)


def _is_breakable(part: str) -> bool:
    """True if a hyphen-free part may receive soft hyphens at all."""
    return (
        MIN_WORD_LENGTH <= len(part) <= MAX_WORD_LENGTH
        and part.isalpha()
        and not any(char.isupper() for char in part[1:])
    )


@dataclass(frozen=True)
class Hyphenator:
    """Soft hyphens for one language: its Pyphen dictionary and its own rule, if any."""

    dictionary: str
    language: str = ""

    def _part_breaks(self, part: str) -> list[int]:
        dictionary = load_dictionary(self.dictionary)
        if dictionary is None:
            return []
        rule = _RULES.get(self.language)
        lowered = _lower(part)
        return sorted(
            len(left)
            for left, right in dictionary.iterate(part)
            if left + right == part
            and MIN_LEFT <= len(left) <= len(part) - MIN_RIGHT
            and (rule is None or rule(lowered, len(left)))
        )

    def safe_break_positions(self, word: str) -> list[int]:
        """Indices into ``word`` where a soft hyphen may be inserted, ascending.

        ``word`` may contain hyphens ("Rajk-perben"); each part is handled separately.
        """
        positions: list[int] = []
        for match in _PART_RE.finditer(word):
            part = match.group()
            if _is_breakable(part):
                positions.extend(match.start() + pos for pos in self._part_breaks(part))
        return positions

    def hyphenate_word(self, word: str) -> str:
        """``word`` with U+00AD inserted at every safe break position."""
        return _hyphenate_word(self, word)

    def hyphenate_text(self, text: str) -> str:
        """Soft hyphens in every word of a running text; everything else left as it is."""
        return _PART_RE.sub(lambda match: _hyphenate_word(self, match.group()), text)


@lru_cache(maxsize=16_384)
def _hyphenate_word(hyphenator: Hyphenator, word: str) -> str:
    pieces: list[str] = []
    previous = 0
    for pos in hyphenator.safe_break_positions(word):
        pieces.append(word[previous:pos])
        previous = pos
    pieces.append(word[previous:])
    return SOFT_HYPHEN.join(pieces)


def hyphenator_for(language: str, dictionary: str) -> Hyphenator:
    """The hyphenator of ``language`` with the Pyphen dictionary ``dictionary``."""
    return Hyphenator(dictionary, language)


# ---------------------------------------------------------------- Hungarian

#: Letter clusters that must never be split (no break between any two of their
#: letters): the Hungarian digraphs, the trigraph dzs and the doubled digraphs.
FORBIDDEN_CLUSTERS: tuple[str, ...] = (
    "cs", "dz", "dzs", "gy", "ly", "ny", "sz", "ty", "zs",
    "ccs", "ddz", "ddzs", "ggy", "lly", "nny", "ssz", "tty", "zzs",
)  # fmt: skip

#: Digraphs that count as one consonant letter when checking consonant clusters.
_DIGRAPHS: frozenset[str] = frozenset({"cs", "dz", "gy", "ly", "ny", "sz", "ty", "zs"})

_VOWELS = frozenset("aáeéiíoóöőuúüűäëïôõûy")


def _splits_cluster(word: str, pos: int) -> bool:
    """True if a break before ``pos`` splits a forbidden cluster of ``word``."""
    return any(
        word[start:start + len(cluster)] == cluster
        for cluster in FORBIDDEN_CLUSTERS
        for start in range(max(0, pos - len(cluster) + 1), pos)
    )


def _starts_with_consonant_cluster(right: str) -> bool:
    """True if ``right`` begins with two consonant letters (a digraph counts as one)."""
    first_len = 3 if right[:3] == "dzs" else 2 if right[:2] in _DIGRAPHS else 1
    first, rest = right[:first_len], right[first_len:]
    return bool(rest) and first[0] not in _VOWELS and rest[0] not in _VOWELS


@register_rule("hu")
def hungarian_rule(word: str, pos: int) -> bool:
    """Hungarian: no digraph split, no two consonants starting the next line."""
    return not _splits_cluster(word, pos) and not _starts_with_consonant_cluster(word[pos:])
