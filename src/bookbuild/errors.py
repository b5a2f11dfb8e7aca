"""Diagnostics: problems found in a manuscript, reported as ``path:line:col: level: message``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path


class Severity(Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Location:
    """A place in a manuscript file; line and column are 1-based."""

    path: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.path
        return f"{self.path}:{self.line}:{self.col or 1}"


@dataclass(frozen=True)
class Diagnostic:
    """One problem: where it stands, how bad it is, what it is and how to fix it."""

    location: Location
    severity: Severity
    message: str
    hint: str = ""

    def format(self, *, strict: bool = False) -> str:
        level = Severity.ERROR if strict else self.severity
        text = f"{self.location}: {level.value}: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class Diagnostics:
    """A collector that gathers every problem instead of stopping at the first."""

    def __init__(self) -> None:
        self._items: list[Diagnostic] = []

    def error(self, location: Location, message: str, hint: str = "") -> None:
        self._items.append(Diagnostic(location, Severity.ERROR, message, hint))

    def warning(self, location: Location, message: str, hint: str = "") -> None:
        self._items.append(Diagnostic(location, Severity.WARNING, message, hint))

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(sorted(self._items, key=lambda d: (d.location, d.message)))

    def __len__(self) -> int:
        return len(self._items)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self if d.severity is Severity.WARNING]

    def failed(self, *, strict: bool = False) -> bool:
        return bool(self.errors) or (strict and bool(self.warnings))


class BookbuildError(Exception):
    """A problem for a person to fix, not a bug: printed without a traceback."""

    def __init__(self, message: str, hint: str = "", location: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.location = location

    def __reduce__(self) -> tuple[object, ...]:
        # whole across a process boundary (a worker's error reaches the parent intact)
        return (_rebuilt, (type(self), self.message, dict(self.__dict__)))

    def format(self) -> str:
        where = f"{self.location}: " if self.location else ""
        text = f"{where}error: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


def _rebuilt(cls: type[BookbuildError], message: str,
             state: dict[str, object]) -> BookbuildError:
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error


class ManuscriptError(BookbuildError):
    """The manuscript has errors; ``diagnostics`` holds them all."""

    def __init__(self, diagnostics: Diagnostics) -> None:
        count = len(diagnostics.errors)
        super().__init__(f"the manuscript has {count} error{'s' if count != 1 else ''}")
        self.diagnostics = diagnostics


def relative(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` where possible, for messages."""
    try:  # absolute, not resolved: a linked file is shown where it stands in the project
        return str(path.absolute().relative_to(root.absolute()))
    except ValueError:
        return str(path)
