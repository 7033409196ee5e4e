"""What one input file may hold, and opening it without trusting it.

A bundle comes from a shared folder, an e-mail or a USB stick: a pipe named ``bundle.xlsx``
blocks whoever opens it, a 3 MB workbook can unpack to gigabytes of XML, a header can have a
million columns. Only regular files are opened (a pipe, device or socket is refused before it
is read), and each file is refused, with its name and the bound, as soon as it exceeds one of
these. The bounds are those of an Excel sheet where there is one, and far above what a province's
bundle or a quarter of its work logs needs (README, "What the engine promises").
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from ..i18n import _
from .problems import BundleError

MB = 1024 * 1024
MAX_ROWS = 1_048_576  # rows of an Excel sheet
MAX_COLUMNS = 16_384  # columns of an Excel sheet (A to XFD)
MAX_CELLS = 10_000_000  # cells of one table; a province's quarter of work logs is about 6 million
MAX_TABLE_BYTES = 100 * MB  # one CSV file
MAX_WORKBOOK_BYTES = 100 * MB  # one .xlsx file as stored (compressed)
MAX_SHEETS_BYTES = 512 * MB  # the sheets of one workbook unpacked, as their archive declares
MAX_PART_BYTES = 32 * MB  # any other part of a workbook unpacked (shared strings, styles, …)
MAX_PARTS = 10_000  # files inside one workbook archive
MAX_GEO_BYTES = 512 * MB  # geo.gpkg
MAX_SMALL_BYTES = 1 * MB  # policy.toml, summary.json and the like


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return _("a folder")
    if stat.S_ISFIFO(mode):
        return _("a named pipe (FIFO)")
    if stat.S_ISSOCK(mode):
        return _("a socket")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return _("a device")
    return _("not a regular file")


def not_regular(label: str, mode: int) -> BundleError:
    return BundleError.single(
        label,
        _("this is {kind}, not a file: only regular files are read").format(kind=_kind(mode)),
    )


def too_big(label: str, size: int, limit: int) -> BundleError:
    return BundleError.single(
        label,
        _(
            "the file is {size} MB, more than the {limit} MB an input file may be: split it (work "
            "logs may be a folder of files) or check that it is the right file"
        ).format(size=_mb(size), limit=_mb(limit)),
    )


def _mb(n: int) -> str:
    return f"{n / MB:,.1f}" if n < 10 * MB else f"{n / MB:,.0f}"


def check_regular(path: Path, label: str, limit: int) -> int:
    """The size of ``path``, a regular file of at most ``limit`` bytes; BundleError otherwise.
    For readers that take a path (GDAL): ``stat`` does not block on a pipe."""
    try:
        st = os.stat(path)
    except OSError as e:
        raise BundleError.single(
            label, _("cannot read the file: {reason}").format(reason=e.strerror or e)
        ) from None
    if not stat.S_ISREG(st.st_mode):
        raise not_regular(label, st.st_mode)
    if st.st_size > limit:
        raise too_big(label, st.st_size, limit)
    return st.st_size


def open_regular(path: Path, label: str, limit: int) -> BinaryIO:
    """``path`` opened for reading, once it is known to be a regular file of at most ``limit``
    bytes. Opened without blocking and checked on the open file, so a pipe put in its place
    between a check and the open cannot block the reader."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as e:
        raise BundleError.single(
            label, _("cannot read the file: {reason}").format(reason=e.strerror or e)
        ) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise not_regular(label, st.st_mode)
        if st.st_size > limit:
            raise too_big(label, st.st_size, limit)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def read_regular(path: Path, label: str, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes (read no further than that, should
    it grow meanwhile)."""
    with open_regular(path, label, limit) as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise too_big(label, len(data), limit)
    return data
