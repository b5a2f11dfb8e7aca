"""Typographic normalisation of text runs, by the rules of the book's language.

A :class:`Typography` holds one language's rules: its quotation marks (from CLDR through
ICU), its month names (CLDR) and the words that stay with a number before them (from the
language's catalogue), and the no-break rule the language may register of its own
(:func:`register_glue`: Polish keeps a one-letter word on the line of the word after it).
:meth:`Typography.typeset_runs` typesets the runs of one paragraph together, so that a
quotation mark's direction and nesting are decided across mentions, emphasis and links.
Every step is idempotent (``typeset(typeset(x)) == typeset(x)``), and
:func:`strip_typography` maps text back to a plain comparison form with
``strip_typography(typeset(x)) == strip_typography(x)``.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..langrules import LanguageRules

__all__ = [
    "ELLIPSIS",
    "EN_DASH",
    "NBSP",
    "WORD_JOINER",
    "Quotes",
    "Typography",
    "glue_rule_for",
    "register_glue",
    "strip_typography",
    "unbreakable",
]

NBSP = "\u00a0"
NARROW_NBSP = "\u202f"
SOFT_HYPHEN = "\u00ad"
WORD_JOINER = "\u2060"
EN_DASH = "\u2013"
EM_DASH = "\u2014"
ELLIPSIS = "\u2026"
APOSTROPHE = "\u2019"

#: Every double or single quotation mark some language uses; a mark that is not one of
#: the book's language is read like a straight quote (its direction from its context).
_QUOTE_MARKS = "\"“”„‟»«‹›"
_SINGLE_MARKS = "'‘‚‛"

#: Characters after which a straight quote opens a quotation.
_OPENING_CONTEXT = frozenset("([{-/" + EN_DASH + EM_DASH + _QUOTE_MARKS + _SINGLE_MARKS)

_SPACED_HYPHEN_RE = re.compile(r"(?<=\s)-(?=\s|$)|^-(?=\s)")
_SPACE_BEFORE_DASH_RE = re.compile(" (?=" + EN_DASH + r"(?:\s|$))")
_RANGE_RE = re.compile(r"(?<![\w-])([0-9]{1,4})-([0-9]{1,4})(?![\w]|-[0-9])")
_DASH_BETWEEN_NUMBERS_RE = re.compile(r"(?<=[0-9])" + EN_DASH + r"(?=[0-9])")
_DIGIT_GROUPS_RE = re.compile(r"(?<![\d.,])\d{1,3}(?: \d{3})+(?![\d])")

_STRIP_TABLE = str.maketrans(
    {
        **{mark: '"' for mark in _QUOTE_MARKS + _SINGLE_MARKS + APOSTROPHE},
        EN_DASH: "-",
        EM_DASH: "-",
        NBSP: " ",
        NARROW_NBSP: " ",
        SOFT_HYPHEN: None,
        WORD_JOINER: None,
        ELLIPSIS: "...",
    }
)


#: A language's own no-break rule: the text with some spaces made no-break spaces (and
#: nothing else changed: the text keeps its length).
GlueRule = Callable[[str], str]

_GLUE_RULES: LanguageRules[GlueRule] = LanguageRules()
register_glue = _GLUE_RULES.register  # @register_glue("pl"): the no-break rule of Polish
glue_rule_for = _GLUE_RULES.get  # the no-break rule of a language, if it has one


#: A one-letter word: after a space, a line start, an opening bracket, quote or dash.
_POLISH_ONE_LETTER_RE = re.compile(
    r"(?<![^\s(\[{„“”\"'«»‚‘’\u2013\u2014])([aiouwzAIOUWZ]) (?=\S|$)")


@register_glue("pl")
def polish_one_letter_words(text: str) -> str:
    """A one-letter word (``a``, ``i``, ``o``, ``u``, ``w``, ``z``) never ends a line: the
    space after it is a no-break space ("strajk w\u00a0stoczni", "i\u00a0w\u00a0Gdyni"),
    as Polish typesetting requires."""
    return _POLISH_ONE_LETTER_RE.sub(lambda m: m.group(1) + NBSP, text)


# a one-letter abbreviation followed by another ("z. B.", "d. h.", "u. a.", "i. d. R.")
_GERMAN_ABBREVIATION_RE = re.compile(r"(?<![\w.])(\w\.) (?=\w\.(?!\w))")


@register_glue("de")
def german_abbreviations(text: str) -> str:
    """The letters of an abbreviation stay on one line: "z.\u00a0B.", "d.\u00a0h.",
    "i.\u00a0d.\u00a0R." (German writes them with a space, which a line must not break)."""
    return _GERMAN_ABBREVIATION_RE.sub(lambda m: m.group(1) + NBSP, text)


@dataclass(frozen=True)
class Quotes:
    """A language's quotation marks: outer ``open…close``, inner ``alt_open…alt_close``."""

    open: str
    close: str
    alt_open: str
    alt_close: str


