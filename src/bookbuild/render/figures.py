"""Figures drawn from the data: the timeline of the revolution's days, as SVG."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from markupsafe import Markup, escape

from ..manuscript.model import PartKind
from .book import BookView, EventView


@dataclass(frozen=True)
class TimelineItem:
    anchor: str
    label: str
    title: str


@dataclass(frozen=True)
class TimelineFigure:
    svg: Markup
    caption: str
    items: tuple[TimelineItem, ...]


ROW = 15.0  # height of one day, in SVG units
WIDTH = 340.0
LABEL_X = 62.0
AXIS_X = 70.0
TEXT_X = 80.0


def timeline_figure(view: BookView) -> TimelineFigure | None:
    """Every day of the day-by-day parts, with each day's key events; ``None`` if none."""
    days: dict[dt.date, list[EventView]] = {}
    for part in view.parts:
        if part.part.kind is not PartKind.DAYS:
            continue
        for group in part.groups:
            if group.events and group.events[0].event.date.is_single_day:
                days.setdefault(group.date, []).extend(group.events)
    if not days:
        return None
    first, last = min(days), max(days)
    span = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    rows: list[tuple[dt.date, list[EventView]]] = [
        (day, [e for e in days.get(day, []) if e.event.key]) for day in span
    ]
    heights = [max(1, len(keys)) for _day, keys in rows]
    total = sum(heights) * ROW + 10
    locale = view.locale
    caption = locale.typeset(view.meta.timeline_caption or locale.word("timeline_caption"))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH:.0f} {total:.0f}" '
        f'role="img" aria-labelledby="timeline-title timeline-desc" class="timeline-svg">',
        f'<title id="timeline-title">{escape(caption)}</title>',
        f'<desc id="timeline-desc">{escape(_description(rows, view))}</desc>',
        f'<line x1="{AXIS_X}" y1="4" x2="{AXIS_X}" y2="{total - 4:.0f}" '
        'stroke="#000" stroke-width="1.2"/>',
    ]
    items: list[TimelineItem] = []
    y = 5.0
    for (day, keys), height in zip(rows, heights, strict=True):
        label = locale.day_month(day)
        weekday = locale.weekday_short(day)
        parts.append(
            f'<text x="{LABEL_X}" y="{y + 10:.1f}" text-anchor="end" font-size="8.5" '
            f'font-family="BB Sans" font-weight="600">{escape(label)} '
            f'<tspan font-weight="400">{escape(weekday)}</tspan></text>'
        )
        filled = "#000" if keys else "#fff"
        parts.append(f'<circle cx="{AXIS_X}" cy="{y + 7:.1f}" r="3.2" fill="{filled}" '
                     'stroke="#000" stroke-width="1"/>')
        for i, event in enumerate(keys):
            text = locale.typeset(event.event.title)
            moment = f"{event.when} " if event.when else ""
            parts.append(
                f'<text x="{TEXT_X}" y="{y + 10 + i * ROW:.1f}" font-size="8.5" '
                f'font-family="BB Serif">{escape(moment + text)}</text>'
            )
            items.append(TimelineItem(event.anchor, f"{label} {moment}".strip(), text))
        y += height * ROW
    parts.append("</svg>")
    return TimelineFigure(Markup("".join(parts)), caption, tuple(items))


def _description(rows: list[tuple[dt.date, list[EventView]]], view: BookView) -> str:
    lines = []
    for day, keys in rows:
        label = view.locale.day_month(day)
        titles = "; ".join(view.locale.typeset(e.event.title) for e in keys) or "–"
        lines.append(f"{label}: {titles}")
    return " ".join(lines)
