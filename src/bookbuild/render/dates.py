"""Dates and times as a Hungarian book prints them."""

from __future__ import annotations

import datetime as dt

from ..manuscript.model import DatePrecision, Event, EventDate

MONTHS = ("január", "február", "március", "április", "május", "június", "július",
          "augusztus", "szeptember", "október", "november", "december")
MONTHS_SHORT = ("jan.", "febr.", "márc.", "ápr.", "máj.", "jún.", "júl.", "aug.",
                "szept.", "okt.", "nov.", "dec.")
WEEKDAYS = ("hétfő", "kedd", "szerda", "csütörtök", "péntek", "szombat", "vasárnap")
NBSP = "\u00a0"


def day_heading(day: dt.date) -> str:
    """``1956. október 23., kedd``"""
    return f"{day.year}. {MONTHS[day.month - 1]} {day.day}., {WEEKDAYS[day.weekday()]}"


def long_date(date: EventDate) -> str:
    """``1956. február``, ``1956. július 18–21.``, ``1956. október 23.``"""
    start, end = date.start, date.end
    if date.precision is DatePrecision.MONTH:
        text = f"{start.year}. {MONTHS[start.month - 1]}"
        if date.is_range:
            text += f" – {_month_tail(start, end)}"
        return text
    text = f"{start.year}. {MONTHS[start.month - 1]}{NBSP}{start.day}."
    if date.is_range:
        if (start.year, start.month) == (end.year, end.month):
            text = text[:-1] + f"–{end.day}."
        elif start.year == end.year:
            text += f" – {MONTHS[end.month - 1]}{NBSP}{end.day}."
        else:
            text += f" – {end.year}. {MONTHS[end.month - 1]}{NBSP}{end.day}."
    return text


def _month_tail(start: dt.date, end: dt.date) -> str:
    if start.year == end.year:
        return MONTHS[end.month - 1]
    return f"{end.year}. {MONTHS[end.month - 1]}"


def short_date(date: EventDate) -> str:
    """``okt. 23.``, ``júl. 18–21.``, ``1956. febr.`` — for cross-references."""
    start = date.start
    if date.precision is DatePrecision.MONTH:
        return f"{start.year}. {MONTHS_SHORT[start.month - 1]}"
    text = f"{MONTHS_SHORT[start.month - 1]}{NBSP}{start.day}."
    if date.is_range and (date.end.month == start.month):
        text = text[:-1] + f"–{date.end.day}."
    elif date.is_range:
        text += f"–{MONTHS_SHORT[date.end.month - 1]}{NBSP}{date.end.day}."
    return text


def when(event: Event) -> str:
    """The clock time or time of day of an event: ``21:30``, ``este`` or empty."""
    if event.time:
        return event.time
    return event.time_of_day.value if event.time_of_day else ""


def event_reference(event: Event) -> str:
    """``okt. 23., 21:30`` — how a cross-reference names an event."""
    moment = when(event)
    return f"{short_date(event.date)}, {moment}" if moment else short_date(event.date)
