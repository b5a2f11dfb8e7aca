"""Pyphen's dictionaries parsed once per machine: the cached parse is Pyphen's own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyphen
import pytest

from bookbuild.render.hyphdicts import cache_folder, load_patterns

WORDS = ("visszatérés", "kossuth", "asszonyok", "meggyilkolták", "forradalom",
         "tüntetés", "egyetemisták", "hosszú", "követelések", "Vorstellung")


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A private cache folder, and Pyphen's in-process cache without Hungarian."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    key = pyphen.LANGUAGES["hu_HU"]
    kept = pyphen.hdcache.pop(key, None)
    yield key
    pyphen.hdcache.pop(key, None)
    if kept is not None:
        pyphen.hdcache[key] = kept


def _alternatives(hd: pyphen.HyphDict) -> dict[str, list[object]]:
    return {k: [getattr(v, "data", None) for v in values]
            for k, (_, values) in hd.patterns.items()
            if any(isinstance(v, pyphen.DataInt) for v in values)}


def test_the_cached_parse_is_pyphens_own(fresh: str) -> None:
    load_patterns("hu_HU")  # parses, and writes the cache
    assert len(list(cache_folder().glob("hyph_hu_HU-*.marshal"))) == 1
    pyphen.hdcache.pop(fresh)
    load_patterns("hu_HU")  # from the cache
    cached = pyphen.hdcache[fresh]
    parsed = pyphen.HyphDict(Path(fresh))
    assert cached.patterns == parsed.patterns and cached.maxlen == parsed.maxlen
    alternatives = _alternatives(parsed)
    assert alternatives and _alternatives(cached) == alternatives  # "ssz/sz=sz" kept
    ours = pyphen.Pyphen(lang="hu_HU")
    assert ours.hd is cached
    for word in WORDS:  # nonstandard breaks included
        assert list(ours.iterate(word)) == [
            (left, right) for left, right in _iterate(parsed, word)]


def _iterate(hd: pyphen.HyphDict, word: str) -> list[tuple[str, str]]:
    other = pyphen.Pyphen.__new__(pyphen.Pyphen)
    other.hd, other.left, other.right = hd, 2, 2
    return list(other.iterate(word))


def test_a_damaged_cache_is_parsed_again_and_replaced(fresh: str) -> None:
    load_patterns("hu_HU")
    kept = next(cache_folder().glob("hyph_hu_HU-*.marshal"))
    kept.write_bytes(kept.read_bytes()[:1000])
    pyphen.hdcache.pop(fresh)
    load_patterns("hu_HU")
    assert pyphen.hdcache[fresh].patterns == pyphen.HyphDict(Path(fresh)).patterns
    assert kept.stat().st_size > 1000


def test_no_writable_cache_parses_as_before(tmp_path: Path, fresh: str,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    load_patterns("hu_HU")
    assert pyphen.hdcache[fresh].patterns == pyphen.HyphDict(Path(fresh)).patterns