def _alternation(words: Sequence[str]) -> str:
    unique = sorted({w.rstrip(".") for w in words if w.rstrip(".")}, key=lambda w: (-len(w), w))
    return "|".join(re.escape(w) for w in unique) or "(?!)"


@dataclass(frozen=True)
class Typography:
    """The typographic rules of one language."""

    quotes: Quotes
    months: tuple[str, ...] = ()  # month names and abbreviations, as dates print them
    number_words: tuple[str, ...] = ()  # words glued to the number before them ("16 pont")
    language_glue: GlueRule | None = None  # the language's own no-break rule
    _patterns: dict[str, re.Pattern[str]] = field(default_factory=dict, compare=False,
                                                  hash=False, repr=False)

    def _pattern(self, name: str) -> re.Pattern[str]:
        if name not in self._patterns:
            months = _alternation(self.months)
            words = _alternation(self.number_words)
            sources = {
                # "23. október", "5. Oktober", "27 March", "13. pont", "16 pontot"
                "before": (r"(?<![\w.])([0-9]{1,2}\.?) (?=(?:" + months + r")(?!\w))"
                           r"|(?<![\w.])([0-9]+\.?) (?=(?:" + words + "))"),
                # "október 23", "okt. 23.", "March 27"
                "after": r"(?<!\w)((?:" + months + r")(?!\w)\.?) (?=[0-9]{1,2}(?![0-9]))",
            }
            self._patterns[name] = re.compile(sources[name], flags=re.IGNORECASE)
        return self._patterns[name]

    # ------------------------------------------------------------ steps

    def glue(self, text: str) -> str:
        """No-break spaces where the language keeps words together.

        A day number and its month ("23.\u00a0október", "5.\u00a0Oktober",
        "27\u00a0March"), a month and its day ("október\u00a023", "March\u00a027"), a
        number and the word counted ("16\u00a0pont"), groups of digits ("200\u00a0000"),
        and the two ends of a number range ("(1773–\u20601859)"), and what the language's
        own rule keeps together (:func:`register_glue`). A year keeps its normal space
        ("1956. október").
        """
        text = self._pattern("before").sub(lambda m: (m.group(1) or m.group(2)) + NBSP, text)
        text = self._pattern("after").sub(lambda m: m.group(1) + NBSP, text)
        text = _DIGIT_GROUPS_RE.sub(lambda m: m.group().replace(" ", NBSP), text)
        if self.language_glue is not None:
            text = self.language_glue(text)
        return _DASH_BETWEEN_NUMBERS_RE.sub(EN_DASH + WORD_JOINER, text)

    def typeset(self, text: str) -> str:
        """One text run typeset on its own (a title, a role, a caption)."""
        return self.typeset_runs([text])[0]

    def typeset_runs(self, runs: Sequence[str]) -> list[str]:
        """The runs of one paragraph, typeset with the quotation state carried across them."""
        local = [self.glue(convert_spaced_hyphens(convert_number_ranges(convert_ellipses(r))))
                 for r in runs]
        quoted = self.convert_quotes("".join(local))
        out, start = [], 0
        for run in local:
            out.append(quoted[start:start + len(run)])
            start += len(run)
        return out

    def convert_quotes(self, text: str) -> str:
        """The language's quotation marks, nested by level; ’ for apostrophes.

        Straight quotes and the marks of other languages take their direction from their
        context; the language's own marks keep theirs and are re-nested by level (outer,
        inner, outer …). A straight ``'`` inside or at the end of a word is an apostrophe
        unless it closes a quotation it opened; at a word's start too, when nothing after
        it would close a quotation ("'s ist vorbei").
        """
        q = self.quotes
        opening_marks, closing_marks = {q.open, q.alt_open}, {q.close, q.alt_close}
        out = list(text)
        stack: list[str] = []  # "d": opened by a double-like mark, "s": by a single one
        ends: tuple[list[int], list[int]] | None = None  # read when first needed
        for index, char in enumerate(text):
            before = text[index - 1] if index else ""
            after = text[index + 1] if index + 1 < len(text) else ""
            if char == APOSTROPHE:
                if stack and len(stack) % 2 == 0 and not after.isalnum():
                    stack.pop()  # closes an inner quotation (English ‘…’)
                    out[index] = q.alt_close
                continue
            if char in _SINGLE_MARKS and char not in opening_marks | closing_marks:
                if (before.isalnum() and after.isalnum()) or (after.isdigit()
                                                               and not before.isalnum()):
                    out[index] = APOSTROPHE  # "don't", "'56"
                elif _opens(before, after):
                    if ends is None:
                        ends = _quotation_ends(text)
                    if not after.isalnum() or _closed_later(ends, index):
                        out[index] = q.open if len(stack) % 2 == 0 else q.alt_open
                        stack.append("s")
                    else:  # nothing would close it: an apostrophe ("'s", "'tis")
                        out[index] = APOSTROPHE
                elif stack and (len(stack) % 2 == 0 or stack[-1] == "s"):
                    stack.pop()  # closes an inner quotation, or one it opened
                    out[index] = q.close if len(stack) % 2 == 0 else q.alt_close
                else:
                    out[index] = APOSTROPHE
                continue
            if char in opening_marks:  # the language's own marks keep their direction …
                opening = not _closes(after)  # … unless their place says otherwise
            elif char in closing_marks or char in _QUOTE_MARKS or char in _SINGLE_MARKS:
                opening = _opens(before, after)
            else:
                continue
            if opening:
                out[index] = q.open if len(stack) % 2 == 0 else q.alt_open
                stack.append("d")
            else:
                if stack:
                    stack.pop()
                out[index] = q.close if len(stack) % 2 == 0 else q.alt_close
        return "".join(out)


