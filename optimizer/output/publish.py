"""Writing an output folder safely: all files or none.

Files are written into a temporary folder beside the target and moved into place in one rename
once complete. A folder already at the target is never half-overwritten: it is renamed to a dated
backup (``plan.backup-20270105T093000``) just before the new one takes its place, and the command
says so. A crash or Ctrl-C mid-write leaves the old folder untouched and at most a ``.tmp-`` folder.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from ..i18n import _

Writer = Callable[[Path], None]


class OutputError(Exception):
    """The output folder cannot be written where asked."""


def check_target(out: Path, inputs: list[Path]) -> None:
    """Refuse, before any work, a target that would move the input or the current folder
    aside, or that cannot be written: a file in its place or on its way, a folder without the
    right to write in it (tried, not guessed from the permission bits: a read-only disk or an
    administrator's folder refuses root too)."""
    out = Path(out)
    target = out.resolve()
    if target == Path.cwd().resolve() or target in Path.cwd().resolve().parents:
        raise OutputError(
            _("{out}: write the plan into a folder of its own, not the current one").format(out=out)
        )
    for p in inputs:
        if p is None:
            continue
        src = Path(p).resolve()
        if target == src or target in src.parents:
            raise OutputError(
                _("{out}: the output folder would hold the input bundle {bundle}").format(
                    out=out, bundle=p
                )
            )
    if out.exists() and not out.is_dir():
        raise OutputError(_("{out}: exists and is not a folder").format(out=out))
    # the folder the temporary folder goes into: the target's parent, or the nearest folder
    # above it that exists (the rest is made on writing)
    above = target.parent
    while not above.exists():
        above = above.parent
    if not above.is_dir():
        raise OutputError(
            _("{out}: {path} is a file, so no folder can be made under it").format(
                out=out, path=above
            )
        )
    try:
        probe = tempfile.mkdtemp(prefix=".cunjing-probe-", dir=above)
        os.rmdir(probe)
    except OSError as e:
        raise OutputError(
            _("{out}: cannot write in {path}: {reason}").format(
                out=out, path=above, reason=e.strerror or e
            )
        ) from None


def publish(out: Path, write: Writer, inputs: list[Path] | None = None) -> Path | None:
    """Run ``write(tmp)`` to fill a temporary folder, then move it to ``out``.

    Returns the backup path when a previous folder was kept aside, else None.
    """
    out = Path(out)
    check_target(out, inputs or [])
    parent = out.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{out.name}-", dir=parent))
    try:
        write(tmp)
        for f in tmp.rglob("*"):
            if f.is_file():
                with open(f, "rb") as fh:
                    os.fsync(fh.fileno())
        backup = None
        if out.exists():
            if any(out.iterdir()):
                stamp = time.strftime("%Y%m%dT%H%M%S")
                backup = out.with_name(f"{out.name}.backup-{stamp}")
                n = 1
                while backup.exists():
                    n += 1
                    backup = out.with_name(f"{out.name}.backup-{stamp}-{n}")
                out.rename(backup)
            else:
                out.rmdir()
        tmp.rename(out)
        return backup
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
