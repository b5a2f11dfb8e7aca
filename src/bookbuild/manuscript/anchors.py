"""The ids the outputs give to the book's pieces: the one home of every anchor and id prefix."""

from __future__ import annotations


def part_anchor(part_id: str) -> str:
    return f"part-{part_id}"


def day_anchor(key: str) -> str:
    """A day of a day-by-day part (``key`` is its ISO date, or the event id of a month/range)."""
    return f"day-{key}"


def index_anchor(index_id: str) -> str:
    """An index section: ``index-people``."""
    return f"index-{index_id}"


def entry_anchor(entity_id: str) -> str:
    """An index entry, where mentions of the entity link to."""
    return f"idx-{entity_id}"


def figure_anchor(figure_id: str) -> str:
    """A figure of ``figures.yaml``, where its number and credit link to."""
    return f"fig-{figure_id}"


def note_anchor(note_id: str) -> str:
    return f"note-{note_id}"


def demand_id(first: int, last: int) -> str:
    """A demand's id from its number or range, the same in every language: ``demand-13``,
    ``demand-8-10``."""
    return f"demand-{first}" if first == last else f"demand-{first}-{last}"


def mention_anchor(owner: str, number: int) -> str:
    """The ``number``-th mention in the text of ``owner`` (an event, demand or note anchor)."""
    return f"{owner}-m{number}"
