"""Where a project's layouts are found: its own ``layouts/`` first, then bookbuild's own.

Plain paths, without the renderer: a build with nothing to do reads them for its cache keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

PACKAGE_LAYOUTS = Path(__file__).resolve().parent.parent / "_layouts"
SOURCE_LAYOUTS = Path(__file__).resolve().parents[3] / "layouts"


def builtin_layouts() -> Path:
    """bookbuild's own layouts: packaged in a wheel, or the repository's in a checkout."""
    return PACKAGE_LAYOUTS if PACKAGE_LAYOUTS.is_dir() else SOURCE_LAYOUTS


def layout_dirs(project_layouts: Path | None) -> list[Path]:
    """The project's layouts first (they override), then bookbuild's own."""
    dirs = [project_layouts] if project_layouts and project_layouts.is_dir() else []
    builtin = builtin_layouts()
    if builtin not in dirs:
        dirs.append(builtin)
    return dirs


def stylesheet_paths(dirs: Sequence[Path], layout: str) -> list[Path]:
    """The base stylesheet, then the layout's own, each from the first folder that has it."""
    found = []
    for name in ("base.css", f"{layout}.css"):
        path = next((d / "css" / name for d in dirs if (d / "css" / name).is_file()), None)
        if path is not None:
            found.append(path)
    return found
