"""Text of PDF pages with positions in page space (for imposed sheets and layout checks)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pypdf import PageObject

Run = tuple[str, float, float]


def text_runs(page: PageObject) -> list[Run]:
    """The text on ``page`` as (text, x, y) in page space.

    pypdf restarts the matrix inside a form XObject, so the matrix in force at
    each ``Do`` is kept and applied to the positions reported inside the form.
    """
    placement: list[Sequence[float]] = [(1.0, 0.0, 0.0, 1.0, 0.0, 0.0)]
    runs: list[Run] = []

    def before(op: bytes, args: Any, cm: Sequence[float], tm: Sequence[float]) -> None:
        if op == b"Do":
            placement[0] = tuple(float(v) for v in cm)

    def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if not text.strip():
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        a, b, c, d, e, f = placement[0]
        runs.append((text.strip(), a * x + c * y + e, b * x + d * y + f))

    page.extract_text(visitor_operand_before=before, visitor_text=visit)
    return runs


def halves(page: PageObject) -> tuple[list[str], list[str]]:
    """The texts on the left and the right half of a sheet side."""
    middle = float(page.mediabox.width) / 2
    left = [t for t, x, _ in text_runs(page) if x < middle]
    right = [t for t, x, _ in text_runs(page) if x >= middle]
    return left, right
