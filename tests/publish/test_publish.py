"""Publishing cannot escape the output folder and cannot leave a mix of two builds.

All of a build's files, its manifest and its build record switch over together
(under a journal) or not at all; a build killed while publishing is rolled back
by the next; nothing is written through a symbolic link inside the output
folder; stale staging folders are known by the marker the build wrote in them.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from bookbuild.builders import outdir
from bookbuild.builders.cache import CACHE_FILE
from bookbuild.errors import BookbuildError
from conftest import EPOCH, SRC, digests

pytestmark = pytest.mark.usefixtures("fixed_epoch")


def consistent(out: Path) -> None:
    """Every output the manifest lists is there, with the size and digest it names."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["outputs"]
    for output in manifest["outputs"]:
        data = (out / output["name"]).read_bytes()
        assert (len(data), hashlib.sha256(data).hexdigest()) == \
            (output["size"], output["sha256"]), output["name"]
    assert not (out / outdir.JOURNAL).exists()
    assert not [p for p in out.iterdir() if outdir._is_staging(p)]


def edit(project: Path) -> None:
    chronology = project / "manuscript" / "chronology.yaml"
    chronology.write_text(chronology.read_text(encoding="utf-8").replace(
        "akarta hallani", "akarta látni"), encoding="utf-8")


def test_a_link_inside_the_output_folder_is_not_written_through(
        valid_copy: Path, tmp_path: Path, cli: Callable[..., Result]) -> None:
    out = tmp_path / "dist"
    out.mkdir()
    (out / "html").symlink_to(valid_copy / "manuscript")
    before = digests(valid_copy)
    result = cli("build", "-e", "html", "-o", out, valid_copy)
    assert result.exit_code == 1
    assert f"{out / 'html'}: error: {out / 'html'} is a symbolic link" in result.output
    assert "Traceback" not in result.output
    assert digests(valid_copy) == before
    assert sorted(p.name for p in out.iterdir()) == ["html"]


def test_a_linked_folder_deeper_down_is_refused_too(valid_copy: Path, tmp_path: Path,
                                                     cli: Callable[..., Result]) -> None:
    out = tmp_path / "dist"
    assert cli("build", "-e", "html", "-o", out, valid_copy).exit_code == 0
    before = digests(out)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "base.css").write_text("mine", encoding="utf-8")
    shutil.rmtree(out / "html" / "css")
    (out / "html" / "css").symlink_to(elsewhere)
    edit(valid_copy)
    result = cli("build", "-e", "html", "-o", out, valid_copy)
    assert result.exit_code == 1 and "is a symbolic link" in result.output
    assert (elsewhere / "base.css").read_text(encoding="utf-8") == "mine"
    assert [p.name for p in elsewhere.iterdir()] == ["base.css"]
    assert {k: v for k, v in digests(out).items() if not k.startswith("html/css")} == \
        {k: v for k, v in before.items() if not k.startswith("html/css")}


