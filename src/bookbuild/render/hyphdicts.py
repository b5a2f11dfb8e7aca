"""Pyphen's hyphenation dictionaries, parsed once per machine and kept in the user's cache.

Pyphen parses a ``hyph_*.dic`` file each time a process loads it: 0.9 s for Hungarian's
105,000 patterns, on the path of every build (a rebuild after a one-word edit included).
The parse is kept as ``marshal`` data (plain strings, numbers and tuples: loading it runs
no code) in ``$XDG_CACHE_HOME/bookbuild/hyphenation/`` (``~/.cache/…``), named by a digest
of the dictionary file and Pyphen's version, and loaded in a seventh of the time. The
patterns are Pyphen's own, byte for byte: a nonstandard break (``DataInt``, such as
Hungarian "ssz/sz=sz") keeps its data. Without a writable cache the dictionary is
parsed as before; a damaged cache file is parsed again and replaced.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import tempfile
from pathlib import Path
from typing import Any

import pyphen

__all__ = ["cache_folder", "load_patterns"]

_FORMAT = b"bookbuild-hyphenation-1\n"


def cache_folder() -> Path:
    """Where parsed dictionaries are kept."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "bookbuild" / "hyphenation"


def load_patterns(language: str) -> None:
    """Make Pyphen's next ``Pyphen(lang=language)`` use the cached parse (``hdcache``)."""
    key = pyphen.LANGUAGES[language]
    if key in pyphen.hdcache:
        return
    path = Path(key)
    data = path.read_bytes()
    version = getattr(pyphen, "VERSION", getattr(pyphen, "__version__", ""))
    digest = hashlib.sha256(data + str(version).encode()).hexdigest()[:24]
    kept = cache_folder() / f"{path.stem}-{digest}.marshal"
    found = _read(kept)
    if found is None:
        found = pyphen.HyphDict(path)
        _write(kept, found)
    pyphen.hdcache[key] = found


def _read(kept: Path) -> pyphen.HyphDict | None:
    try:
        raw = kept.read_bytes()
        if not raw.startswith(_FORMAT):
            return None
        patterns, alternatives, maxlen = marshal.loads(raw[len(_FORMAT):])
        for key, (start, values) in alternatives.items():
            patterns[key] = start, tuple(
                pyphen.DataInt(v, data=tuple(d)) if d is not None else v
                for v, d in values)
    except (OSError, EOFError, ValueError, TypeError, KeyError):
        return None
    hd = pyphen.HyphDict.__new__(pyphen.HyphDict)
    hd.patterns, hd.cache, hd.maxlen = patterns, {}, maxlen
    return hd


def _write(kept: Path, hd: pyphen.HyphDict) -> None:
    plain: dict[str, Any] = {}
    alternatives: dict[str, Any] = {}
    for key, (start, values) in hd.patterns.items():
        if any(isinstance(v, pyphen.DataInt) for v in values):
            alternatives[key] = start, tuple(
                (int(v), tuple(v.data) if isinstance(v, pyphen.DataInt) and v.data else None)
                for v in values)
        else:
            plain[key] = start, tuple(int(v) for v in values)
    data = _FORMAT + marshal.dumps((plain, alternatives, hd.maxlen))
    try:
        kept.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=kept.parent, prefix=".part-", delete=False) as out:
            temporary = Path(out.name)
            out.write(data)
    except OSError:  # no writable cache: parsed again next time
        return
    try:
        os.replace(temporary, kept)  # whole or not at all, whoever else writes it
    except OSError:
        temporary.unlink(missing_ok=True)
