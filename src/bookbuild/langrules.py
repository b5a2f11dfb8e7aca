"""One registry for the rules a language may bring of its own: its hyphenation breaks
(:mod:`.render.hyphenate`), the stems of its names (:mod:`.manuscript.stems`) and its
no-break spaces (:mod:`.render.typography`). A rule is registered under the language's
primary subtag (``hu``, ``pl``) and found by any tag of the language (``hu-HU``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

Rule = TypeVar("Rule")


class LanguageRules(Generic[Rule]):
    """The rules of one kind, one per language at most."""

    def __init__(self) -> None:
        self._rules: dict[str, Rule] = {}

    def register(self, language: str) -> Callable[[Rule], Rule]:
        """A decorator registering its function as the rule of ``language``."""

        def add(rule: Rule) -> Rule:
            self._rules[language] = rule
            return rule

        return add

    def get(self, language: str) -> Rule | None:
        """The rule of ``language`` (a primary subtag or a whole BCP 47 tag), if any."""
        return self._rules.get(language.split("-", 1)[0].lower())
