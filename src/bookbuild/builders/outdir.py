"""The output folder: one build at a time, outputs staged privately and switched in whole.

A build writes into a staging folder inside the output folder (same file
system, so a rename is atomic), marked as bookbuild's from the instant it exists:
its name carries a check code of its random part (made by one ``mkdir``, so no
interruption can leave an unmarked folder of ours), and a marker file inside
says so to a person. A user's folder of a like name has no valid code and is
never touched. It then
publishes every finished file, the manifest and the build record together
under a journal: the journal lists the moves before the first one, each old
file is moved aside into the staging folder, and the journal is removed once
the last move is done; an output of the last build that this one no longer makes (its
edition removed, ``impose`` turned off) is moved aside by the same publish, unless
someone changed it since. A move that fails rolls every earlier one back; a build
killed while publishing leaves the journal, and the next build rolls its moves
back before anything else, so the folder always holds one build's outputs,
consistent with its manifest. Nothing is written through a symbolic link
inside the output folder. A lock on the output folder keeps two builds from
interleaving.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import secrets
import shutil
import signal
from collections.abc import Iterator, Sequence
from pathlib import Path, PurePosixPath
from types import FrameType

from ..errors import BookbuildError, Location

STAGING_PREFIX = ".bookbuild-staging-"
MARKER = ".bookbuild-staging"  # inside a staging folder: what makes it one
MARKER_TEXT = "a bookbuild staging folder; the next build into this folder removes it\n"
JOURNAL = ".bookbuild-journal.json"
PREVIOUS = ".previous"  # inside the staging folder: the outputs moved aside
_held: list[int] = []  # the lock's descriptor, for forked workers to close


def release_inherited_lock() -> None:
    """In a forked worker: close the parent's lock, so the lock dies with the parent."""
    while _held:
        with contextlib.suppress(OSError):
            os.close(_held.pop())


def describe_os_error(exc: OSError, what: str) -> BookbuildError:
    """A message a person understands for a failed write."""
    hints = {
        errno.ENOSPC: "free some disk space and build again; the previous outputs are intact",
        errno.EDQUOT: "free some disk space and build again; the previous outputs are intact",
        errno.EROFS: "the output folder is on a read-only file system; choose another with --out",
        errno.EACCES: "you may not write there; choose another output folder with --out",
        errno.EPERM: "you may not write there; choose another output folder with --out",
    }
    reason = exc.strerror or str(exc)
    return BookbuildError(f"cannot write {what}: {reason}",
                          hints.get(exc.errno or 0, "the previous outputs are intact"))


@contextlib.contextmanager
def locked(out_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``out_dir`` (the folder itself: no lock file is left)."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(out_dir, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        raise describe_os_error(exc, str(out_dir)) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BookbuildError(
                f"another build is writing to {out_dir}",
                "wait for it to finish, or build into another folder with --out",
            ) from None
        _held.append(fd)
        yield
    finally:
        if fd in _held:
            _held.remove(fd)
        os.close(fd)


def remove_stale_staging(out_dir: Path) -> None:
    """Undo a publish a killed build left half done, then remove the staging folders
    killed builds left behind (we hold the lock: none is live). A staging folder is
    recognised by the marker the build wrote into it, never by its name."""
    recover(out_dir)
    for child in out_dir.iterdir():
        if _is_staging(child):
            shutil.rmtree(child, ignore_errors=True)


def _is_staging(folder: Path) -> bool:
    """A staging folder of a build: by the check code in its name (how every build makes
    one), or by the marker inside (how builds before the code marked theirs)."""
    if folder.is_symlink() or not folder.is_dir():
        return False
    if staging_name(_token_of(folder.name)) == folder.name:
        return True
    marker = folder / MARKER
    try:
        return (marker.is_file() and not marker.is_symlink()
                and marker.read_text(encoding="utf-8") == MARKER_TEXT)
    except (OSError, UnicodeDecodeError):
        return False


def staging_name(token: str) -> str:
    """The staging folder name for random ``token``: prefix, token, check code."""
    check = hashlib.sha256(f"bookbuild staging folder {token}".encode()).hexdigest()[:16]
    return f"{STAGING_PREFIX}{token}-{check}"


def _token_of(name: str) -> str:
    return name.removeprefix(STAGING_PREFIX).rpartition("-")[0]


