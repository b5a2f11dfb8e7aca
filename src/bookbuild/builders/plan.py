"""The build plan: computed once per build, which edition needs what and in what order.

Builders declare their needs (:attr:`Builder.needs`); the plan resolves them against
the book's editions: the EPUB's page-list follows the imposed PDF booklet's pages, when
the book has one. The cache keys, the scheduler and the builders all read this plan
and nothing else decides what waits for what.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..manuscript.model import Edition
from .base import PageSource
from .registry import builder_class


@dataclass(frozen=True)
class Step:
    """One edition to build: after the edition ``after`` (whose pages it follows), if any.

    ``write`` is false for an edition laid out only because another follows its pages.
    """

    edition: Edition
    after: str = ""
    write: bool = True


@dataclass(frozen=True)
class Plan:
    """The steps of a build, each after the step it needs."""

    steps: tuple[Step, ...]

    def after(self, name: str) -> str:
        """The edition whose pages ``name`` follows ("" if none)."""
        return next((s.after for s in self.steps if s.edition.name == name), "")

    def ready(self, done: Sequence[str] = ()) -> list[Step]:
        """The steps that may start once the editions ``done`` are laid out."""
        return [s for s in self.steps if s.edition.name not in done
                and (not s.after or s.after in done)]

    def select(self, names: Sequence[str]) -> Plan:
        """The plan for building only ``names`` (providers they need laid out, not written)."""
        wanted = set(names)
        needed = {s.after for s in self.steps if s.edition.name in wanted and s.after}
        return Plan(tuple(
            s if s.edition.name in wanted else Step(s.edition, s.after, write=False)
            for s in self.steps if s.edition.name in wanted or s.edition.name in needed))


def needed_edition(edition: Edition, editions: Sequence[Edition]) -> Edition | None:
    """The edition whose laid-out pages ``edition``'s builder needs, if the book has one."""
    for need in builder_class(edition.format).needs:
        found = need.find(editions)
        if found is not None and found.name != edition.name:
            if not issubclass(builder_class(found.format), PageSource):
                continue
            return found
    return None


def plan_build(editions: Sequence[Edition]) -> Plan:
    """The plan of every edition of the book: providers first, in declared order otherwise."""
    after = {e.name: (needed_edition(e, editions) or e).name for e in editions}
    first = [Step(e) for e in editions if after[e.name] == e.name]
    providers = {s.edition.name for s in first}
    later = [Step(e, after[e.name]) for e in editions if after[e.name] != e.name]
    for step in later:
        if step.after not in providers:  # needs an edition that itself needs another
            raise ValueError(f"edition '{step.edition.name}' follows '{step.after}', "
                             "which follows another edition")
    return Plan((*first, *later))


def missing_templates(plan: Plan, dirs: Sequence[Path]) -> list[tuple[Edition, str]]:
    """The templates the plan's builders render (their ``templates``) that no layout
    folder has: (edition, template name), found before anything is built."""
    missing = []
    for step in plan.steps:
        for pattern in builder_class(step.edition.format).templates:
            name = pattern.format(layout=step.edition.layout)
            if not any((folder / name).is_file() for folder in dirs):
                missing.append((step.edition, name))
    return missing
