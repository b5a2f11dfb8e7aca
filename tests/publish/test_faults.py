"""Faults lose nothing: a full disk, a read-only folder, a missing font package."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result

from conftest import digests

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("fixed_epoch")]
EDITIONS = ("-e", "booklet", "-e", "handout")




@contextlib.contextmanager
def small_disk(where: Path, size: str) -> Iterator[Path]:
    """A real file system of ``size`` mounted at ``where`` (tmpfs; needs root, as CI is)."""
    where.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs",
                              str(where)], capture_output=True)
    if mounted.returncode != 0:
        reason = f"cannot mount a small file system here: {mounted.stderr.decode()[:80]}"
        if os.environ.get("CI"):  # CI runs as root on this kind of machine: it must work
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def edit(project: Path) -> None:
    chronology = project / "manuscript" / "chronology.yaml"
    chronology.write_text(chronology.read_text(encoding="utf-8").replace(
        "akarta hallani", "akarta látni"), encoding="utf-8")


def test_full_disk_keeps_the_previous_outputs(valid_copy: Path, tmp_path: Path,
                                              cli: Callable[..., Result]) -> None:
    with small_disk(tmp_path / "disk", "2m") as disk:
        out = disk / "dist"
        assert cli("build", *EDITIONS, "-o", out, valid_copy).exit_code == 0
        before = digests(out)
        ballast = disk / "ballast"
        free = shutil.disk_usage(disk).free
        ballast.write_bytes(b"\0" * max(free - 20 * 1024, 0))  # leave 20 KiB
        edit(valid_copy)
        result = cli("build", *EDITIONS, "-o", out, valid_copy)
        assert result.exit_code == 1
        assert "No space left on device" in result.output and "Traceback" not in result.output
        assert "previous outputs are intact" in result.output
        assert digests(out) == before
        assert not list(out.glob(".bookbuild-staging-*"))
        ballast.unlink()
        assert cli("build", *EDITIONS, "-o", out, valid_copy).exit_code == 0


def test_read_only_output_folder(valid_copy: Path, tmp_path: Path,
                                 cli: Callable[..., Result]) -> None:
    with small_disk(tmp_path / "disk", "4m") as disk:
        out = disk / "dist"
        assert cli("build", *EDITIONS, "-o", out, valid_copy).exit_code == 0
        before = digests(out)
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        try:
            result = cli("build", "--force", *EDITIONS, "-o", out, valid_copy)
        finally:
            subprocess.run(["mount", "-o", "remount,rw", str(disk)], check=True)
        assert result.exit_code == 1
        assert "Read-only file system" in result.output and "Traceback" not in result.output
        assert "choose another with --out" in result.output
        assert digests(out) == before


def test_a_write_error_while_publishing_is_a_message(valid_copy: Path, tmp_path: Path,
                                                     cli: Callable[..., Result],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The same path without a small disk: the rename into place fails (EIO)."""
    import bookbuild.builders.outdir as outdir

    out = tmp_path / "dist"
    assert cli("build", *EDITIONS, "-o", out, valid_copy).exit_code == 0
    before = digests(out)

    def failing_replace(source: object, target: object) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(outdir.os, "replace", failing_replace)
    edit(valid_copy)
    result = cli("build", *EDITIONS, "-o", out, valid_copy)
    assert result.exit_code == 1
    assert "cannot write" in result.output and "Input/output error" in result.output
    assert digests(out) == before
    assert not list(out.glob(".bookbuild-staging-*"))


def test_missing_font_package_is_a_clear_message(valid_copy: Path, tmp_path: Path,
                                                 cli: Callable[..., Result],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    from bookbuild.render import fonts

    out = tmp_path / "dist"
    assert cli("build", *EDITIONS, "-o", out, valid_copy).exit_code == 0
    before = digests(out)
    real_find_spec = importlib.util.find_spec

    def without_serif(name: str, *args: object) -> object:
        return None if name == fonts.SERIF_PACKAGE else real_find_spec(name, *args)

    fonts.font_faces.cache_clear()
    monkeypatch.setattr(fonts.importlib.util, "find_spec", without_serif)
    try:
        result = cli("build", "--force", *EDITIONS, "-o", out, valid_copy)
    finally:
        fonts.font_faces.cache_clear()
    assert result.exit_code == 1
    assert "font package 'font-source-serif-pro' is not installed" in result.output
    assert "Traceback" not in result.output
    assert digests(out) == before
