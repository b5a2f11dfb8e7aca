"""``bookbuild new``: start a book from a minimal manuscript that passes ``check --strict``."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import TextIO

from ..errors import BookbuildError

SCAFFOLD = Path(__file__).resolve().parent.parent / "scaffold"
IDENTIFIER_PLACEHOLDER = "urn:uuid:00000000-0000-4000-8000-000000000000"


def scaffold_languages() -> tuple[str, ...]:
    """The languages with a sample book: every folder of scaffold/ holding a manuscript."""
    return tuple(sorted(p.name for p in SCAFFOLD.iterdir() if (p / "manuscript").is_dir()))


def new(directory: Path, *, out: TextIO, language: str = "hu") -> int:
    """Write the sample book of ``language`` (a BCP 47 tag: ``en``, ``de-AT`` …) into
    ``directory``."""
    sample = language.replace("_", "-").split("-", 1)[0].lower()
    if sample not in scaffold_languages():
        raise BookbuildError(
            f"no sample book in the language '{language}'",
            f"choose one of {', '.join(scaffold_languages())}; then set 'language:' in "
            "book.yaml to the book's own language (see docs/languages.md)")
    target = directory / "manuscript"
    if target.exists() and any(target.iterdir()):
        raise BookbuildError(f"{target} already holds a manuscript",
                             "choose an empty folder; bookbuild never overwrites a manuscript")
    target.mkdir(parents=True, exist_ok=True)
    for source in sorted((SCAFFOLD / sample / "manuscript").glob("*.yaml")):
        text = source.read_text(encoding="utf-8")
        text = text.replace(IDENTIFIER_PLACEHOLDER, f"urn:uuid:{uuid.uuid4()}")
        if source.name == "book.yaml" and language != sample:  # de-AT: the tag as given
            text = text.replace(f"\nlanguage: {sample}\n", f"\nlanguage: {language}\n", 1)
        (target / source.name).write_text(text, encoding="utf-8")
    readme = directory / "README.md"
    if not readme.exists():
        shutil.copy(SCAFFOLD / "README.md", readme)
    print(f"New book in {directory}: edit manuscript/*.yaml, then run "
          f"'bookbuild check {directory}' and 'bookbuild build {directory}'.", file=out)
    return 0
