"""The output folder: one build at a time, outputs staged privately and moved in whole.

A build writes into a hidden staging folder inside the output folder (same file
system, so a rename is atomic), then renames each finished file into place.
The previous outputs stay as they were until their replacement is complete; a
failed or interrupted build removes its staging folder, and one killed outright
leaves a staging folder that the next build removes. A lock on the output
folder keeps two builds from interleaving.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

from ..errors import BookbuildError

STAGING_PREFIX = ".bookbuild-staging-"
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
    """Remove staging folders a killed build left behind (we hold the lock: none is live)."""
    for stale in out_dir.glob(STAGING_PREFIX + "*"):
        shutil.rmtree(stale, ignore_errors=True)


@contextlib.contextmanager
def staging_folder(out_dir: Path) -> Iterator[Path]:
    """A private folder for this build's outputs, removed however the build ends."""
    try:
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out_dir))
    except OSError as exc:
        raise describe_os_error(exc, str(out_dir)) from None
    previous = signal.getsignal(signal.SIGTERM)

    def terminate(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    in_main_thread = _install(signal.SIGTERM, terminate)
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)


def _install(signum: int, handler: object) -> bool:
    try:
        signal.signal(signum, handler)  # type: ignore[arg-type]
    except ValueError:  # not the main thread (e.g. the preview server's worker)
        return False
    return True


def publish(staging: Path, out_dir: Path, names: list[str]) -> None:
    """Move the staged files into place, each with one rename."""
    for name in names:
        source = staging / name
        target = out_dir / name
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
        except OSError as exc:
            raise describe_os_error(exc, str(target)) from None
