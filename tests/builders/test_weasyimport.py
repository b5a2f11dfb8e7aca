"""WeasyPrint's native libraries found from the linker's cache (builders/weasyimport.py):
the same libraries as the standard lookup, and WeasyPrint imported even when the cache
lists none of them."""

from __future__ import annotations

import ctypes.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bookbuild.builders.weasyimport import _linker_cache, _skip_unlisted

SRC = str(Path(__file__).resolve().parents[2] / "src")

# every name WeasyPrint asks ctypes for, with the standard lookup's answer, in a fresh
# process (the names are WeasyPrint's own list, whatever its version)
RECORD = """
import ctypes.util, json, sys
asked, original = [], ctypes.util.find_library
def record(name):
    found = original(name)
    asked.append((name, found))
    return found
ctypes.util.find_library = record
import weasyprint
print(json.dumps(asked))
"""

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="the linker's cache (ldconfig) is Linux's")


def test_every_name_weasyprint_tries_is_answered_as_the_standard_lookup_does() -> None:
    asked = json.loads(subprocess.run([sys.executable, "-c", RECORD], check=True,
                                      capture_output=True, text=True).stdout)
    assert len(asked) > 5 and any(found for _name, found in asked)
    listed = _linker_cache()
    assert listed
    find = _skip_unlisted(listed, ctypes.util.find_library)
    assert [(name, find(name)) for name, _ in asked] == [tuple(a) for a in asked]


def test_a_name_the_cache_does_not_list_is_not_looked_for() -> None:
    looked: list[str] = []

    def standard(name: str) -> str | None:
        looked.append(name)
        return ctypes.util.find_library(name)

    find = _skip_unlisted(b"\tlibpango-1.0.so.0 (libc6,x86-64) => /usr/lib/libpango-1.0.so.0\n",
                          standard)
    assert find("libpango-1.0-0") is None and find("pango-1.0-0") is None
    assert find("pango") is None  # "libpango." is not "libpango-1.0."
    assert looked == []
    find("pango-1.0")
    assert looked == ["pango-1.0"]


def import_in_a_fresh_process(setup: str, check: str) -> str:
    """Run ``setup`` (with ``w``, the weasyimport module), ``w.import_weasyprint()`` and
    ``check`` in a new interpreter; its output."""
    script = "\n".join([f"import sys; sys.path.insert(0, {SRC!r})",
                         "import bookbuild.builders.weasyimport as w", setup,
                         "w.import_weasyprint()", check])
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_weasyprint_is_imported_the_usual_way_when_the_cache_lists_nothing() -> None:
    """An empty cache: WeasyPrint's own names with a ".so" are opened directly."""
    shown = import_in_a_fresh_process(
        "w._linker_cache = lambda: b''",
        "import weasyprint; print('imported', weasyprint.__version__)")
    assert shown.startswith("imported ")


FAILING_DLOPEN = """
import contextlib, cffi
@contextlib.contextmanager
def failing(find):
    original = cffi.FFI.dlopen
    def dlopen(self, name, flags=0):
        raise OSError(f'cannot open {name}')
    cffi.FFI.dlopen = dlopen
    try:
        yield
    finally:
        cffi.FFI.dlopen = original
w._find_library = failing
"""


def test_a_library_missed_through_the_cache_is_found_by_importing_again() -> None:
    """The first attempt opens no library at all (as on a machine where only the compiler
    finds one): WeasyPrint is imported again the usual way, and its message for the
    failed attempt is not shown."""
    shown = import_in_a_fresh_process(
        FAILING_DLOPEN,
        "import weasyprint.text.ffi as ffi; print('imported', ffi.pango is not None)")
    assert shown == "imported True\n"
