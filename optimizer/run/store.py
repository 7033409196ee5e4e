"""Finished county results beside the output folder (``OUT.parts/``), so that an interrupted run
resumes by solving only the counties it has no result for.

Plain files only: a county's entry is a folder of the CSV and JSON files the run writes anyway
and ``manifest.json``, which names the county, the fingerprint of its input and settings, the
program version, and the SHA-256 of every file. Nothing read from here can run code (no pickle).

Whoever can write beside the output folder (a shared /tmp, a network share) could plant files
there, so the store verifies what it reads: the folder is made readable and writable by the run's
owner only, and a folder that is not (made by another user, opened to others, a link) is not used
at all; an entry whose manifest is missing or unreadable, made for other input or another version,
or whose files do not match their digests is ignored with a warning and its county solved again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..i18n import _
from ..output.files import file_digest, json_default

MANIFEST = "manifest.json"
FORMAT = "cunjing-county-store/1"
_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def entry_name(county: str) -> str:
    """A county's folder name: its id when that is a plain file name, else a digest of it."""
    if _SAFE.match(county) and ".." not in county:
        return county
    return "county-" + hashlib.sha256(county.encode()).hexdigest()[:16]


def _warn_stderr(message: str) -> None:
    print(message, file=sys.stderr)


def owned_privately(path: Path) -> bool:
    """A real folder (not a link) of this user that no one else may write in."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    if not stat.S_ISDIR(st.st_mode):
        return False
    if os.name != "posix":  # no owners to compare; the digests still catch damage
        return True
    return st.st_uid == os.getuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


class CountyStore:
    """The finished counties of a run (``OUT.parts/``), each a verified folder of plain files.

    ``out``: the run's output folder, or None for a private temporary store that no later run
    reads (the library's runs, and a store that could not be used)."""

    def __init__(
        self,
        out: Path | None,
        version: str = "",
        warn: Callable[[str], None] | None = None,
    ) -> None:
        self.warn = warn or _warn_stderr
        self.version = version
        self.resumable = out is not None
        self.folder = Path(str(Path(out)) + ".parts") if out is not None else None
        self._temporary: tempfile.TemporaryDirectory | None = None

    # --- the folder -------------------------------------------------------------------------

    def root(self) -> Path:
        """The store's folder, made if need be; a private temporary one if it cannot be trusted."""
        if self.folder is not None and self._usable():
            return self.folder
        if self._temporary is None:
            self._temporary = tempfile.TemporaryDirectory(prefix="cunjing-counties-")
        return Path(self._temporary.name)

    def _usable(self) -> bool:
        folder = self.folder
        assert folder is not None
        if not os.path.lexists(folder):
            try:
                folder.mkdir(mode=0o700, parents=False)
            except FileExistsError:
                pass
            except OSError as e:
                self.warn(
                    _(
                        "cannot keep finished counties in {folder} ({reason}): an interrupted run "
                        "will solve every county again"
                    ).format(folder=folder, reason=e.strerror)
                )
                self.folder = None
                return False
        if not owned_privately(folder):
            self.warn(
                _(
                    "{folder} is not a private folder of this user (made by someone else, a link, "
                    "or others may write in it): its files are not read, and this run keeps its "
                    "finished counties elsewhere"
                ).format(folder=folder)
            )
            self.folder = None
            return False
        return True

    def entry(self, county: str) -> Path:
        return self.root() / entry_name(county)

    # --- reading ------------------------------------------------------------------------------

    def load(self, county: str, key: str) -> tuple[Path, dict] | None:
        """The county's finished entry for this input and these settings: its folder and the
        data saved with it; None (with a warning when something was there) otherwise."""
        if self.folder is None or not self.resumable or not os.path.lexists(self.folder):
            return None
        if not self._usable():
            return None
        folder = self.entry(county)
        if not os.path.lexists(folder):
            return None
        problem = self._verify(folder, county, key)
        if isinstance(problem, dict):
            return folder, problem
        if problem:
            self.warn(
                _(
                    "county {county}: the finished result kept in {folder} is not used ({why}); "
                    "the county is solved again"
                ).format(county=county, folder=folder, why=problem)
            )
        self._remove(folder)
        return None

    def _verify(self, folder: Path, county: str, key: str) -> dict | str:
        """The entry's saved data, or why it cannot be used ("" when merely out of date)."""
        if not owned_privately(folder):
            return _("not a private folder of this user")
        try:
            manifest = json.loads((folder / MANIFEST).read_bytes())
        except (OSError, ValueError):
            return _("no readable manifest: left by a crash, or not written by cunjing")
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            return _("no readable manifest: left by a crash, or not written by cunjing")
        if manifest.get("county") != county:
            return _("written for another county")
        if manifest.get("key") != key or manifest.get("version") != self.version:
            return ""  # another input, settings or version: quietly out of date
        files = manifest.get("files")
        if not isinstance(files, dict):
            return _("no readable manifest: left by a crash, or not written by cunjing")
        for name, digest in files.items():
            path = folder / name
            if (
                not isinstance(name, str)
                or Path(name).name != name
                or not path.is_file()
                or path.is_symlink()
                or file_digest(path) != digest
            ):
                return _("the file {name} is missing or differs from what was written").format(
                    name=name
                )
        data = manifest.get("data")
        return (
            data
            if isinstance(data, dict)
            else _("no readable manifest: left by a crash, or not written by cunjing")
        )

    def foreign_files(self) -> list[Path]:
        """Files in the store that no entry of this program explains (never opened)."""
        if self.folder is None or not os.path.isdir(self.folder) or not self._usable():
            return []
        return sorted(p for p in self.folder.iterdir() if not (p.is_dir() and not p.is_symlink()))

    def finished(self, keys: dict[str, str]) -> dict[str, tuple[Path, dict]]:
        """Every county's finished entry for its key (``keys``: county → fingerprint), with a
        warning on each file that is not the store's."""
        self.warn_foreign()
        found = {c: self.load(c, key) for c, key in keys.items()}
        return {c: kept for c, kept in found.items() if kept is not None}

    def warn_foreign(self) -> None:
        for p in self.foreign_files():
            self.warn(
                _("{path} is not a file of cunjing's store: ignored, never opened").format(path=p)
            )

    # --- writing ------------------------------------------------------------------------------

    def target(self) -> StoreTarget:
        """Where county tasks put their entries (picklable: it goes to the worker processes)."""
        return StoreTarget(str(self.root()), self.version)

    def begin(self, county: str) -> Path:
        return self.target().begin(county)

    def commit(self, county: str, key: str, tmp: Path, data: dict[str, Any]) -> Path:
        return self.target().commit(county, key, tmp, data)

    def remove(self, county: str) -> None:
        self._remove(self.entry(county))

    @staticmethod
    def _remove(folder: Path) -> None:
        if folder.is_symlink():
            folder.unlink()
        else:
            shutil.rmtree(folder, ignore_errors=True)

    def clear(self) -> None:
        """The run is written: its store goes."""
        if self.folder is not None and owned_privately(self.folder):
            shutil.rmtree(self.folder, ignore_errors=True)
        if self._temporary is not None:
            self._temporary.cleanup()
            self._temporary = None


@dataclass(frozen=True)
class StoreTarget:
    """The store's folder as the county tasks write into it."""

    folder: str
    version: str

    def begin(self, county: str) -> Path:
        """A new folder inside the store for a county's files (``commit`` puts it in place)."""
        return Path(tempfile.mkdtemp(prefix=f".{entry_name(county)}-", dir=self.folder))

    def commit(self, county: str, key: str, tmp: Path, data: dict[str, Any]) -> Path:
        """Seal the files in ``tmp`` (digests, the county, the key, ``data``) and make them the
        county's entry. Returns the entry's folder."""
        entry = Path(self.folder) / entry_name(county)
        return commit_entry(tmp, entry, county, key, self.version, data)


def commit_entry(tmp: Path, entry: Path, county: str, key: str, version: str, data: dict) -> Path:
    """The manifest written last, synced, then the folder renamed into place (a crash leaves
    a ``.``-folder that no run reads, never an entry without its manifest)."""
    files = {}
    for p in sorted(tmp.iterdir()):
        if p.is_file() and p.name != MANIFEST:
            with open(p, "rb") as f:
                os.fsync(f.fileno())
            files[p.name] = file_digest(p)
    manifest = {
        "format": FORMAT,
        "county": county,
        "key": key,
        "version": version,
        "files": files,
        "data": data,
    }
    with open(tmp / MANIFEST, "w", encoding="utf-8") as f:
        json.dump(manifest, f, ensure_ascii=False, default=json_default)
        f.flush()
        os.fsync(f.fileno())
    if os.path.lexists(entry):
        CountyStore._remove(entry)
    with contextlib.suppress(OSError):
        os.chmod(tmp, 0o700)
    tmp.rename(entry)
    return entry
