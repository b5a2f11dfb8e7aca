"""Event dates in ISO form: a day, a month, or a range of either."""

from __future__ import annotations

import datetime as dt
import re

from .model import DatePrecision, EventDate

_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})\Z", re.ASCII)
_MONTH = re.compile(r"(\d{4})-(\d{2})\Z", re.ASCII)
_TIME = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)\Z", re.ASCII)
# a day written the way many countries write it: 20/01/1912, 20.01.1912, 1/20/1912
_DAY_FIRST = re.compile(r"(\d{1,2})[./](\d{1,2})[./](\d{4})\.?\Z", re.ASCII)

DATE_FORMS = "dates are ISO: 1956-10-23, 1956-02 or 1956-07-18/1956-07-21"


class DateError(ValueError):
    """A date that cannot be: the message says why, the hint how to write it."""

    def __init__(self, message: str, hint: str = DATE_FORMS) -> None:
        super().__init__(message)
        self.hint = hint


def parse_event_date(text: str) -> EventDate:
    """``1956-10-23``, ``1956-02``, ``1956-07-18/1956-07-21`` or ``1956-11/1956-12``."""
    text = text.strip()
    written = _DAY_FIRST.match(text)
    if written:
        raise DateError(f"'{text}' is not a date as the manuscript writes them",
                        _year_first(*(int(g) for g in written.groups())))
    if text.count("/") > 1:
        raise DateError(f"'{text}' is not a date range: a range has one '/', START/END")
    if "/" in text:
        first, _, last = text.partition("/")
        opening = parse_event_date(first)
        closing = parse_event_date(last)
        if opening.precision is not closing.precision:
            raise DateError("both ends of a range need the same precision (day or month)")
        if closing.end < opening.start:
            raise DateError(f"the range ends ({last}) before it starts ({first})")
        return EventDate(opening.start, closing.end, opening.precision)
    day = _DAY.match(text)
    if day:
        year, month, mday = (int(g) for g in day.groups())
        try:
            date = dt.date(year, month, mday)
        except ValueError as exc:
            raise DateError(f"impossible date '{text}': {exc}") from None
        return EventDate(date, date, DatePrecision.DAY)
    month_match = _MONTH.match(text)
    if month_match:
        year, month = (int(g) for g in month_match.groups())
        if not 1 <= month <= 12 or year < 1:
            raise DateError(f"impossible month '{text}'")
        start, end = EventDate.month(year, month)
        return EventDate(start, end, DatePrecision.MONTH)
    raise DateError(
        f"'{text}' is not a date; write YYYY-MM-DD, YYYY-MM or a range START/END"
    )


def _year_first(first: int, second: int, year: int) -> str:
    """How to write a date given as day and month, or month and day, of ``year``."""
    readings = {f"{year:04d}-{m:02d}-{d:02d}" for d, m in ((first, second), (second, first))
                if 1 <= m <= 12 and 1 <= d <= 31}
    if not readings:
        return DATE_FORMS
    if len(readings) == 1:
        return f"write it year first, YYYY-MM-DD: {readings.pop()}"
    return f"write it year first, YYYY-MM-DD: {' or '.join(sorted(readings))}, as it is meant"


def parse_clock_time(text: str) -> str:
    """``"15:00"`` → ``"15:00"``, ``"7:00"`` → ``"07:00"``; anything else raises
    :class:`DateError`."""
    text = text.strip()
    time = _TIME.match(text)
    if not time:
        raise DateError(f"'{text}' is not a clock time",
                        'write the 24-hour time as H:MM or HH:MM, e.g. "7:30" or "19:30"; '
                        "for a part of the day, time_of_day: morning, evening …")
    return f"{int(time.group(1)):02d}:{time.group(2)}"
