"""A second process that writes part of the reports while this one writes the rest.

``cunjing plan`` on one county leaves a core idle while it solves. The helper is started (spawned:
a clean interpreter, no forked solver threads) before the solve; on that free core it imports the
report modules and loads the same bundle. When the plan files are written, it makes report.html
and the public notice while this process makes the workbook and the GeoPackage.

Whatever goes wrong there (the bundle changed on disk, a writer fails, the process dies) only
means this process writes those files itself, so errors surface exactly as without the helper.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import signal
from pathlib import Path

from .report_folder import HTML_FILE, NOTICE_FILE

# the reports the helper writes (on the sample county about as long as the other two together)
AWAY = (HTML_FILE, NOTICE_FILE)


class ReportHelper:
    """A spawned process that writes some reports of a plan folder on request (once)."""

    def __init__(self, bundle: str | Path | None, fingerprint: str) -> None:
        ctx = mp.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(
            target=_serve, args=(child, bundle, fingerprint), daemon=True, name="cunjing-reports"
        )
        self._proc.start()
        child.close()
        self.asked: tuple[str, ...] = ()

    def ask(self, folder: Path, out: Path, names: tuple[str, ...] = AWAY) -> tuple[str, ...]:
        """Ask for ``names`` of the plan in ``folder`` to be written into ``out``."""
        if self._conn.closed or not self.alive:
            return ()
        try:
            self._conn.send((str(folder), str(out), names))
        except OSError:  # the helper is gone: nothing was asked
            return ()
        self.asked = names
        return names

    def written(self) -> list[str] | None:
        """Wait for the helper: the names it wrote (a report with nothing to show is not
        written), or None if it could not do what was asked."""
        if not self.asked:
            return None
        try:
            while not self._conn.poll(0.2):
                if not self.alive and not self._conn.poll(0):  # died without a word
                    return None
            return self._conn.recv()
        except (EOFError, OSError):
            return None

    @property
    def alive(self) -> bool:
        return self._proc.is_alive()

    def close(self) -> None:
        if not self._conn.closed:
            self._conn.close()
        if self._proc.is_alive():
            self._proc.kill()
        self._proc.join()

    def __enter__(self) -> ReportHelper:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def helper_wanted(jobs: int, scheduler: str | None) -> bool:
    """A helper pays when a core is free while the counties are solved."""
    return not scheduler and jobs < (os.cpu_count() or 1)


def _serve(conn, bundle: str | Path | None, fingerprint: str) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle
    inst = None
    try:
        from .bundle import load_bundle
        from .reports import write_reports

        inst = load_bundle(bundle)
        if inst.fingerprint != fingerprint:  # the bundle changed since the main process read it
            inst = None
    except Exception:
        inst = None
    try:
        folder, out, names = conn.recv()
    except (EOFError, OSError):
        return
    done: list[str] | None = None
    if inst is not None:
        try:
            done = [p.name for p in write_reports(Path(folder), inst, Path(out), only=names)]
        except Exception:
            done = None
    with contextlib.suppress(OSError):  # the main process is gone
        conn.send(done)
