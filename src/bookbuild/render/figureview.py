"""The figures of an edition: where each stands, numbered in reading order, with its label."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..locale import Locale
from ..manuscript.model import Figure, Manuscript

if TYPE_CHECKING:
    from .book import PartView


@dataclass(frozen=True)
class FigureView:
    figure: Figure
    number: int
    label: str  # "1. kép", "Figure 1"
    owner: str  # the anchor of the part, event or demand it stands with

    @property
    def anchor(self) -> str:
        return self.figure.anchor


def _placed(parts: tuple[PartView, ...]) -> Iterator[tuple[str, str]]:
    """(owner anchor, figure id) in reading order."""
    for part in parts:
        for figure_id in part.part.figures:
            yield part.anchor, figure_id
        for demand in part.demands:
            for figure_id in demand.demand.figures:
                yield demand.anchor, figure_id
        for event in (*part.events, *(v for g in part.groups for v in g.events)):
            for figure_id in event.event.figures:
                yield event.anchor, figure_id


def place_figures(manuscript: Manuscript, parts: tuple[PartView, ...], locale: Locale,
                  *, key_only: bool = False) -> tuple[FigureView, ...]:
    """The figures the parts show (only the key ones with ``key_only``), numbered from 1."""
    out: list[FigureView] = []
    for owner, figure_id in _placed(parts):
        figure = manuscript.figure(figure_id)
        if figure is None or (key_only and not figure.key):
            continue
        number = len(out) + 1
        out.append(FigureView(figure, number, locale.figure_label(number), owner))
    return tuple(out)
