"""Figures drawn from the data: the timeline of a book's day-by-day parts, as SVG.

The drawing is cut into pieces that each fit a page (an A5 column is the
smallest it is laid out for); a long span shows only the days that carry a
key event, the dated stretches between them drawn as a broken axis. Key
events dated as a range get a bar beside the axis from their first to their
last day. Text is wrapped by the widths of the book's own typefaces.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from markupsafe import Markup, escape

from ..locale import Locale
from ..manuscript.model import PartKind
from .book import BookView, EventView
from .fonts import font_faces
from .typography import unbreakable


@dataclass(frozen=True)
class TimelineItem:
    anchor: str
    label: str
    title: str


@dataclass(frozen=True)
class TimelineFigure:
    pieces: tuple[Markup, ...]  # one SVG per page the drawing takes
    caption: str
    items: tuple[TimelineItem, ...]
    description: str  # every event of the drawing, as text (its alternative text)

    @property
    def svg(self) -> Markup:
        return Markup("").join(self.pieces)


# geometry, in SVG units; an A5 column (114 mm) shows one unit as 0.95 pt
WIDTH = 340.0
LABEL_X = 62.0
AXIS_X = 70.0
BAR_X = 75.0  # the first range bar; more lanes to its right
LANE = 3.5
TEXT_X = 84.0
TEXT_WIDTH = WIDTH - TEXT_X - 2.0
FONT_SIZE = 8.5  # 8.1 pt in the A5 column: legible in print
LINE = 10.5
ROW = 15.0
MOMENT_GAP = 5.0  # between the column of the moments and the titles
GAP_ROW = 11.0
PIECE_HEIGHT = 430.0  # the most one page takes (below a part title, above the caption)
SHOW_EVERY_DAY = PIECE_HEIGHT  # a span whose every day fits one piece shows every day


@dataclass
class _Entry:
    view: EventView
    moment: str  # time, time of day, or the range's dates
    title: str  # typeset, without the locale's word joiners
    lines: list[str] = field(default_factory=list)  # the title's ("": the moment's alone)

    @property
    def text(self) -> str:
        """The moment and the title: the entry as its alternative text reads it."""
        return f"{self.moment} {self.title}" if self.moment else self.title


@dataclass
class _Row:
    day: dt.date | None  # None: a stretch of days left out
    entries: list[_Entry] = field(default_factory=list)
    has_events: bool = False

    @property
    def height(self) -> float:
        if self.day is None:
            return GAP_ROW
        lines = sum(len(e.lines) for e in self.entries)
        return max(ROW, lines * LINE + 4.5)


@dataclass(frozen=True)
class _Range:
    start: dt.date
    end: dt.date
    lane: int


def timeline_figure(view: BookView) -> TimelineFigure | None:
    """Every key event of the day-by-day parts on an axis of days; ``None`` if none."""
    locale = view.locale
    days: dict[dt.date, list[_Entry]] = {}
    dated: set[dt.date] = set()
    ranges: list[_Range] = []
    for part in view.parts:
        if part.part.kind is not PartKind.DAYS:
            continue
        for group in part.groups:
            for event in group.events:
                date = event.event.date
                single = date.is_single_day
                dated.update({date.start, date.end})
                if not event.event.key:
                    continue
                moment = event.when if single else locale.short_date(date)
                # SVG text never breaks: the locale's word joiners only risk a missing glyph
                title = unbreakable(locale.typeset(event.event.title))
                days.setdefault(date.start, []).append(
                    _Entry(event, unbreakable(moment), title))
                if not single:
                    ranges.append(_Range(date.start, date.end, 0))
                    days.setdefault(date.end, [])
    if not days and not dated:
        return None
    ranges = _lanes(ranges)
    column = _moment_column([e.moment for entries in days.values() for e in entries])
    for entries in days.values():
        for entry in entries:
            entry.lines = _wrap(entry.title, TEXT_WIDTH - _lane_room(ranges) - column)
            if _moment_room(entry.moment) > column:
                entry.lines.insert(0, "")  # a moment wider than the column: a line of its own
    rows = _rows(days, dated)
    pieces = _pieces(rows)
    caption = locale.typeset(view.meta.timeline_caption or locale.word("timeline_caption"))
    items = tuple(
        TimelineItem(e.view.anchor, _item_label(locale.day_month(row.day), e),
                     locale.typeset(e.view.event.title))
        for row in rows if row.day for e in row.entries
    )
    description = _description(rows, locale)
    svgs = tuple(
        _draw(piece, ranges, caption if len(pieces) == 1 else f"{caption} ({i}/{len(pieces)})",
              _description(piece, locale), f"timeline-{i}", locale, column)
        for i, piece in enumerate(pieces, start=1)
    )
    return TimelineFigure(svgs, caption, items, description)


def _item_label(day: str, entry: _Entry) -> str:
    """The list's name for an entry, as a cross-reference names its event: "okt. 23.,
    15:00", "23 Oct, evening"; a range by its dates ("okt. 25–28.")."""
    if not entry.view.event.date.is_single_day:
        return entry.moment
    return f"{day}, {entry.moment}" if entry.moment else day