def _quotation_ends(text: str) -> tuple[list[int], list[int]]:
    """Where a single quotation could close in ``text`` (a single mark ending a word, not
    a space's nor another mark's neighbour), and where a double quotation closes: both in
    order, read once per text (looking ahead from each quote would be quadratic)."""
    singles: list[int] = []
    doubles: list[int] = []
    for k in range(1, len(text)):
        char, before = text[k], text[k - 1]
        after = text[k + 1] if k + 1 < len(text) else ""
        if char in _SINGLE_MARKS or char == APOSTROPHE:
            if not (before.isspace() or before in _QUOTE_MARKS + _SINGLE_MARKS + APOSTROPHE
                    or after.isalnum()):
                singles.append(k)
        elif char in _QUOTE_MARKS and not _opens(before, after):
            doubles.append(k)
    return singles, doubles


def _closed_later(ends: tuple[list[int], list[int]], start: int) -> bool:
    """Whether a single quote that could open a quotation at ``start`` has a mark to close
    it before a double quotation closes around it (:func:`_quotation_ends`); without one
    it is an apostrophe at a word's start ("'s ist vorbei", "'tis")."""
    singles, doubles = ends
    single = bisect.bisect_right(singles, start)
    double = bisect.bisect_right(doubles, start)
    return single < len(singles) and (double == len(doubles)
                                      or singles[single] < doubles[double])


def _closes(after: str) -> bool:
    """Whether a quote followed by ``after`` can only be a closing one."""
    return not after or after.isspace() or after in ".,;:!?)]}"


def _opens(before: str, after: str) -> bool:
    """Whether a quote between ``before`` and ``after`` opens a quotation."""
    if _closes(after):
        return False
    return not before or before.isspace() or before in _OPENING_CONTEXT


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


def unbreakable(text: str) -> str:
    """Typeset ``text`` for a place that never breaks lines and may lack the glyphs of
    the break controls (a drawing, a cover, a bookmark): without word joiners and soft
    hyphens; its no-break spaces stay, and a line breaker there must keep them."""
    return text.replace(WORD_JOINER, "").replace(SOFT_HYPHEN, "")


def strip_typography(text: str) -> str:
    """Map typographic characters back to a plain form for text comparison.

    Every quotation mark and apostrophe → ", dashes –— → -, U+00A0/U+202F → space,
    … → "...", and soft hyphens and word joiners are removed.
    """
    return text.translate(_STRIP_TABLE)