def _make_staging(out_dir: Path) -> Path:
    """A new staging folder, marked by its name from the instant ``mkdir`` makes it."""
    while True:
        folder = out_dir / staging_name(secrets.token_hex(8))
        try:
            os.mkdir(folder, 0o700)
        except FileExistsError:
            continue
        (folder / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        return folder


@contextlib.contextmanager
def staging_folder(out_dir: Path) -> Iterator[Path]:
    """A private folder for this build's outputs, removed however the build ends
    (unless a publish could not be rolled back: the next build needs what it holds)."""
    previous = signal.getsignal(signal.SIGTERM)

    def terminate(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    in_main_thread = _install(signal.SIGTERM, terminate)
    staging: Path | None = None
    try:  # an interrupt at any point, even while the folder is made, removes it
        try:
            staging = _make_staging(out_dir)
        except OSError as exc:
            raise describe_os_error(exc, str(out_dir)) from None
        yield staging
    finally:
        if staging is not None and not (out_dir / JOURNAL).exists():
            shutil.rmtree(staging, ignore_errors=True)
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)


def _install(signum: int, handler: object) -> bool:
    try:
        signal.signal(signum, handler)  # type: ignore[arg-type]
    except ValueError:  # not the main thread (e.g. the preview server's worker)
        return False
    return True


def publish(staging: Path, out_dir: Path, names: list[str],
            retire: Sequence[str] = ()) -> None:
    """Move the staged files into place and the ``retire``d ones (outputs of the last
    build that this one no longer makes) out, all of it or (after any failure) none."""
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise BookbuildError(f"two editions write the same file {repeated[0]}",
                             "give each edition its own format or name in book.yaml; "
                             "the previous outputs are intact")
    retire = [n for n in retire if n not in names and os.path.lexists(out_dir / n)]
    for name in [*names, *retire]:
        refuse_links(out_dir, name)
    moves: list[dict[str, object]] = [
        {"name": n, "existed": os.path.lexists(out_dir / n)} for n in names]
    moves += [{"name": n, "existed": True, "retired": True} for n in retire]
    try:
        _write_journal(out_dir, {"staging": staging.name, "moves": moves})
    except OSError as exc:
        raise describe_os_error(exc, str(out_dir / JOURNAL)) from None
    try:
        for move in moves:
            name = str(move["name"])
            target, backup = out_dir / name, staging / PREVIOUS / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if move["existed"]:
                backup.parent.mkdir(parents=True, exist_ok=True)
                os.replace(target, backup)
            if not move.get("retired"):
                os.replace(staging / name, target)
    except (OSError, KeyboardInterrupt) as exc:
        _roll_back(staging, out_dir, moves)
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise describe_os_error(exc, str(out_dir / str(move["name"]))) from None
    (out_dir / JOURNAL).unlink()
    for name in retire:  # the folders a retired output leaves empty (html/css …)
        _remove_empty_parents(out_dir, Path(name).parent)


def _remove_empty_parents(out_dir: Path, folder: Path) -> None:
    while folder.parts:
        try:
            (out_dir / folder).rmdir()
        except OSError:  # not empty, or not there: it stays
            return
        folder = folder.parent


def refuse_links(out_dir: Path, name: str) -> None:
    """``name`` stays inside ``out_dir``: no ``..``, and no folder on the way is a link."""
    pure = PurePosixPath(name)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts:
        raise BookbuildError(f"refusing to write {name!r} outside the output folder")
    folder = out_dir
    for part in pure.parts[:-1]:
        folder = folder / part
        if folder.is_symlink():
            raise BookbuildError(
                f"{folder} is a symbolic link; a build writes only into its output folder",
                "remove the link (the build makes a real folder in its place); the previous "
                "outputs are intact", Location(str(folder)))


def _write_journal(out_dir: Path, data: dict[str, object]) -> None:
    temporary = out_dir / (JOURNAL + ".tmp")
    try:
        with temporary.open("w", encoding="utf-8") as handle:
            json.dump(data, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, out_dir / JOURNAL)
    except OSError:
        temporary.unlink(missing_ok=True)
        raise


def _roll_back(staging: Path, out_dir: Path, moves: list[dict[str, object]]) -> None:
    """Put every old output back and take every new one out (idempotent: a killed
    roll-back is finished by the next build). The journal goes once it is done."""
    try:
        for move in reversed(moves):
            name = str(move["name"])
            target, backup = out_dir / name, staging / PREVIOUS / name
            if os.path.lexists(backup):
                os.replace(backup, target)
            elif not move["existed"] and not os.path.lexists(staging / name) \
                    and os.path.lexists(target):
                target.unlink()
        (out_dir / JOURNAL).unlink(missing_ok=True)
    except OSError:
        pass  # the journal stays; the next build finishes the roll-back


def recover(out_dir: Path) -> None:
    """Roll back a publish that a killed build left unfinished (its journal is there)."""
    journal = out_dir / JOURNAL
    try:
        data = json.loads(journal.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return
    except (OSError, ValueError):
        data = {}
    staging = out_dir / str(data.get("staging", "")) if isinstance(data, dict) else out_dir
    moves = data.get("moves", []) if isinstance(data, dict) else []
    valid = (staging.parent == out_dir and _is_staging(staging) and isinstance(moves, list)
             and all(isinstance(m, dict) and isinstance(m.get("name"), str) for m in moves))
    if valid:
        try:
            for move in moves:
                refuse_links(out_dir, move["name"])
        except BookbuildError:
            valid = False
    if valid:
        _roll_back(staging, out_dir, moves)
    else:  # not ours to follow: set it aside, touch nothing
        with contextlib.suppress(OSError):
            journal.unlink()
