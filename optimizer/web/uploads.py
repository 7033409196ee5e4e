"""Uploads, taken apart before anything reads them: a zip of CSV files (with ``geo.gpkg`` and
``policy.toml``) or one ``.xlsx`` workbook.

Refused with a message: anything but a zip or a workbook; a zip whose entries leave their folder
(``../``, absolute paths, drive letters, links) or are encrypted; an archive that inflates past the
bound (all entries together, or one entry far beyond its compressed size: a zip bomb); a workbook
with macros, ActiveX controls or external links. Entries are inflated in chunks and counted, so
an entry that lies about its size stops at the bound too; memory stays at one chunk. Nothing
from an upload is executed or unpickled: CSV and TOML are read as text, the GeoPackage by GDAL,
the workbook by openpyxl.
"""

from __future__ import annotations

import contextlib
import shutil
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..i18n import N_

CHUNK = 64 * 1024
BUNDLE_SUFFIXES = {".csv", ".gpkg", ".toml"}
# a CSV compresses 5-15x; 200x is only reached by repeated bytes made to fill memory
MAX_RATIO = 200
RATIO_FROM = 1024 * 1024  # small entries may compress any amount
MACRO_PARTS = ("vbaproject", "activex", "externallink", "macrosheets", "dialogsheets")


class UploadRefused(Exception):
    """``message`` is a message of the catalogue (marked ``N_``), formatted with ``params``
    where it is shown."""

    def __init__(self, message: str, **params: object):
        super().__init__(message)
        self.message, self.params = message, params


@dataclass(frozen=True)
class Limits:
    unpacked_bytes: int
    entries: int


def entry_name(info: zipfile.ZipInfo) -> str:
    """The entry's name; a zip made on a Chinese Windows stores GBK without the UTF-8 flag."""
    name = info.filename
    if not info.flag_bits & 0x800:
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            name = name.encode("cp437").decode("gb18030")
    return name


def safe_parts(name: str) -> tuple[str, ...]:
    """The entry's path parts, or UploadRefused when it would leave the folder."""
    clean = name.replace("\\", "/")
    path = PurePosixPath(clean)
    if (
        clean.startswith("/")
        or (len(clean) > 1 and clean[1] == ":")
        or any(p in ("..", "") for p in path.parts if p != "/")
        or "\x00" in clean
    ):
        raise UploadRefused(N_("The archive entry {name} points outside its folder."), name=name)
    return tuple(p for p in path.parts if p != ".")


def _is_link(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def check_archive(zf: zipfile.ZipFile, limits: Limits) -> list[zipfile.ZipInfo]:
    """Every entry checked by its header before any is inflated."""
    infos = zf.infolist()
    if len(infos) > limits.entries:
        raise UploadRefused(N_("The archive holds more than {n} entries."), n=limits.entries)
    declared = 0
    for info in infos:
        name = entry_name(info)
        safe_parts(name)
        if _is_link(info):
            raise UploadRefused(N_("The archive entry {name} is a link."), name=name)
        if info.flag_bits & 0x1:
            raise UploadRefused(N_("The archive entry {name} is encrypted."), name=name)
        declared += info.file_size
        if declared > limits.unpacked_bytes or (
            info.file_size > RATIO_FROM and info.file_size > MAX_RATIO * max(info.compress_size, 1)
        ):
            raise UploadRefused(
                N_("The archive inflates beyond {mb} MB (a zip bomb?)."),
                mb=limits.unpacked_bytes // (1024 * 1024),
            )
    return infos


def inflate(zf: zipfile.ZipFile, info: zipfile.ZipInfo, out, budget: list[int]) -> None:
    """Inflates one entry in chunks into ``out`` (or nowhere), spending ``budget[0]`` bytes; an
    entry longer than it said, or the budget spent, stops with UploadRefused."""
    written = 0
    try:
        with zf.open(info) as src:
            while chunk := src.read(CHUNK):
                written += len(chunk)
                budget[0] -= len(chunk)
                if written > info.file_size or budget[0] < 0:
                    raise UploadRefused(
                        N_("The archive inflates beyond its stated size (a zip bomb?).")
                    )
                if out is not None:
                    out.write(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError):
        # zipfile stops at the stated size itself; the checksum then tells the lie
        raise UploadRefused(
            N_("The archive entry {name} is damaged or not what its header says."),
            name=entry_name(info),
        ) from None


def _open_zip(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise UploadRefused(N_("The file is not a readable zip archive or workbook.")) from None


def unpack_zip(upload: Path, dest: Path, limits: Limits) -> Path:
    """The zip's bundle files into ``dest``; returns the bundle folder (the zip's own top folder
    when every file lies in one)."""
    with _open_zip(upload) as zf:
        infos = check_archive(zf, limits)
        files = [
            (info, safe_parts(entry_name(info)))
            for info in infos
            if not info.is_dir()
            and PurePosixPath(entry_name(info)).suffix.lower() in BUNDLE_SUFFIXES
            and not PurePosixPath(entry_name(info)).name.startswith(("._", "~$"))
        ]
        if not files:
            raise UploadRefused(N_("The archive holds no CSV files of a bundle."))
        tops = {parts[0] for _, parts in files if len(parts) > 1}
        strip = 1 if len(tops) == 1 and all(len(p) > 1 for _, p in files) else 0
        budget = [limits.unpacked_bytes]
        for info, parts in files:
            parts = parts[strip:]
            if len(parts) != 1:
                continue  # the bundle's files lie in one folder; deeper ones are not its own
            target = dest / parts[0]
            if target.exists():
                raise UploadRefused(N_("The archive holds {name} twice."), name=parts[0])
            with target.open("wb") as out:
                inflate(zf, info, out, budget)
    return dest


def check_workbook(upload: Path, limits: Limits) -> None:
    """A workbook is a zip too: bounded like one, and refused with macros or external links."""
    with _open_zip(upload) as zf:
        infos = check_archive(zf, limits)
        names = [entry_name(i).lower() for i in infos]
        if "[content_types].xml" not in names:
            raise UploadRefused(N_("The file is not an Excel workbook (.xlsx)."))
        for name in names:
            if any(part in name for part in MACRO_PARTS):
                raise UploadRefused(
                    N_(
                        "The workbook carries macros or external links ({name}); save it as a plain "
                        ".xlsx workbook without them."
                    ),
                    name=name,
                )
        budget = [limits.unpacked_bytes]
        for info in infos:
            inflate(zf, info, None, budget)
        types = zf.read("[Content_Types].xml").decode("utf-8", "replace").lower()
        if "macroenabled" in types or "vbaproject" in types:
            raise UploadRefused(
                N_(
                    "The workbook carries macros or external links ({name}); save it as a plain "
                    ".xlsx workbook without them."
                ),
                name="[Content_Types].xml",
            )


def unpack(upload: Path, filename: str, dest: Path, limits: Limits) -> Path:
    """The bundle of an upload, ready for the engine's loader: a folder or a workbook file."""
    suffix = Path(filename).suffix.lower()
    dest.mkdir(parents=True, exist_ok=True)
    with upload.open("rb") as f:
        magic = f.read(4)
    if magic != b"PK\x03\x04":
        raise UploadRefused(N_("Upload a zip of CSV files or an .xlsx workbook."))
    if suffix == ".xlsx":
        check_workbook(upload, limits)
        target = dest / "bundle.xlsx"
        shutil.copyfile(upload, target)
        return target
    if suffix == ".zip":
        return unpack_zip(upload, dest, limits)
    raise UploadRefused(N_("Upload a zip of CSV files or an .xlsx workbook."))
