"""A reproducible OCF container: the same files give the same bytes, whenever they are zipped.

ebooklib writes a correct container but stamps every entry with the time of the build.
:func:`rewrite_container` copies its entries into a new ZIP with ``mimetype`` first and
stored, the other entries deflated in the order they came, one fixed timestamp and fixed
permissions, and no extra fields.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

MIMETYPE = "mimetype"
ZIP_EPOCH = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)  # the earliest time ZIP can say
FILE_MODE = 0o100644  # a regular file, rw-r--r--


def zip_time(moment: dt.datetime | None) -> tuple[int, int, int, int, int, int]:
    """The ZIP timestamp of ``moment`` in UTC (1980-01-01 when none, or earlier)."""
    when = max(moment or ZIP_EPOCH, ZIP_EPOCH).astimezone(dt.UTC)
    return (when.year, when.month, when.day, when.hour, when.minute, when.second & ~1)


def rewrite_container(data: bytes, target: Path, moment: dt.datetime | None) -> None:
    """Write the EPUB ``data`` to ``target`` as a reproducible container."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        entries = [(info.filename, source.read(info)) for info in source.infolist()
                   if not info.is_dir()]
    names = [name for name, _ in entries]
    if len(set(names)) != len(names):
        raise ValueError("duplicate entries in the EPUB container")
    entries.sort(key=lambda entry: entry[0] != MIMETYPE)  # stable: the rest keep their order
    stamp = zip_time(moment)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as container:
        for name, content in entries:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.create_system = 3  # unix, so that the permissions below are read
            info.external_attr = FILE_MODE << 16
            if name == MIMETYPE:
                info.compress_type = zipfile.ZIP_STORED
                container.writestr(info, content)
            else:
                info.compress_type = zipfile.ZIP_DEFLATED
                container.writestr(info, content, compresslevel=9)
    target.write_bytes(out.getvalue())
