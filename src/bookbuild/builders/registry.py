"""The output formats: one registered builder class per format (as Sphinx's ``add_builder``).

bookbuild's own formats are named here with the module that holds their builder, so
that a build imports only the builders its editions use (the EPUB's worker never loads
WeasyPrint). Another format is one new module whose builder class is registered with
:func:`add_builder`, or named under the ``bookbuild.builders`` entry-point group of an
installed package; nothing else changes. ``book.yaml``'s ``format:`` is checked against
:func:`formats`.
"""

from __future__ import annotations

import importlib
from functools import cache
from importlib.metadata import entry_points
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .base import Builder

ENTRY_POINT_GROUP = "bookbuild.builders"

# format → "module:class", imported when an edition of that format is built
BUILTIN_BUILDERS: dict[str, str] = {
    "pdf": "bookbuild.builders.pdf:PdfBuilder",
    "epub": "bookbuild.builders.epub:EpubBuilder",
    "html": "bookbuild.builders.web:WebBuilder",
}

_REGISTERED: dict[str, type[Builder]] = {}


class RegistryError(ValueError):
    """A builder registered twice, or a format nobody registered."""


def add_builder(builder: type[Builder], *, override: bool = False) -> type[Builder]:
    """Register ``builder`` for its ``format`` (usable as a class decorator)."""
    name = builder.format
    if not override and (name in _REGISTERED or name in _declared()):
        known = _REGISTERED.get(name)
        if known is not builder:
            raise RegistryError(f"a builder for format '{name}' is already registered")
    _REGISTERED[name] = builder
    return builder


def remove_builder(name: str) -> None:
    """Forget a builder registered with :func:`add_builder` (tests, plugins unloading)."""
    _REGISTERED.pop(name, None)


def formats() -> list[str]:
    """Every format an edition may name, sorted."""
    return sorted({*_declared(), *_REGISTERED})


def is_format(name: str) -> bool:
    """Whether an edition may name format ``name`` (plug-ins looked up only if needed)."""
    return name in BUILTIN_BUILDERS or name in _REGISTERED or name in _declared()


def builder_class(name: str) -> type[Builder]:
    """The builder of format ``name``, importing its module on first use."""
    if name in _REGISTERED:
        return _REGISTERED[name]
    # bookbuild's own first: installed plug-ins never replace them, and reading every
    # package's entry points costs a no-op build a tenth of a second
    target = BUILTIN_BUILDERS.get(name) or _declared().get(name)
    if target is None:
        raise RegistryError(f"no builder for format '{name}'")
    module, _, attribute = target.partition(":")
    builder: type[Builder] = getattr(importlib.import_module(module), attribute)
    _REGISTERED[name] = builder
    return builder


def builder_for(name: str) -> Builder:
    """A builder instance for format ``name``."""
    return builder_class(name)()


@cache
def _declared() -> dict[str, str]:
    """bookbuild's formats and those of installed plug-ins (entry points), not imported yet."""
    declared = dict(BUILTIN_BUILDERS)
    for point in entry_points(group=ENTRY_POINT_GROUP):
        declared.setdefault(point.name, point.value)
    return declared