def _lanes(ranges: list[_Range]) -> list[_Range]:
    """Overlapping ranges side by side: each in the first lane free at its start."""
    out: list[_Range] = []
    for item in sorted(ranges, key=lambda r: (r.start, r.end)):
        lane = 0
        while any(o.lane == lane and o.start <= item.end and item.start <= o.end for o in out):
            lane += 1
        out.append(_Range(item.start, item.end, lane))
    return out


def _lane_room(ranges: list[_Range]) -> float:
    lanes = max((r.lane for r in ranges), default=-1) + 1
    return max(0, lanes - 2) * LANE


def _rows(days: dict[dt.date, list[_Entry]], dated: set[dt.date]) -> list[_Row]:
    """A row for every day of the span when they fit one piece, else for the marked days
    with the stretches between them as gaps."""
    marked = set(days) | dated
    first, last = min(marked), max(marked)
    span = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    every = [_Row(d, days.get(d, []), d in dated) for d in span]
    if sum(r.height for r in every) <= SHOW_EVERY_DAY:
        return every
    rows: list[_Row] = []
    for row in every:
        if row.day in days or row.day in (first, last):
            rows.append(row)
        elif rows and rows[-1].day is not None:
            rows.append(_Row(None))
    return rows


def _pieces(rows: list[_Row]) -> list[list[_Row]]:
    pieces: list[list[_Row]] = [[]]
    height = 0.0
    for row in rows:
        if pieces[-1] and height + row.height > PIECE_HEIGHT - 10:
            pieces.append([])
            height = 0.0
        pieces[-1].append(row)
        height += row.height
    if pieces[-1] and pieces[-1][-1].day is None:  # no piece ends on a gap
        pieces[-1].pop()
    return [p for p in pieces if p]


