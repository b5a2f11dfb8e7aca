"""Synthetic manuscripts for the benchmark, made from the real book's own shape.

``synthesize(project, target, factor)`` copies a project's ``manuscript/`` (and
``layouts/``, when it has one) and writes a chronology ``factor`` times as long: every
event is followed by ``factor - 1`` copies of itself on the same date (repeated days:
parts stay in date order and the day-by-day part keeps its span, which the timeline
figure and ``check`` limit). Copy *c* gets the id ``<id>-x<c>``, no ``key: true`` (the
handout keeps its four-page limit) and in-book links pointing at its own copies.
Entities, demands and notes are kept, so every mention and note reference stays valid:
``bookbuild check`` reports no errors.

``edit_one_word(chronology)`` changes one word in one event's text, the smallest
edit an author makes, for the incremental-rebuild measurement.

Usage: ``python benchmarks/synth.py FACTOR TARGET [--project PATH]``.
"""

from __future__ import annotations

import argparse
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

ID_LINE = re.compile(r"^- id:\s*(?P<id>[a-z0-9-]+)\s*$")
KEY_LINE = re.compile(r"^\s+key:\s*(true|yes)\s*$")
EVENT_LINK = re.compile(r"\(#(?P<id>[a-z0-9-]+)\)")
WORD = re.compile(r"(?<![\w@#-])[a-záéíóöőúüű]{6,}(?![\w-])")
REPLACEMENT_WORD = "módosított"


@dataclass(frozen=True)
class SynthResult:
    factor: int
    events: int
    chronology_bytes: int


@dataclass(frozen=True)
class WordEdit:
    event_id: str
    old: str
    new: str


def synthesize(project: Path, target: Path, factor: int) -> SynthResult:
    """Copy ``project`` to ``target`` with a chronology ``factor`` times the original."""
    if factor < 1:
        raise ValueError(f"factor must be at least 1, not {factor}")
    copy_project(project, target)
    chronology = target / "manuscript" / "chronology.yaml"
    text = replicate_chronology(chronology.read_text(encoding="utf-8"), factor)
    chronology.write_text(text, encoding="utf-8")
    events = sum(1 for line in text.splitlines() if ID_LINE.match(line))
    return SynthResult(factor, events, len(text.encode()))


def copy_project(project: Path, target: Path) -> None:
    """The folders a build reads: ``manuscript/`` and, if the project has one, ``layouts/``."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    shutil.copytree(project / "manuscript", target / "manuscript")
    if (project / "layouts").is_dir():
        shutil.copytree(project / "layouts", target / "layouts")


def replicate_chronology(text: str, factor: int) -> str:
    """The chronology with ``factor - 1`` renamed copies after each event, same date."""
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if ID_LINE.match(line)]
    if not starts:
        raise ValueError("the chronology has no events")
    event_ids = {ID_LINE.match(lines[i])["id"] for i in starts}  # type: ignore[index]
    out = lines[:starts[0]]
    for start, following in zip(starts, [*starts[1:], len(lines)], strict=True):
        end = _event_end(lines, start, following)
        out.extend(lines[start:end])
        for copy in range(1, factor):
            out.append("")
            out.extend(copy_lines(lines[start:end], copy, event_ids))
        out.extend(lines[end:following])  # blank lines and section comments, once
    return "\n".join(out) + "\n"


def _event_end(lines: list[str], start: int, following: int) -> int:
    """Where an event's own lines end: before the blank and comment lines that follow it."""
    end = following
    while end > start + 1 and (not lines[end - 1].strip() or lines[end - 1].startswith("#")):
        end -= 1
    return end


def copy_lines(event: list[str], copy: int, event_ids: set[str]) -> list[str]:
    out: list[str] = []
    for line in event:
        if KEY_LINE.match(line):
            continue
        if m := ID_LINE.match(line):
            line = f"- id: {m['id']}-x{copy}"
        else:
            line = EVENT_LINK.sub(lambda m: _renamed_link(m, copy, event_ids), line)
        out.append(line)
    return out


def _renamed_link(match: re.Match[str], copy: int, event_ids: set[str]) -> str:
    target = match["id"]
    return f"(#{target}-x{copy})" if target in event_ids else match[0]


def edit_one_word(chronology: Path, nth_event: int | None = None) -> WordEdit:
    """Replace one plain word (outside markup) in one event's text; the middle event by default."""
    lines = chronology.read_text(encoding="utf-8").splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if ID_LINE.match(line)]
    if not starts:
        raise ValueError(f"{chronology}: no events")
    index = len(starts) // 2 if nth_event is None else nth_event
    for start in starts[index:] + starts[:index]:
        later = [s for s in starts if s > start]
        edit = _edit_event(lines, start, later[0] if later else len(lines))
        if edit is not None:
            chronology.write_text("".join(lines), encoding="utf-8")
            return edit
    raise ValueError(f"{chronology}: no event text has a plain word to change")


def _edit_event(lines: list[str], start: int, end: int) -> WordEdit | None:
    event_id = ID_LINE.match(lines[start])["id"]  # type: ignore[index]
    text_line = next((i for i in range(start, end) if lines[i].lstrip().startswith("text:")),
                     None)
    if text_line is None:
        return None
    for i in range(text_line + 1, end):
        word = _plain_word(lines[i])
        if word is not None:
            lines[i] = lines[i].replace(word, REPLACEMENT_WORD, 1)
            return WordEdit(event_id, word, REPLACEMENT_WORD)
    return None


def _plain_word(line: str) -> str | None:
    """The first long lower-case word of ``line`` outside brackets and not the replacement."""
    for match in WORD.finditer(line):
        before = line[:match.start()]
        outside = before.count("[") == before.count("]") and before.count("(") == before.count(")")
        first = line.find(match[0])
        if outside and first == match.start() and match[0] != REPLACEMENT_WORD:
            return match[0]
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("factor", type=int, help="how many times the real chronology")
    parser.add_argument("target", type=Path, help="folder to write the project into")
    parser.add_argument("--project", type=Path, default=Path(__file__).resolve().parents[1],
                        help="the project to copy (default: this repository)")
    args = parser.parse_args()
    result = synthesize(args.project, args.target, args.factor)
    print(f"{args.target}: {result.events} events, {result.chronology_bytes // 1024} KiB "
          f"chronology ({result.factor}×)")


if __name__ == "__main__":
    main()
