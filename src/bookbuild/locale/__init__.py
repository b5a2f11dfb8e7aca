"""The locale layer: every word, date and typographic rule a book prints, in its language.

``locale_for(book.language)`` gives one :class:`Locale`, which the view, the templates and
the builders ask for:

* words — :meth:`Locale.word` (``"contents"``, ``"index.person"`` …) from the language's
  gettext catalogue (``<language>.po`` beside this module, read with Babel), overridden
  per book by ``labels:`` in book.yaml (:meth:`Locale.with_labels`);
* numbered labels — :meth:`Locale.page_ref` ("8. o." / "p. 8" / "S. 8"),
  :meth:`Locale.demand_point`, :meth:`Locale.mention_label`, :meth:`Locale.relation`;
* dates — :meth:`Locale.day_heading`, :meth:`Locale.long_date`, :meth:`Locale.short_date`,
  :meth:`Locale.build_date`, :meth:`Locale.weekday_short`, from CLDR;
* time of day — :meth:`Locale.time_of_day` prints a :class:`TimeOfDay`;
  :meth:`Locale.parse_time_of_day` reads a key (``evening``) or the language's word;
* collation — :meth:`Locale.sort_key` (ICU);
* hyphenation — :meth:`Locale.hyphenate` (Pyphen, plus the language's registered rule);
* typography — :meth:`Locale.typeset`, :meth:`Locale.typeset_runs` (quotes from CLDR).

A language is supported when it has a catalogue: adding ``xx.po`` (with its
``Language:`` header naming the CLDR locale) adds the language, no code changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache, cached_property

import icu

from ..manuscript.model import DatePrecision, EventDate, Relation, TimeOfDay
from ..render.collate import SortKey, sort_key_for
from ..render.hyphenate import Hyphenator
from ..render.typography import NBSP, Quotes, Typography, glue_rule_for
from .catalogue import Catalogue, catalogue, languages
from .dates import DateForms

__all__ = ["Locale", "UnknownLanguage", "languages", "locale_for", "message_ids"]


class UnknownLanguage(ValueError):
    """A language tag with no catalogue (or no valid tag at all)."""

    def __init__(self, tag: str) -> None:
        self.tag = tag
        super().__init__(f"no catalogue for the language '{tag}'")

    @property
    def hint(self) -> str:
        return (f"supported languages: {', '.join(languages())}; a BCP 47 tag such as "
                "'hu', 'en-GB' or 'de-AT' (see docs/languages.md to add one)")


def _parse_tag(tag: str) -> tuple[str, str, str]:
    """(canonical tag, language, region) of a BCP 47 tag: ``de_at`` → ("de-AT", "de", "AT")."""
    if not tag or len(tag) > 35 or not all(c.isascii() and (c.isalnum() or c in "-_")
                                           for c in tag):
        raise UnknownLanguage(tag)
    try:
        parsed = icu.Locale.forLanguageTag(tag.replace("_", "-"))
    except icu.ICUError:
        raise UnknownLanguage(tag) from None
    language = parsed.getLanguage().lower()
    if not language:
        raise UnknownLanguage(tag)
    return str(parsed.toLanguageTag()), language, parsed.getCountry()


@dataclass(frozen=True)
class Locale:
    """One book language: its catalogue, its CLDR data, its collation and typography."""

    tag: str  # the canonical BCP 47 tag (``hu``, ``en-US``), as outputs declare it
    catalogue: Catalogue
    cldr: str  # the CLDR locale of dates, quotes and collation: en_GB, de_AT …
    overrides: tuple[tuple[str, str], ...] = ()

    @property
    def language(self) -> str:
        """The primary language subtag: ``hu``, ``en``, ``de``."""
        return self.catalogue.language

    # ------------------------------------------------------------ words

    def with_labels(self, labels: Mapping[str, str] | Sequence[tuple[str, str]]) -> Locale:
        """This locale with some words replaced (a book's ``labels:``); unknown keys ignored."""
        pairs = tuple(labels.items()) if isinstance(labels, Mapping) else tuple(labels)
        known = tuple((k, v) for k, v in pairs if k in self.catalogue.messages)
        return replace(self, overrides=self.overrides + known) if known else self

    def word(self, key: str) -> str:
        """The word or phrase ``key`` (a catalogue message id), as this book prints it."""
        for name, value in reversed(self.overrides):
            if name == key:
                return value
        try:
            return self.catalogue.messages[key]
        except KeyError:
            raise KeyError(f"no message '{key}' in the {self.language} catalogue") from None

    def _numbered(self, key: str, name: str, value: object) -> str:
        return self.word(key).replace("{" + name + "}", str(value)).replace(" ", NBSP)

    def page_ref(self, page: int | str) -> str:
        """``8. o.``, ``p. 8``, ``S. 8`` (with a no-break space)."""
        return self._numbered("page_ref", "page", page)

    def page_affixes(self) -> tuple[str, str]:
        """What stands before and after the number of a page reference (for CSS counters)."""
        before, _, after = self.page_ref("\0").partition("\0")
        return before, after

    def demand_point(self, number: str) -> str:
        """``13. pont``, ``point 13``, ``Punkt 13``; ``number`` is ``13`` or ``8–10``."""
        return self._numbered("demand_point", "number", number.rstrip("."))

    def figure_label(self, number: int) -> str:
        """``1. kép``, ``Figure 1``, ``Abbildung 1``."""
        return self._numbered("figure_label", "number", number)

    def mention_label(self, number: int) -> str:
        """How a screen reader names a mention: ``2. említés``, ``mention 2``."""
        return self._numbered("mention_label", "number", number)

    def relation(self, relation: Relation) -> str:
        """``enacts``/``answers``/``defies`` in the book's language."""
        return self.word(f"relation.{relation.value}")

    def print_title(self, title: str) -> str:
        """The title of the imposed print PDF: ``<title> (for printing)``."""
        return self.word("print_title").replace("{title}", title)

    # ------------------------------------------------------------ time of day

    def time_of_day(self, value: TimeOfDay) -> str:
        """The printed word for a time of day (``este``, ``evening``, ``abends``), with the
        language's no-break spaces ("w\u00a0nocy")."""
        return self.typography.glue(self.word(f"time_of_day.{value.value}"))

    def time_of_day_words(self) -> dict[str, TimeOfDay]:
        """Everything a manuscript in this language may write: keys and the words."""
        accepted = {t.value: t for t in TimeOfDay}
        accepted.update({self.word(f"time_of_day.{t.value}"): t for t in TimeOfDay})
        return accepted

    def parse_time_of_day(self, text: str) -> TimeOfDay | None:
        """The time of day ``text`` names, or None."""
        return self.time_of_day_words().get(text.strip())

    # ------------------------------------------------------------ dates

    @cached_property
    def _dates(self) -> DateForms:
        return DateForms(self.cldr)

    def _glued(self, text: str) -> str:
        return self.typography.glue(text)

    def day_heading(self, day: dt.date) -> str:
        """``1956. október 23., kedd``, ``Thursday, 14 August 1980``, ``Donnerstag, 14. …``"""
        return self._glued(self._dates.pattern("yMMMMEEEEd", day))

    def long_date(self, date: EventDate, *, with_year: bool = True) -> str:
        """A date of day or month precision, or a range of either, in full."""
        if date.precision is DatePrecision.MONTH:
            skeleton = "yMMMM" if with_year else "MMMM"
        else:
            skeleton = "yMMMMd" if with_year else "MMMMd"
        return self._glued(self._dates.interval(skeleton, date.start, date.end))

    def short_date(self, date: EventDate, *, with_year: bool = False) -> str:
        """The short form for cross-references: ``okt. 23.``, ``23 Oct``, ``23. Okt.``.

        A month-precision date always carries its year (``1956. febr.``, ``Feb 1956``).
        """
        if date.precision is DatePrecision.MONTH:
            skeleton = "yMMM"
        else:
            skeleton = "yMMMd" if with_year else "MMMd"
        return self._glued(self._dates.interval(skeleton, date.start, date.end))

    def build_date(self, day: dt.date) -> str:
        """The date a book was built: ``2024. március 1.``, ``1 March 2024``."""
        return self._glued(self._dates.pattern("yMMMMd", day))

    def day_month(self, day: dt.date) -> str:
        """A day without its year, short: ``okt. 23.``, ``23 Oct`` (timeline rows)."""
        return self._glued(self._dates.pattern("MMMd", day))

    def weekday_short(self, day: dt.date) -> str:
        """The abbreviated weekday: ``K``, ``Tue``, ``Di``."""
        return self._dates.pattern("EEE", day)

    # ------------------------------------------------------------ collation

    def sort_key(self, text: str) -> SortKey:
        """The key that puts ``text`` in the language's alphabetical order (ICU)."""
        return sort_key_for(self.cldr)(text)

    # ------------------------------------------------------------ hyphenation

    @cached_property
    def hyphenator(self) -> Hyphenator:
        return Hyphenator(self.cldr, self.language)

    def hyphenate(self, text: str) -> str:
        """``text`` with soft hyphens at the safe breaks of the language."""
        return self.hyphenator.hyphenate_text(text)

    # ------------------------------------------------------------ typography

    @cached_property
    def typography(self) -> Typography:
        return _typography(self.cldr, self.language, self.word("typography.number_words"))

    def typeset(self, text: str) -> str:
        """One text run with the language's quotes, dashes and no-break spaces."""
        return self.typography.typeset(text)

    def typeset_runs(self, runs: Sequence[str]) -> list[str]:
        """The runs of one paragraph, typeset with the quotation state carried across them."""
        return self.typography.typeset_runs(runs)


@cache
def _typography(cldr: str, language: str, number_words: str) -> Typography:
    data = icu.LocaleData(cldr)
    kind = icu.ULocaleDataDelimiterType
    quotes = Quotes(
        data.getDelimiter(kind.QUOTATION_START), data.getDelimiter(kind.QUOTATION_END),
        data.getDelimiter(kind.ALT_QUOTATION_START), data.getDelimiter(kind.ALT_QUOTATION_END),
    )
    words = tuple(w.strip() for w in number_words.split("|") if w.strip())
    return Typography(quotes, DateForms(cldr).month_names(), words, glue_rule_for(language))


@cache
def locale_for(tag: str) -> Locale:
    """The locale of a BCP 47 tag: ``hu``, ``hu-HU``, ``en-GB``, ``de-AT`` → their language.

    The region, when CLDR knows it, chooses the forms of dates (``en-US``: "August 14,
    1980"); otherwise the catalogue's own (``en``: British). Raises
    :class:`UnknownLanguage` for a tag with no catalogue.
    """
    canonical, language, region = _parse_tag(tag)
    try:
        words = catalogue(language)
    except LookupError:
        raise UnknownLanguage(tag) from None
    cldr = words.cldr
    if region and f"{language}_{region}" in icu.Locale.getAvailableLocales():
        cldr = f"{language}_{region}"
    return Locale(canonical, words, cldr)


def message_ids() -> frozenset[str]:
    """Every message id some catalogue has (a complete catalogue has them all)."""
    return frozenset(key for lang in languages() for key in catalogue(lang).messages)
