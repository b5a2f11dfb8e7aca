"""Hungarian typographic normalisation of plain text runs.

:func:`typeset` is applied at render time to text runs of the manuscript. The
manuscript may already contain correct characters, so every step is idempotent:
``typeset(typeset(x)) == typeset(x)``. :func:`strip_typography` maps text back to a
plain comparison form, with ``strip_typography(typeset(x)) == strip_typography(x)``.
"""

from __future__ import annotations

import re

__all__ = [
    "CLOSE_INNER",
    "CLOSE_QUOTE",
    "EN_DASH",
    "NBSP",
    "OPEN_INNER",
    "OPEN_QUOTE",
    "convert_ellipses",
    "convert_number_ranges",
    "convert_quotes",
    "convert_spaced_hyphens",
    "insert_date_spaces",
    "strip_typography",
    "typeset",
]

NBSP = "\u00a0"
NARROW_NBSP = "\u202f"
SOFT_HYPHEN = "\u00ad"
EN_DASH = "\u2013"
EM_DASH = "\u2014"
ELLIPSIS = "\u2026"
OPEN_QUOTE = "\u201e"  # „
CLOSE_QUOTE = "\u201d"  # ”
OPEN_INNER = "\u00bb"  # »
CLOSE_INNER = "\u00ab"  # «
ENGLISH_OPEN_QUOTE = "\u201c"  # “ (never produced; read like a straight quote)

#: Characters after which a straight quote opens a quotation.
_OPENING_CONTEXT = frozenset("([{-/" + EN_DASH + EM_DASH + OPEN_QUOTE + OPEN_INNER)

_MONTHS = (
    "január|február|március|április|május|június|július|augusztus|szeptember|október"
    "|november|december"
)
_MONTH_ABBREVIATIONS = "jan|febr?|márc|ápr|máj|jún|júl|aug|szept|okt|nov|dec"

_SPACED_HYPHEN_RE = re.compile(r"(?<=\s)-(?=\s|$)|^-(?=\s)")
_SPACE_BEFORE_DASH_RE = re.compile(" (?=" + EN_DASH + r"(?:\s|$))")
_RANGE_RE = re.compile(r"(?<![\w-])([0-9]{1,4})-([0-9]{1,4})(?![\w]|-[0-9])")
_DAY_MONTH_RE = re.compile(r"(?<![\w.])([0-9]{1,2}\.) (?=(?:" + _MONTHS + r"|pont))")
_NUMBER_PONT_RE = re.compile(r"(?<![\w.])([0-9]+) (?=pont)")
_MONTH_DAY_RE = re.compile(
    r"(?<!\w)((?:" + _MONTHS + r")|(?:" + _MONTH_ABBREVIATIONS + r")\.) (?=[0-9]{1,2}(?![0-9]))",
    flags=re.IGNORECASE,
)

_STRIP_TABLE = str.maketrans(
    {
        OPEN_QUOTE: '"',
        CLOSE_QUOTE: '"',
        OPEN_INNER: '"',
        CLOSE_INNER: '"',
        ENGLISH_OPEN_QUOTE: '"',
        EN_DASH: "-",
        EM_DASH: "-",
        NBSP: " ",
        NARROW_NBSP: " ",
        SOFT_HYPHEN: None,
        ELLIPSIS: "...",
    }
)


def convert_ellipses(text: str) -> str:
    """Replace three full stops by the ellipsis character: "..." → "…"."""
    return text.replace("...", ELLIPSIS)


def convert_spaced_hyphens(text: str) -> str:
    """Turn a hyphen standing between spaces into an en dash glued to the word before.

    "Nagy Imre - akit" → "Nagy Imre\u00a0– akit": the space before every stand-alone
    en dash becomes a no-break space so that the dash never starts a line.
    """
    dashed = _SPACED_HYPHEN_RE.sub(EN_DASH, text)
    return _SPACE_BEFORE_DASH_RE.sub(NBSP, dashed)


def convert_number_ranges(text: str) -> str:
    """Use an en dash in number ranges: "18-21-i" → "18–21-i", "1953-55" → "1953–55".

    Only ``\\d{1,4}-\\d{1,4}`` that is not part of a longer digit/hyphen chain
    (dates such as 1956-10-23), not glued to letters (ids such as "MiG-15") and not a
    distributive pair of equal numbers ("3-3 politikus", read "három-három").
    """

    def replace(match: re.Match[str]) -> str:
        first, second = match.group(1), match.group(2)
        if first == second:
            return match.group(0)
        return f"{first}{EN_DASH}{second}"

    return _RANGE_RE.sub(replace, text)


def insert_date_spaces(text: str) -> str:
    """Insert no-break spaces in dates and numbered items.

    * after a 1-2 digit day number with a full stop before a month name or "pont":
      "23. október" → "23.\u00a0október" (a year such as "1956. október" keeps its
      normal space);
    * between a number and a following "pont…": "16 pontot" → "16\u00a0pontot";
    * between a month name or abbreviation and the day number after it:
      "okt. 23." → "okt.\u00a023.", "október 23-án" → "október\u00a023-án".
    """
    text = _DAY_MONTH_RE.sub(lambda m: m.group(1) + NBSP, text)
    text = _NUMBER_PONT_RE.sub(lambda m: m.group(1) + NBSP, text)
    return _MONTH_DAY_RE.sub(lambda m: m.group(1) + NBSP, text)


def _opens_quote(text: str, index: int) -> bool:
    """Decide whether the straight quote at ``index`` opens a quotation."""
    before = text[index - 1] if index > 0 else None
    after = text[index + 1] if index + 1 < len(text) else None
    if after is None or after.isspace():
        return False
    return before is None or before.isspace() or before in _OPENING_CONTEXT


def _quote_char(opening: bool, depth: int) -> tuple[str, int]:
    """The Hungarian quote for an opening/closing mark at nesting ``depth``.

    Returns the character and the new depth. Outer quotes are „…”, inner ones »…«.
    """
    if opening:
        return (OPEN_QUOTE if depth == 0 else OPEN_INNER), depth + 1
    return (CLOSE_INNER if depth >= 2 else CLOSE_QUOTE), max(depth - 1, 0)


def convert_quotes(text: str) -> str:
    """Use Hungarian quotation marks: „outer »inner« quotes”.

    Straight quotes (and the English “) become „ or ” by context; a „ or ” inside
    an open quotation becomes » or «. Existing » and « are kept.
    """
    out: list[str] = []
    depth = 0
    for index, char in enumerate(text):
        if char in ('"', ENGLISH_OPEN_QUOTE):
            char, depth = _quote_char(_opens_quote(text, index), depth)
        elif char in (OPEN_QUOTE, CLOSE_QUOTE):
            char, depth = _quote_char(char == OPEN_QUOTE, depth)
        elif char == OPEN_INNER:
            depth += 1
        elif char == CLOSE_INNER:
            depth = max(depth - 1, 0)
        out.append(char)
    return "".join(out)


def typeset(text: str) -> str:
    """Apply all Hungarian typographic conventions to a plain text run."""
    text = convert_ellipses(text)
    text = convert_number_ranges(text)
    text = convert_spaced_hyphens(text)
    text = insert_date_spaces(text)
    return convert_quotes(text)


def strip_typography(text: str) -> str:
    """Map typographic characters back to a plain form for text comparison.

    Quotes „”»«“ → ", dashes –— → -, U+00A0/U+202F → space, … → "...", and soft
    hyphens are removed.
    """
    return text.translate(_STRIP_TABLE)