def test_a_failure_mid_publish_rolls_every_move_back(valid_copy: Path, tmp_path: Path,
                                                      cli: Callable[..., Result],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "dist"
    assert cli("build", "-e", "html", "-o", out, valid_copy).exit_code == 0
    before = digests(out)
    real_replace, calls = os.replace, []

    def failing(source: object, target: object) -> None:
        calls.append(target)
        if len(calls) == 6:  # a few files are already in place
            raise OSError(errno.EIO, "Input/output error")
        real_replace(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr(outdir.os, "replace", failing)
    edit(valid_copy)
    result = cli("build", "-e", "html", "-o", out, valid_copy)
    assert result.exit_code == 1 and "Input/output error" in result.output
    assert "Traceback" not in result.output
    assert len(calls) > 6  # the roll-back moved the old files back
    assert digests(out) == before
    consistent(out)
    monkeypatch.setattr(outdir.os, "replace", real_replace)
    assert cli("build", "-e", "html", "-o", out, valid_copy).exit_code == 0
    consistent(out)
    assert "akarta látni" in (out / "html" / "index.html").read_text(encoding="utf-8")


KILLED_BUILD = """
import io, os, sys
from pathlib import Path
import bookbuild.builders.outdir as outdir
real, calls = os.replace, []
def dying(source, target):
    calls.append(target)
    if len(calls) == 5:
        os._exit(9)  # killed: no clean-up runs
    real(source, target)
outdir.os.replace = dying
from bookbuild.commands.build import build
build(Path(sys.argv[1]), editions=["html"], out=Path(sys.argv[2]), err=io.StringIO(), jobs=1)
"""


def test_a_build_killed_mid_publish_is_rolled_back_by_the_next(
        valid_copy: Path, tmp_path: Path, cli: Callable[..., Result]) -> None:
    out = tmp_path / "dist"
    assert cli("build", "-e", "html", "-o", out, valid_copy).exit_code == 0
    before = digests(out)
    edit(valid_copy)
    killed = subprocess.run([sys.executable, "-c", KILLED_BUILD, str(valid_copy), str(out)],
                            env={**os.environ, "PYTHONPATH": str(SRC),
                                 "SOURCE_DATE_EPOCH": EPOCH})
    assert killed.returncode == 9
    assert (out / outdir.JOURNAL).exists()  # a mix is on disk, and the journal says so
    mixed = {k: v for k, v in digests(out).items() if not k.startswith(".bookbuild-staging")}
    assert mixed != before
    outdir.remove_stale_staging(out)  # what the next build does first
    assert digests(out) == before
    consistent(out)
    result = cli("build", "-e", "html", "-o", out, valid_copy)
    assert result.exit_code == 0, result.output
    consistent(out)


def test_two_editions_writing_the_same_file_are_refused_by_check(
        valid_copy: Path, tmp_path: Path, cli: Callable[..., Result]) -> None:
    out = tmp_path / "dist"
    assert cli("build", "-e", "html", "-o", out, valid_copy).exit_code == 0
    before = digests(out)
    book = valid_copy / "manuscript" / "book.yaml"
    text = book.read_text(encoding="utf-8")
    book.write_text(text + "  web: {format: html, layout: html}\n"
                    "  e2: {format: epub, layout: epub}\n", encoding="utf-8")
    lines = book.read_text(encoding="utf-8").splitlines()
    web_line = next(i for i, line in enumerate(lines, 1) if line.startswith("  web:"))
    result = cli("check", valid_copy)
    assert result.exit_code == 1
    assert (f"manuscript/book.yaml:{web_line}:3: error: editions 'html' and 'web' both "
            "write html") in result.output, result.output
    assert "editions 'epub' and 'e2' both write probakonyv.epub" in result.output
    result = cli("build", "-e", "html", "-e", "web", "-o", out, valid_copy)
    assert result.exit_code == 1
    assert digests(out) == before
    consistent(out)


def test_publish_refuses_one_name_twice_before_moving_anything(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    out.mkdir()
    (out / "a.pdf").write_text("old", encoding="utf-8")
    with outdir.staging_folder(out) as staging:
        (staging / "a.pdf").write_text("new", encoding="utf-8")
        with pytest.raises(BookbuildError, match=r"two editions write the same file a\.pdf"):
            outdir.publish(staging, out, ["a.pdf", "a.pdf"])
    assert (out / "a.pdf").read_text(encoding="utf-8") == "old"
    for name in ("../x", "/etc/x"):
        with pytest.raises(BookbuildError, match="outside the output folder"):
            outdir.refuse_links(out, name)


def test_stale_staging_is_known_by_its_marker_not_its_name(valid_copy: Path, tmp_path: Path,
                                                           cli: Callable[..., Result]) -> None:
    out = tmp_path / "dist"
    mine = out / ".bookbuild-staging-mine"
    mine.mkdir(parents=True)
    (mine / "notes.txt").write_text("keep me", encoding="utf-8")
    fake = out / ".bookbuild-staging-fake"
    fake.mkdir()
    (fake / outdir.MARKER).write_text("not the build's words", encoding="utf-8")
    stale = out / "left-by-a-killed-build"
    stale.mkdir()
    (stale / outdir.MARKER).write_text(outdir.MARKER_TEXT, encoding="utf-8")
    (stale / "half.pdf").write_bytes(b"%PDF")
    assert cli("build", "-e", "html", "-o", out, valid_copy).exit_code == 0
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "keep me"
    assert fake.is_dir()
    assert not stale.exists()
    consistent(out)


# A build killed (SIGKILL: no clean-up runs) at each step of making its staging folder.
KILL_AT = {
    "after mkdir": "real_mkdir(*args, **kwargs); kill()",
    "while writing the marker": "real_mkdir(*args, **kwargs); patch_write()",
    "after the marker": "real_mkdir(*args, **kwargs); patch_write(after=True)",
}
KILLER = """
import os, signal, sys
from pathlib import Path
from bookbuild.builders import outdir
from bookbuild.builders.cache import CACHE_FILE

def kill():
    os.kill(os.getpid(), signal.SIGKILL)

real_mkdir, real_write = os.mkdir, Path.write_text

def patch_write(after=False):
    def write(self, text, *args, **kwargs):
        if after:
            real_write(self, text, *args, **kwargs)
        else:
            with open(self, "w", encoding="utf-8") as handle:
                handle.write(text[:5])
        kill()
    Path.write_text = write

def mkdir(*args, **kwargs):
    {step}

os.mkdir = mkdir
out = Path(sys.argv[1])
with outdir.locked(out), outdir.staging_folder(out):
    pass
"""


@pytest.mark.parametrize("step", sorted(KILL_AT))
def test_a_build_killed_while_making_its_staging_folder_leaves_nothing_for_long(
        tmp_path: Path, step: str) -> None:
    out = tmp_path / "dist"
    out.mkdir()
    mine = out / ".bookbuild-staging-mine"  # a user's folders of like names, kept
    mine.mkdir()
    empty = out / outdir.staging_name("0123456789abcdef")[:-1]  # one character short
    empty.mkdir()
    killed = subprocess.run([sys.executable, "-c", KILLER.replace("{step}", KILL_AT[step]),
                             str(out)], env={**os.environ, "PYTHONPATH": str(SRC)},
                            capture_output=True, check=False)
    assert killed.returncode == -9, killed.stderr.decode()
    left = sorted(p.name for p in out.iterdir() if p not in (mine, empty))
    assert len(left) == 1 and left[0].startswith(outdir.STAGING_PREFIX), left
    assert outdir._is_staging(out / left[0])  # ours from the instant it exists
    with outdir.locked(out):
        outdir.remove_stale_staging(out)  # what the next build does first
    assert sorted(out.iterdir()) == sorted([mine, empty])


def test_a_staging_folder_is_known_by_the_check_code_in_its_name(tmp_path: Path) -> None:
    name = outdir.staging_name("00ff00ff00ff00ff")
    ours, forged = tmp_path / name, tmp_path / (name[:-1] + ("0" if name[-1] != "0" else "1"))
    for folder in (ours, forged):
        folder.mkdir()
    assert outdir._is_staging(ours) and not outdir._is_staging(forged)
    link = tmp_path / outdir.staging_name("11ff00ff00ff00ff")
    link.symlink_to(forged)
    assert not outdir._is_staging(link)
    with outdir.staging_folder(tmp_path) as staging:
        assert outdir._is_staging(staging) and staging.parent == tmp_path
        assert (staging / outdir.MARKER).read_text(encoding="utf-8") == outdir.MARKER_TEXT
    assert not staging.exists()


def drop_edition(project: Path, edition: str) -> None:
    book = project / "manuscript" / "book.yaml"
    lines = book.read_text(encoding="utf-8").splitlines(keepends=True)
    book.write_text("".join(x for x in lines if not x.lstrip().startswith(f"{edition}:")),
                    encoding="utf-8")


def test_the_files_of_an_edition_removed_leave_the_folder(valid_copy: Path, tmp_path: Path,
                                                          cli: Callable[..., Result]) -> None:
    """The folder holds what its manifest lists: an edition taken out of book.yaml takes
    its files with it at the next build (a teacher must not hand out a stale PDF)."""
    out = tmp_path / "dist"
    assert cli("build", "-e", "html", "-e", "epub", "-o", out, valid_copy).exit_code == 0
    assert (out / "probakonyv.epub").is_file()
    (out / "notes-of-mine.txt").write_text("not bookbuild's", encoding="utf-8")
    drop_edition(valid_copy, "epub")
    assert cli("build", "-e", "html", "-o", out, valid_copy).exit_code == 0
    assert not (out / "probakonyv.epub").exists()
    consistent(out)
    listed = {o["name"] for o in json.loads((out / "manifest.json").read_text())["outputs"]}
    on_disk = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()}
    assert on_disk == listed | {"manifest.json", CACHE_FILE, "notes-of-mine.txt"}


def test_an_old_output_someone_changed_is_theirs_to_keep(valid_copy: Path, tmp_path: Path,
                                                         cli: Callable[..., Result]) -> None:
    out = tmp_path / "dist"
    assert cli("build", "-e", "html", "-e", "epub", "-o", out, valid_copy).exit_code == 0
    (out / "probakonyv.epub").write_bytes(b"my own notes, saved over it")
    drop_edition(valid_copy, "epub")
    assert cli("build", "-e", "html", "-o", out, valid_copy).exit_code == 0
    assert (out / "probakonyv.epub").read_bytes() == b"my own notes, saved over it"


def test_a_failed_publish_puts_a_retired_output_back(valid_copy: Path, tmp_path: Path,
                                                     cli: Callable[..., Result],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "dist"
    assert cli("build", "-e", "html", "-e", "epub", "-o", out, valid_copy).exit_code == 0
    before = digests(out)
    real_replace = os.replace
    retired: list[object] = []

    def failing(source: object, target: object) -> None:
        if Path(str(source)) == out / "probakonyv.epub":
            retired.append(source)
            raise OSError(errno.EIO, "Input/output error")
        real_replace(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr(outdir.os, "replace", failing)
    drop_edition(valid_copy, "epub")
    result = cli("build", "-e", "html", "-o", out, valid_copy)
    assert result.exit_code == 1 and "Input/output error" in result.output
    assert retired and digests(out) == before
    consistent(out)


def test_a_record_naming_a_file_outside_the_folder_retires_nothing(
        valid_copy: Path, tmp_path: Path, cli: Callable[..., Result]) -> None:
    """The build record is a file in the output folder: one edited to list ``../…`` (with
    the right digest) neither moves that file nor stops the build."""
    out = tmp_path / "dist"
    assert cli("build", "-e", "html", "-o", out, valid_copy).exit_code == 0
    outside = tmp_path / "precious.txt"
    outside.write_text("keep me", encoding="utf-8")
    record = json.loads((out / CACHE_FILE).read_text(encoding="utf-8"))
    record["ghost"] = {"key": "x", "outputs": [{
        "name": "../precious.txt", "edition": "ghost", "format": "pdf", "pages": 1,
        "size": outside.stat().st_size,
        "sha256": hashlib.sha256(outside.read_bytes()).hexdigest()}]}
    (out / CACHE_FILE).write_text(json.dumps(record), encoding="utf-8")
    edit(valid_copy)
    result = cli("build", "-e", "html", "-o", out, valid_copy)
    assert result.exit_code == 0, result.output
    assert outside.read_text(encoding="utf-8") == "keep me"
    consistent(out)
