"""Per-rendering state that the layouts' filters read at call time (one home for the pattern).

Jinja caches imported macro modules, so a filter bound to one rendering would leak into
the next (print text, with soft hyphens and no links, into the web edition). A filter asks
its :class:`RenderState` instead, which holds what the rendering under way set.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Generic, TypeVar

T = TypeVar("T")


class RenderState(Generic[T]):
    """A value set for the duration of one rendering, with a default outside any."""

    def __init__(self, name: str, default: T) -> None:
        self._var: ContextVar[T | None] = ContextVar(name, default=None)
        self._default = default

    @contextmanager
    def using(self, value: T) -> Iterator[None]:
        token = self._var.set(value)
        try:
            yield
        finally:
            self._var.reset(token)

    def get(self) -> T:
        value = self._var.get()
        return self._default if value is None else value
