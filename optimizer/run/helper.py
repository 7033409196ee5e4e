"""A second process for the core that a one-county plan leaves idle.

``cunjing plan`` on one county solves on one core. The helper is forked once the bundle is read
(before any solver has started a thread), so it has the modules and the bundle at once; on the
idle core it does what it is asked, one request at a time: place the auxiliaries (which do not
depend on the officers' plan) while the officers are solved, and write the page and the notice
while this process writes the workbook and the GeoPackage. A helper spawned instead (a new
interpreter that imports the modules and reads the bundle again) had the sample county's
auxiliaries 0.4 s after the officers; spawned earlier, its imports slowed this process's by
30-60 % (two imports at once on this machine's two cores).

A request names the bundle's fingerprint; a helper whose bundle differs (the files changed in
between) declines. Whatever goes wrong there (declined, a failure, the process dies) only means
this process does the work itself, so errors surface exactly as without the helper.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..input.instance import Instance


class HelperProcess:
    """A process that answers requests (``ask``, then ``answer``) on ``inst``, the bundle this
    process has read: forked on Linux, else spawned to read ``bundle`` again."""

    def __init__(self, bundle: str | Path | None, inst: Instance | None = None) -> None:
        # fork on Linux only (macOS's system libraries are not safe to fork once loaded)
        fork = inst is not None and sys.platform.startswith("linux")
        ctx = mp.get_context("fork" if fork else "spawn")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(
            target=_serve, args=(child, inst if fork else None, bundle), daemon=True
        )
        self._proc.start()
        child.close()
        self._waiting = False

    @property
    def alive(self) -> bool:
        return self._proc.is_alive()

    def ask(self, kind: str, fingerprint: str, payload: Any) -> bool:
        """Send a request ("auxiliaries" or "reports"); False if the helper cannot take it."""
        if self._waiting or self._conn.closed or not self.alive:
            return False
        try:
            self._conn.send((kind, fingerprint, payload))
        except OSError:  # the helper is gone
            return False
        self._waiting = True
        return True

    def answer(self) -> Any | None:
        """Wait for the answer to the request sent; None if the helper could not do it."""
        if not self._waiting:
            return None
        self._waiting = False
        try:
            while not self._conn.poll(0.2):
                if not self.alive and not self._conn.poll(0):  # died without a word
                    return None
            return self._conn.recv()
        except (EOFError, OSError):
            return None

    def close(self) -> None:
        if not self._conn.closed:
            self._conn.close()
        if self._proc.is_alive():
            self._proc.kill()
        self._proc.join()

    def __enter__(self) -> HelperProcess:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def helper_wanted(jobs: int, scheduler: str | None, counties: int = 1) -> bool:
    """A helper pays when one county is planned in this process and a core is free meanwhile
    (several counties go to as many worker processes as there are cores)."""
    return not scheduler and jobs <= 1 and counties == 1 and (os.cpu_count() or 1) > 1


def _serve(conn, inst: Instance | None, bundle: str | Path | None) -> None:
    from .executor import exit_with_parent

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a forked copy of the main's handler: not ours
    exit_with_parent()  # never left behind (about 0.9 GB) when the main process is killed
    with contextlib.suppress(OSError):
        os.nice(5)  # where it shares a core, the main process's work comes first
    if inst is None:
        try:
            from ..input.bundle import load_bundle

            inst = load_bundle(bundle)
        except Exception:  # any failure: the main process does the work itself
            inst = None
    while True:
        try:
            kind, fingerprint, payload = conn.recv()
        except (EOFError, OSError):
            return
        done = None
        if inst is not None and inst.fingerprint == fingerprint:
            try:
                done = _do(inst, kind, payload)
            except Exception:  # the main process does it and meets the error itself
                done = None
        try:
            conn.send(done)
        except OSError:  # the main process is gone
            return


def _do(inst, kind: str, payload: Any) -> Any:
    if kind == "auxiliaries":
        from .annual import place_auxiliaries

        counties, options = payload
        return place_auxiliaries(inst, counties, options)
    if kind == "reports":
        from ..reports.write import write_reports

        folder, out, names = payload
        return [p.name for p in write_reports(Path(folder), inst, Path(out), only=names)]
    raise ValueError(f"unknown request {kind!r}")
