"""Builds do not depend on the machine's fonts: WeasyPrint sees the bundled ones only.

The machine gets an extra font (the bundled sans renamed "BB Serif", the family the
book's stylesheets ask for, the way a package's font would shadow one) in the user's
font folder, where fontconfig's default configuration looks; the PDF comes out with
the same bytes as on the untouched machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bookbuild.render.fonts import font_faces, private_fontconfig
from conftest import EPOCH, SRC, VALID

pytestmark = pytest.mark.slow

BUILD = """
import io, sys
from pathlib import Path
from bookbuild.commands.build import build
if sys.argv[3] == "unisolated":
    import bookbuild.render.fonts as fonts
    fonts.private_fontconfig = lambda: None
build(Path(sys.argv[1]), editions=["handout"], out=Path(sys.argv[2]), err=io.StringIO(), jobs=1)
"""


def shadowing_font(folder: Path) -> None:
    from fontTools.ttLib import TTFont

    sans = next(f for f in font_faces() if f.family == "BB Sans" and f.style == "normal"
                and f.weight == 400)
    font = TTFont(sans.path)
    for record in font["name"].names:
        if record.nameID in (1, 4, 16):
            record.string = "BB Serif"
        elif record.nameID == 6:
            record.string = "BBSerif-Regular"
    folder.mkdir(parents=True)
    font.save(folder / "BBSerif-Regular.ttf")


def build(out: Path, env: dict[str, str], mode: str = "isolated") -> bytes:
    machine = {k: v for k, v in os.environ.items()  # as a fresh shell has it: this test
               if k not in ("FONTCONFIG_FILE", "FONTCONFIG_PATH")}  # process may have set it
    subprocess.run([sys.executable, "-c", BUILD, str(VALID), str(out), mode], check=True,
                   env={**machine, "PYTHONPATH": str(SRC), "SOURCE_DATE_EPOCH": EPOCH, **env})
    return (out / "probakonyv-handout.pdf").read_bytes()


def test_extra_machine_fonts_do_not_change_the_bytes(tmp_path: Path) -> None:
    home = tmp_path / "home"
    shadowing_font(home / ".local" / "share" / "fonts")
    machine = {"HOME": str(home), "XDG_DATA_HOME": str(home / ".local" / "share")}
    default = build(tmp_path / "default", {})
    assert build(tmp_path / "extra", machine) == default
    # the extra font matters to fontconfig's own configuration: it is what is kept out
    assert build(tmp_path / "unisolated", machine, "unisolated") != default


def test_the_private_configuration_lists_the_bundled_folders_only() -> None:
    conf = private_fontconfig().read_text(encoding="utf-8")
    dirs = {line.strip()[5:-6] for line in conf.splitlines() if line.strip().startswith("<dir>")}
    assert dirs == {str(f.path.parent) for f in font_faces()}
    assert "<include" not in conf  # no system configuration pulled in
    assert os.environ["FONTCONFIG_FILE"] == str(private_fontconfig())
