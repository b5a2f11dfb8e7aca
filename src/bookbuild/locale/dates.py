"""Dates in a language's own forms, from CLDR through ICU: no month or weekday tables here.

Patterns come from skeletons (``yMMMMd`` …) through ICU's pattern generator, ranges from
ICU's interval formats, both in UTC so that the machine's time zone never moves a day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

import icu

#: ICU joins the two ends of a range with thin spaces; a book prints "a – b".
_ICU_RANGE = "\u2009–\u2009"
_RANGE = "\u00a0– "


def _udate(day: dt.date) -> float:
    """Noon of ``day`` as an ICU date in ICU's default zone (what the interval formats use)."""
    calendar = icu.Calendar.createInstance()
    calendar.clear()
    calendar.set(day.year, day.month - 1, day.day, 12, 0, 0)
    return float(calendar.getTime())


@dataclass(frozen=True)
class DateForms:
    """The date forms of one CLDR locale (``hu_HU``, ``en_GB``, ``de_AT`` …)."""

    cldr: str

    def pattern(self, skeleton: str, day: dt.date) -> str:
        """``day`` in the locale's best pattern for ``skeleton`` (e.g. ``yMMMMEEEEd``)."""
        return str(_formatter(self.cldr, skeleton).format(_udate(day)))

    def interval(self, skeleton: str, start: dt.date, end: dt.date) -> str:
        """The range ``start``–``end`` in the locale's interval format for ``skeleton``."""
        if start == end:
            return self.pattern(skeleton, start)
        interval = icu.DateInterval(_udate(start), _udate(end))
        text = _interval_formatter(self.cldr, skeleton).format(interval)
        return str(text).replace(_ICU_RANGE, _RANGE)

    def month_names(self) -> tuple[str, ...]:
        """Every month name the locale writes in dates: wide and abbreviated, all contexts."""
        symbols = icu.DateFormatSymbols(icu.Locale(self.cldr))
        names: set[str] = set()
        for context in (icu.DateFormatSymbols.FORMAT, icu.DateFormatSymbols.STANDALONE):
            for width in (icu.DateFormatSymbols.WIDE, icu.DateFormatSymbols.ABBREVIATED):
                names.update(n for n in symbols.getMonths(context, width) if n)
        return tuple(sorted(names, key=lambda n: (-len(n), n)))


@cache
def _formatter(cldr: str, skeleton: str) -> icu.SimpleDateFormat:
    locale = icu.Locale(cldr)
    generator = icu.DateTimePatternGenerator.createInstance(locale)
    formatter = icu.SimpleDateFormat(generator.getBestPattern(skeleton), locale)
    return formatter


@cache
def _interval_formatter(cldr: str, skeleton: str) -> icu.DateIntervalFormat:
    return icu.DateIntervalFormat.createInstance(skeleton, icu.Locale(cldr))
