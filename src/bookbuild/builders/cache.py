"""The build cache: an edition is rebuilt only when something it is made from changed.

An edition's key is a hash of every input: the manuscript files, the layout
files it uses, the font files, bookbuild's version, the edition's settings and
the build date. The record of the last build (in the output folder) holds each
edition's key and outputs; an edition whose key matches and whose outputs are
still there, unchanged, is not built again. Computing the keys reads files and
hashes them, nothing more, so a build with nothing to do returns at once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict
from pathlib import Path, PurePosixPath

from .. import __version__
from ..manuscript.figures import image_files
from ..manuscript.load import Project, manuscript_files
from ..manuscript.model import Edition
from ..render.fonts import font_faces
from .base import Output
from .plan import Plan

CACHE_FILE = ".bookbuild-cache.json"
MAX_HASHED_BYTES = 64 * 1024 * 1024  # larger inputs are refused by the build, unread
_CHUNK = 1024 * 1024


def _hash_files(digest: hashlib._Hash, paths: Iterable[Path]) -> None:
    """Hash each file's name and content; a file too large to be an input (the check
    refuses it) is hashed by its size and time, never read."""
    for path in paths:
        digest.update(path.name.encode() + b"\0")
        try:
            stat = path.stat()
            if not path.is_file():
                digest.update(b"<missing>")
            elif stat.st_size > MAX_HASHED_BYTES:
                digest.update(f"<too large: {stat.st_size} {stat.st_mtime_ns}>".encode())
            else:
                _hash_content(digest, path)
        except OSError:
            digest.update(b"<unreadable>")
        digest.update(b"\0")


def _hash_content(digest: hashlib._Hash, path: Path) -> None:
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)


def layout_files(layout_dirs: Iterable[Path], edition: Edition) -> list[Path]:
    """The layout files an edition uses: every template, the base and its own stylesheet."""
    wanted_css = {"base.css", f"{edition.layout}.css"}
    files: dict[str, Path] = {}
    for folder in reversed(list(layout_dirs)):  # the project's layouts override
        for path in sorted(folder.rglob("*")):
            if not path.is_file():
                continue
            rel = path.relative_to(folder).as_posix()
            if path.suffix == ".j2" or (path.suffix == ".css" and path.name in wanted_css):
                files[rel] = path
    return [files[k] for k in sorted(files)]


def edition_key(project: Project, layout_dirs: Iterable[Path], edition: Edition,
                build_date: str, depends_on: str = "") -> str:
    """The hash of everything ``edition`` is made from."""
    digest = hashlib.sha256()
    digest.update(f"bookbuild {__version__}\0{edition!r}\0{build_date}\0{depends_on}\0".encode())
    _hash_files(digest, [project.manuscript_dir / name
                           for name in manuscript_files(project.manuscript_dir)])
    _hash_files(digest, image_files(project.manuscript_dir))
    _hash_files(digest, layout_files(list(layout_dirs), edition))
    _hash_files(digest, [face.path for face in font_faces()])
    return digest.hexdigest()


def edition_keys(project: Project, layout_dirs: Iterable[Path], plan: Plan,
                 build_date: str) -> dict[str, str]:
    """Keys for every edition of ``plan``; one that follows another's pages (the EPUB, the
    booklet's) also depends on that edition's key."""
    dirs = list(layout_dirs)
    keys: dict[str, str] = {}
    for step in plan.steps:  # an edition comes after the one it follows
        keys[step.edition.name] = edition_key(project, dirs, step.edition, build_date,
                                              keys.get(step.after, ""))
    return keys


class BuildRecord:
    """What the last build in an output folder made, and from what."""

    def __init__(self, out_dir: Path) -> None:
        self.path = out_dir / CACHE_FILE
        self.out_dir = out_dir
        self.data: dict[str, dict[str, object]] = {}
        try:
            if self.path.is_file() and self.path.stat().st_size <= MAX_HASHED_BYTES:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                self.data = {k: v for k, v in data.items() if _valid_entry(v)} \
                    if isinstance(data, dict) else {}
        except (OSError, ValueError):  # unreadable or not ours: as if never built
            self.data = {}

    def outputs(self, edition: str) -> list[Output]:
        entry = self.data.get(edition, {})
        return [Output(**o) for o in entry.get("outputs", [])]  # type: ignore[attr-defined]

    def is_current(self, edition: str, key: str, *, strict: bool = False) -> bool:
        """The edition was built from ``key`` and its outputs are still there, unchanged;
        ``strict``: and without a warning (one it had would pass unseen, the build
        being up to date: it is built again, for ``--strict`` to fail on it)."""
        entry = self.data.get(edition)
        if not entry or entry.get("key") != key or (strict and entry.get("warned")):
            return False
        outputs = self.outputs(edition)
        return bool(outputs) and all(_unchanged(self.out_dir, o) for o in outputs)

    def update(self, edition: str, key: str, outputs: list[Output],
               pages: Mapping[str, int] | None = None, *, warned: bool = False) -> None:
        """Record an edition's key and outputs, where its anchors stand (``pages``), and
        whether its rendering warned."""
        self.data[edition] = {"key": key, "outputs": [asdict(o) for o in outputs]}
        if warned:
            self.data[edition]["warned"] = True
        if pages:
            self.data[edition]["pages"] = dict(pages)

    def pages(self, edition: str) -> dict[str, int]:
        """Where the edition's anchors stood when it was last built (empty: not known).

        Only a first guess for the page numbers it prints: the layout checks them.
        """
        pages = self.data.get(edition, {}).get("pages")
        if not isinstance(pages, dict):
            return {}
        return {k: v for k, v in pages.items()
                if isinstance(k, str) and type(v) is int and v > 0}

    def all_outputs(self) -> dict[str, Output]:
        """Every output of every edition recorded, by file name."""
        return {o.name: o for edition in self.data for o in self.outputs(edition)}

    def left_behind(self, before: Mapping[str, Output]) -> list[str]:
        """The files of ``before`` (the outputs of an earlier record) that this record no
        longer lists, of an edition removed or an output no longer made, and that are
        still as the build wrote them (one a user has changed is theirs to keep)."""
        now = self.all_outputs()
        return sorted(name for name, output in before.items()
                      if name not in now and _inside(name) and _unchanged(self.out_dir, output))

    def forget_others(self, editions: Iterable[str]) -> None:
        keep = set(editions)
        self.data = {k: v for k, v in self.data.items() if k in keep}

    def text(self) -> str:
        return json.dumps(self.data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


_OUTPUT_FIELDS = {"name": str, "edition": str, "format": str, "pages": int, "size": int,
                  "sha256": str}


def _valid_entry(entry: object) -> bool:
    """An edition's record as this version writes it: a key and well-formed outputs."""
    if not isinstance(entry, dict) or not isinstance(entry.get("key"), str):
        return False
    outputs = entry.get("outputs")
    return isinstance(outputs, list) and all(
        isinstance(o, dict) and set(o) == set(_OUTPUT_FIELDS)
        and all(type(o[k]) is t for k, t in _OUTPUT_FIELDS.items()) for o in outputs)


def _inside(name: str) -> bool:
    """A record's file name that stays in the output folder (a record is a file there that
    anyone could have edited: one naming ``../…`` retires nothing)."""
    pure = PurePosixPath(name)
    return bool(pure.parts) and not pure.is_absolute() and ".." not in pure.parts


def _unchanged(out_dir: Path, output: Output) -> bool:
    path = out_dir / output.name
    try:
        if not path.is_file() or path.stat().st_size != output.size:
            return False
        digest = hashlib.sha256()
        _hash_content(digest, path)
        return digest.hexdigest() == output.sha256
    except OSError:
        return False