def _draw(rows: list[_Row], ranges: list[_Range], title: str, desc: str,
          ident: str, locale: Locale, column: float) -> Markup:
    total = sum(r.height for r in rows) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH:.0f} {total:.1f}" '
        f'role="img" aria-labelledby="{ident}-title" class="timeline-svg">',
        # the title is the drawing's alternative text (a PDF's /Alt): caption and events
        f'<title id="{ident}-title">{escape(f"{title}: {desc}" if desc else title)}</title>',
        f'<desc id="{ident}-desc">{escape(desc)}</desc>',
    ]
    y = 5.0
    centres: dict[dt.date, float] = {}
    for row in rows:
        top, y = y, y + row.height
        if row.day is None:
            parts.append(f'<line x1="{AXIS_X}" y1="{top:.1f}" x2="{AXIS_X}" y2="{y:.1f}" '
                         'stroke="#000" stroke-width="1.2" stroke-dasharray="1.5 2"/>')
            continue
        centres[row.day] = top + 7
        parts.append(f'<line x1="{AXIS_X}" y1="{top:.1f}" x2="{AXIS_X}" y2="{y:.1f}" '
                     'stroke="#000" stroke-width="1.2"/>')
        parts.append(
            f'<text x="{LABEL_X}" y="{top + 10:.1f}" text-anchor="end" font-size="{FONT_SIZE}" '
            f'font-family="BB Sans" font-weight="600">{escape(locale.day_month(row.day))} '
            f'<tspan font-weight="400">{escape(locale.weekday_short(row.day))}</tspan></text>'
        )
        filled = "#000" if row.entries else "#fff"
        parts.append(f'<circle cx="{AXIS_X}" cy="{top + 7:.1f}" r="3.2" fill="{filled}" '
                     'stroke="#000" stroke-width="1"/>')
        line_y = top + 10
        for entry in row.entries:
            # the moment in the face of the day labels, in a column of its own: set before
            # the title it read as its first word ("délután Vége az egypártrendszernek")
            if entry.moment:
                parts.append(f'<text x="{TEXT_X}" y="{line_y:.1f}" font-size="{FONT_SIZE}" '
                             f'font-family="BB Sans">{escape(entry.moment)}</text>')
            for line in entry.lines:
                if line:
                    parts.append(f'<text x="{TEXT_X + column:.1f}" y="{line_y:.1f}" '
                                 f'font-size="{FONT_SIZE}" font-family="BB Serif">'
                                 f'{escape(line)}</text>')
                line_y += LINE
    first, last = (min(centres), max(centres)) if centres else (None, None)
    for item in ranges:
        if first is None or last is None or item.end < first or item.start > last:
            continue
        y1 = centres.get(item.start, 5.0)
        y2 = centres.get(item.end, total - 5)
        x = BAR_X + item.lane * LANE
        parts.append(f'<rect x="{x - 1.2:.1f}" y="{y1:.1f}" width="2.4" '
                     f'height="{max(y2 - y1, 2.4):.1f}" fill="#000"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _description(rows: list[_Row], locale: Locale) -> str:
    lines = []
    for row in rows:
        if row.day is None or not (row.entries or row.has_events):
            continue
        titles = "; ".join(e.text for e in row.entries) or "–"
        lines.append(f"{locale.day_month(row.day)}: {titles}.")
    return " ".join(lines)


# ---------------------------------------------------------------- text widths


@cache
def _advances(path: Path) -> tuple[dict[int, int], int]:
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True) as font:
        cmap = font.getBestCmap()
        metrics = font["hmtx"].metrics
        widths = {code: metrics[name][0] for code, name in cmap.items() if name in metrics}
        return widths, int(font["head"].unitsPerEm)


def text_width(text: str, size: float = FONT_SIZE, family: str = "BB Serif") -> float:
    """How wide ``text`` sets in the book's regular face of ``family`` (no kerning)."""
    face = next(f for f in font_faces()
                if f.family == family and f.weight == 400 and f.style == "normal")
    widths, upem = _advances(face.path)
    fallback = widths.get(ord("m"), upem // 2)
    return sum(widths.get(ord(c), fallback) for c in text) * size / upem


def _moment_room(moment: str) -> float:
    """How much of a line a moment takes, the gap before the title included."""
    return text_width(moment, family="BB Sans") + MOMENT_GAP if moment else 0.0


def _moment_column(moments: list[str]) -> float:
    """The width of the moments' column: the widest moment's, at most a third of the text
    (a wider moment gets a line of its own); none when no entry has a moment."""
    return min(max(map(_moment_room, moments), default=0.0), TEXT_WIDTH / 3)


def _wrap(text: str, width: float) -> list[str]:
    """``text`` in lines at most ``width`` wide (a longer word stands alone)."""
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if current and text_width(candidate) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines or [""]
