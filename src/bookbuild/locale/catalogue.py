"""The message catalogues: one gettext ``.po`` file per language, read with Babel.

The registry is the folder itself: every ``<language>.po`` beside this module is a
supported language, so adding a language is adding its catalogue. The catalogue's
``Language:`` header (``hu_HU``, ``en_GB`` …) names the CLDR locale used for its dates
and its default hyphenation dictionary.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

CATALOGUE_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True, eq=False)  # one object per language (compared and hashed by identity)
class Catalogue:
    """The words of one language: message id → text, and the CLDR locale it was written for."""

    language: str
    cldr: str
    messages: dict[str, str]


def languages() -> tuple[str, ...]:
    """The languages that have a catalogue, sorted."""
    return tuple(sorted(path.stem for path in CATALOGUE_DIR.glob("*.po")))


@cache
def catalogue(language: str) -> Catalogue:
    """The catalogue of ``language`` (a primary language subtag such as ``hu``)."""
    if language not in languages():
        raise LookupError(language)
    path = CATALOGUE_DIR / f"{language}.po"
    with path.open("rb") as handle:
        po = read_po(handle, locale=None)
    messages = {str(m.id): str(m.string) for m in po if m.id and m.string}
    cldr = str(po.locale) if po.locale is not None else language
    return Catalogue(language, cldr, messages)
