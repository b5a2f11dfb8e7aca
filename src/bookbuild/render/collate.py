"""Hungarian alphabetical order (MSZ / AkH 12th ed.) for indexes and name lists.

The sort key has five levels, compared in order:

1. primary: the sequence of Hungarian *letters* (``cs``, ``dzs``, ``sz`` … count as
   one letter; doubled digraphs such as ``ssz`` count as two), with the vowel pairs
   a/á, e/é, i/í, o/ó, ö/ő, u/ú, ü/ű merged, case-insensitive, spaces and punctuation
   ignored ("mintha egybe volnának írva"); digits sort before letters;
2. secondary: vowel length letter by letter (short before long); foreign accented
   letters (ä, č, ñ …) rank after the Hungarian forms of their base letter;
3. tertiary: lower case before upper case, character by character;
4. the spaces and punctuation that were ignored at the primary level;
5. the original string, so that the order is total and deterministic.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any, TypeVar, overload

__all__ = ["ALPHABET", "SortKey", "hu_sort_key", "sort_hungarian"]

T = TypeVar("T")

#: The Hungarian alphabet in collation order (AkH 12, 13. §).
ALPHABET: tuple[str, ...] = (
    "a", "á", "b", "c", "cs", "d", "dz", "dzs", "e", "é", "f", "g", "gy", "h",
    "i", "í", "j", "k", "l", "ly", "m", "n", "ny", "o", "ó", "ö", "ő", "p", "q",
    "r", "s", "sz", "t", "ty", "u", "ú", "ü", "ű", "v", "w", "x", "y", "z", "zs",
)  # fmt: skip

#: Long vowels and the short vowel they share a primary rank with.
_LONG_TO_SHORT: dict[str, str] = {
    "á": "a", "é": "e", "í": "i", "ó": "o", "ő": "ö", "ú": "u", "ű": "ü",
}  # fmt: skip

#: Letter sequences that are split into letters before single characters, longest
#: first. A doubled digraph (``ssz``) stands for two of that letter (``sz sz``).
_MULTI_LETTERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ddzs", ("dzs", "dzs")),
    ("dzs", ("dzs",)),
    ("ccs", ("cs", "cs")),
    ("ddz", ("dz", "dz")),
    ("ggy", ("gy", "gy")),
    ("lly", ("ly", "ly")),
    ("nny", ("ny", "ny")),
    ("ssz", ("sz", "sz")),
    ("tty", ("ty", "ty")),
    ("zzs", ("zs", "zs")),
    ("cs", ("cs",)),
    ("dz", ("dz",)),
    ("gy", ("gy",)),
    ("ly", ("ly",)),
    ("ny", ("ny",)),
    ("sz", ("sz",)),
    ("ty", ("ty",)),
    ("zs", ("zs",)),
)

#: Latin letters without a canonical decomposition, folded by hand.
_SPECIAL_FOLDS: dict[str, str] = {
    "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d",
    "þ": "th", "ı": "i", "ħ": "h",
}  # fmt: skip

_DIGIT_BASE = 0  # digits 0-9 get primary ranks 0..9
_LETTER_BASE = 100  # Hungarian letters start here
_OTHER_BASE = 10_000  # letters outside the Latin script sort after z/zs

_SECONDARY_PLAIN = 0
_SECONDARY_LONG = 1
_SECONDARY_FOREIGN = 2

#: One collation unit: (primary rank, secondary rank).
_Unit = tuple[int, int]

#: The full sort key returned by :func:`hu_sort_key`.
SortKey = tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...], tuple[tuple[int, int], ...], str]


@lru_cache(maxsize=1)
def _primary_ranks() -> dict[str, int]:
    """Map every Hungarian letter to its primary rank (long vowels share the short's)."""
    ranks: dict[str, int] = {}
    rank = _LETTER_BASE
    for letter in ALPHABET:
        if letter in _LONG_TO_SHORT:
            ranks[letter] = ranks[_LONG_TO_SHORT[letter]]
        else:
            ranks[letter] = rank
            rank += 1
    return ranks


def _lower_char(char: str) -> str:
    """Lower-case one character, keeping the result a single character."""
    lowered = unicodedata.normalize("NFC", char.lower())
    return lowered if len(lowered) == 1 else char


def _hungarian_unit(letter: str) -> _Unit:
    """Collation unit of a Hungarian letter (single or multi-character)."""
    secondary = _SECONDARY_LONG if letter in _LONG_TO_SHORT else _SECONDARY_PLAIN
    return (_primary_ranks()[letter], secondary)


def _foreign_units(char: str) -> list[_Unit]:
    """Units of a non-Hungarian letter: its Latin base letter(s), marked as foreign."""
    folded = _SPECIAL_FOLDS.get(char)
    if folded is None:
        base = unicodedata.normalize("NFD", char)[0].lower()
        folded = base if base in _primary_ranks() else ""
    if not folded:
        return [(_OTHER_BASE + ord(char), _SECONDARY_PLAIN)]
    return [(_primary_ranks()[c], _SECONDARY_FOREIGN) for c in folded]


def _split_word(word: str) -> list[_Unit]:
    """Split a lower-case run of letters into collation units (digraphs first)."""
    units: list[_Unit] = []
    i = 0
    while i < len(word):
        for cluster, letters in _MULTI_LETTERS:
            if word.startswith(cluster, i):
                units.extend(_hungarian_unit(letter) for letter in letters)
                i += len(cluster)
                break
        else:
            char = word[i]
            if char in _primary_ranks():
                units.append(_hungarian_unit(char))
            else:
                units.extend(_foreign_units(char))
            i += 1
    return units


def _flush(buffer: list[str], units: list[_Unit]) -> None:
    """Move a pending run of letters from ``buffer`` into ``units``."""
    if buffer:
        units.extend(_split_word("".join(buffer)))
        buffer.clear()


def _analyse(text: str) -> tuple[list[_Unit], list[tuple[int, int]], tuple[int, ...]]:
    """Collation units, ignored characters (position, code point) and case flags."""
    units: list[_Unit] = []
    ignored: list[tuple[int, int]] = []
    buffer: list[str] = []
    for char in text:
        if char.isalpha():
            buffer.append(_lower_char(char))
            continue
        _flush(buffer, units)
        if char.isdecimal():
            units.append((_DIGIT_BASE + unicodedata.decimal(char), _SECONDARY_PLAIN))
        else:
            ignored.append((len(units), ord(char)))
    _flush(buffer, units)
    cases = tuple(1 if char.isupper() else 0 for char in text if char.isalpha())
    return units, ignored, cases


def hu_sort_key(s: str) -> SortKey:
    """Return a key that orders strings by Hungarian alphabetical rules.

    >>> sorted(["Csepel", "Cukor", "Cegléd"], key=hu_sort_key)
    ['Cegléd', 'Cukor', 'Csepel']
    """
    units, ignored, cases = _analyse(unicodedata.normalize("NFC", s))
    primary = tuple(rank for rank, _ in units)
    secondary = tuple(length for _, length in units)
    return (primary, secondary, cases, tuple(ignored), s)


@overload
def sort_hungarian(items: Iterable[str], key: None = None) -> list[str]: ...


@overload
def sort_hungarian(items: Iterable[T], key: Callable[[T], str]) -> list[T]: ...


def sort_hungarian(items: Iterable[Any], key: Callable[[Any], str] | None = None) -> list[Any]:
    """Return ``items`` sorted in Hungarian alphabetical order.

    ``key`` extracts the string to collate from each item; without it the items
    themselves must be strings.
    """
    extract: Callable[[Any], str] = str if key is None else key
    return sorted(items, key=lambda item: hu_sort_key(extract(item)))
