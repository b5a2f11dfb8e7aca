"""WeasyPrint imported without a compiler run for every name of a native library it tries.

WeasyPrint (70, ``text/ffi.py``) opens GLib, Pango, HarfBuzz and fontconfig by trying
several names for each, the Windows and macOS ones too; cffi hands a name that is no
file to ``ctypes.util.find_library``, which on Linux runs ``ldconfig -p``, then ``gcc``
and ``ld`` for every name the linker's cache does not list. That is 22 lookups, 16 of
them misses: a third of WeasyPrint's import (measured: 0.32 of 0.88 s), paid by every
build before its first page.

Here a name the linker's cache (read once) does not mention is a miss at once; any
other is looked up as before. If WeasyPrint then finds no library at all (one that only
``gcc`` or ``ld`` would have found), it is imported once more the usual way.
"""

from __future__ import annotations

import contextlib
import ctypes.util
import io
import re
import subprocess
import sys
from collections.abc import Callable, Iterator

__all__ = ["import_weasyprint"]

_LDCONFIG = "/sbin/ldconfig"


def import_weasyprint() -> None:
    """Import WeasyPrint (once per process), its libraries found from the linker's cache."""
    if "weasyprint" in sys.modules:
        return
    listed = _linker_cache()
    if listed is not None:
        # WeasyPrint prints why it found no library ("could not import some external
        # libraries"): shown, if need be, by the usual import below, not by this attempt
        try:
            with _find_library(_skip_unlisted(listed, ctypes.util.find_library)), \
                    contextlib.redirect_stdout(io.StringIO()):
                import weasyprint
            return
        except OSError:
            for name in [m for m in sys.modules if m.split(".")[0] == "weasyprint"]:
                del sys.modules[name]
    import weasyprint  # noqa: F401 - the usual way: its errors are WeasyPrint's own


def _linker_cache() -> bytes | None:
    """``ldconfig -p``: every library the dynamic linker's cache lists (None: no cache)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return subprocess.run([_LDCONFIG, "-p"], capture_output=True, check=True, timeout=10,
                              stdin=subprocess.DEVNULL, env={"LC_ALL": "C", "LANG": "C"}).stdout
    except (OSError, subprocess.SubprocessError):
        return None


def _skip_unlisted(listed: bytes,
                   find: Callable[[str], str | None]) -> Callable[[str], str | None]:
    """``find``, but None at once for a name no library of ``listed`` could be: the
    standard lookup matches ``lib<name>.…`` in the same list, so it would fail there
    and go on to the compiler."""

    def find_library(name: str) -> str | None:
        pattern = rb"\slib" + re.escape(name.encode()) + rb"\.\S+\s"
        return find(name) if re.search(pattern, listed) else None

    return find_library


@contextlib.contextmanager
def _find_library(find: Callable[[str], str | None]) -> Iterator[None]:
    original = ctypes.util.find_library
    setattr(ctypes.util, "find_library", find)  # noqa: B010 - a function typed as its own
    try:
        yield
    finally:
        setattr(ctypes.util, "find_library", original)  # noqa: B010
