"""``bookbuild new``: start a book from a minimal manuscript that passes ``check --strict``."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import TextIO

from ..errors import BookbuildError

SCAFFOLD = Path(__file__).resolve().parent.parent / "scaffold"
IDENTIFIER_PLACEHOLDER = "urn:uuid:00000000-0000-4000-8000-000000000000"


def new(directory: Path, *, out: TextIO) -> int:
    target = directory / "manuscript"
    if target.exists() and any(target.iterdir()):
        raise BookbuildError(f"{target} already holds a manuscript",
                             "choose an empty folder; bookbuild never overwrites a manuscript")
    target.mkdir(parents=True, exist_ok=True)
    for source in sorted((SCAFFOLD / "manuscript").glob("*.yaml")):
        text = source.read_text(encoding="utf-8")
        text = text.replace(IDENTIFIER_PLACEHOLDER, f"urn:uuid:{uuid.uuid4()}")
        (target / source.name).write_text(text, encoding="utf-8")
    readme = directory / "README.md"
    if not readme.exists():
        shutil.copy(SCAFFOLD / "README.md", readme)
    print(f"New book in {directory}: edit manuscript/*.yaml, then run "
          f"'bookbuild check {directory}' and 'bookbuild build {directory}'.", file=out)
    return 0
