"""Counties solved side by side: worker processes on this machine, or the user's Dask cluster.

A county owns its officers and auxiliaries, so a city or province plan is many independent
county tasks and a merge. The tasks' results are kept in the plain-file store of ``run.store``
(keyed by a fingerprint of the county's input and the run's settings), so an interrupted run, or
one that lost a worker, resumes by solving only the counties it has no result for.

Worker processes never outlive their parent: each one asks the kernel for SIGKILL when its parent
dies (Linux) and watches its parent besides (everywhere), so that a parent killed outright (kill
-9, the OOM killer) leaves no solver behind; and a SIGTERM or Ctrl-C to the parent stops the
counties under way, which return their best plan.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import hashlib
import multiprocessing as mp
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import BrokenExecutor
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd

from ..i18n import _, pgettext
from ..input.instance import Instance

# Dask: how often a county task that raised is tried again (a worker that dies is not a raise:
# the scheduler gives its task to another worker by itself)
DASK_RETRIES = 2


class InlineExecutor(cf.Executor):
    """Runs each task at once in this process (one county at a time, no pickling)."""

    def submit(self, fn, /, *args, **kwargs):
        f: cf.Future = cf.Future()
        try:
            f.set_result(fn(*args, **kwargs))
        except BaseException as e:  # handed to the caller through the future, as pools do
            f.set_exception(e)
        return f


@contextmanager
def county_executor(jobs: int = 1, scheduler: str | None = None) -> Iterator[cf.Executor]:
    """``scheduler`` "tcp://host:port": the user's Dask cluster (we only connect); else ``jobs``
    worker processes on this machine; one job runs in this process."""
    if scheduler:
        from distributed import Client

        client = Client(scheduler, timeout="30s")
        try:
            ex = client.get_executor(retries=DASK_RETRIES, pure=False)
            # one county a worker thread at a time (see solve_counties)
            ex.slots = max(1, sum(client.nthreads().values()))  # type: ignore[attr-defined]
            yield ex
        finally:
            client.close()
    elif jobs <= 1:
        yield InlineExecutor()
    else:
        # spawn: a clean interpreter per worker (no forked solver threads or locks)
        ctx = mp.get_context("spawn")
        stopping = ctx.Event()
        ex = cf.ProcessPoolExecutor(
            max_workers=jobs, mp_context=ctx, initializer=worker_init, initargs=(stopping,)
        )
        ex.stopping = stopping  # type: ignore[attr-defined]  # ask_workers_to_stop sets it
        try:
            yield ex
        except BaseException:
            # a second Ctrl-C or SIGTERM, or a failure: do not wait for the counties under way
            end_workers(ex)
            raise
        ex.shutdown(wait=True)


def warm(ex: cf.Executor, jobs: int) -> None:
    """Start the worker processes now and let them import the planning modules (a second or
    two each) while this process reads the bundle."""
    if isinstance(ex, cf.ProcessPoolExecutor):
        for _ in range(jobs):
            ex.submit(_import_planning)


def _import_planning() -> None:
    from . import county  # noqa: F401  (the modules a county task needs)


def end_workers(ex: cf.ProcessPoolExecutor) -> None:
    """Cancel what has not started and end the worker processes now."""
    procs = list((getattr(ex, "_processes", None) or {}).values())
    ex.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        with contextlib.suppress(Exception):
            p.kill()
    for p in procs:
        with contextlib.suppress(Exception):
            p.join(5)


def ask_workers_to_stop(ex: cf.Executor) -> None:
    """Tell the worker processes of a pool that the run is stopping: the county under way in each
    returns its best plan, and those still to come are planned at once (Ctrl-C reaches them by
    itself; a SIGTERM to the parent does not)."""
    stopping = getattr(ex, "stopping", None)
    if stopping is not None:
        stopping.set()


def worker_init(stopping=None) -> None:
    """Every worker process: stop with the run, and never outlive the parent."""
    from ..solve.stop import install_worker_stop

    stop = install_worker_stop()
    if stopping is not None:

        def wait_for_stop() -> None:
            stopping.wait()
            stop()

        threading.Thread(target=wait_for_stop, name="run-stop", daemon=True).start()
    exit_with_parent()


def exit_with_parent() -> None:
    """End this process when the process that started it ends, however it ends.

    On Linux the kernel sends SIGKILL at the parent's death (``prctl(PR_SET_PDEATHSIG)``; it
    reaches a worker even deep in a solver's native code). No maintained library wraps prctl
    (python-prctl and pyprctl were last released in 2020 and 2021), so it is called through
    ctypes. Everywhere, a thread also waits on the parent's process handle and exits when it
    closes."""
    parent = mp.parent_process()
    if parent is None:
        return
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            import ctypes

            pr_set_pdeathsig = 1
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    if parent.pid is not None and os.getppid() != parent.pid:
        os._exit(1)  # the parent died before we could ask

    def watch() -> None:
        from multiprocessing.connection import wait

        wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def default_jobs(inst: Instance | None, jobs: int | None, counties: int | None = None) -> int:
    """``--jobs`` or, unset, one worker process per core and at most one per county."""
    if jobs is not None:
        return jobs
    n = counties if counties is not None else len(inst.counties) if inst is not None else 1
    return max(1, min(os.cpu_count() or 1, n))


FINGERPRINT_TABLES = (
    "townships",
    "villages",
    "officers",
    "auxiliaries",
    "aux_history",
    "plan_officers",
    "plan_auxiliaries",
    "pairs",
    "township_neighbours",
    "unavailable",
    "auxiliary_exceptions",
    "responsibility_areas",
    "auxiliary_duty",
)


def county_fingerprints(inst: Instance, settings: dict[str, Any]) -> dict[str, str]:
    """What each county's result depends on: its rows of every table, its township graph, the
    policy, the settings. Every table is hashed once, row by row, and each county takes its
    rows' hashes (``Instance.county_rows``): a province's keys in one pass."""
    rows = (
        inst.county_rows
        if len(inst.counties) > 1
        else {c: None for c in inst.counties}  # one county: the whole bundle is its
    )
    hashed = {name: _row_hashes(getattr(inst, name)) for name in FINGERPRINT_TABLES}
    common = hashlib.sha256()
    common.update(repr(sorted(inst.policy.as_dict().items(), key=str)).encode())
    common.update(repr(sorted(settings.items())).encode())
    common.update(f"{inst.crs}|{inst.start_month}".encode())
    # the bundle's own holidays move every county's working days
    common.update(_row_hashes(inst.holidays)[1].tobytes())
    # each county's edges, as sorted pairs in sorted order (a graph's edge orientation follows
    # set order); grouped once, not filtered once a county (0.3 s of a province's parent)
    county_of = inst.townships["county_id"].to_dict()
    edges_of: dict = {}
    for e in sorted(tuple(sorted(e)) for e in inst.adjacency.edges):
        edges_of.setdefault(county_of.get(e[0]), []).append(e)
    keys = {}
    for c, positions in rows.items():
        h = common.copy()
        for name in FINGERPRINT_TABLES:
            cols, values = hashed[name]
            h.update(name.encode())
            h.update(cols)
            mine = values if positions is None else values[positions[name]]
            h.update(mine.tobytes())
        h.update(repr(edges_of.get(c, [])).encode())
        keys[c] = h.hexdigest()[:20]
    return keys


def _row_hashes(df: pd.DataFrame) -> tuple[bytes, np.ndarray]:
    cols = [c for c in df.columns if c != "_row"]
    if not len(df):
        return ",".join(cols).encode(), np.empty(0, dtype=np.uint64)
    frame = df[cols]
    # numbers, flags and text hash as they are; only lists (id lists, preferences) go through
    # their text (a float's str was 0.3 s of a province's 0.5)
    mixed = {
        c: frame[c].astype(str)
        for c in cols
        if frame[c].dtype == object and pd.api.types.infer_dtype(frame[c], skipna=False) != "string"
    }
    values = pd.util.hash_pandas_object(frame.assign(**mixed), index=True).to_numpy()
    return ",".join(cols).encode(), values


def solve_counties(
    tasks: dict[str, Callable[[], Callable[[], Any]]],
    sizes: dict[str, int],
    *,
    jobs: int = 1,
    scheduler: str | None = None,
    progress: bool = True,
    stop: Any = None,
    stopped_tasks: dict[str, Callable[[], Callable[[], Any]]] | None = None,
    done: int = 0,
    on_result: Callable[[str, Any], None] | None = None,
    executor: cf.Executor | None = None,
) -> dict[str, Any]:
    """Run every county's task, the largest first (``sizes``: villages × officers); returns the
    results by county. ``tasks[county]()`` makes the county's task (a picklable callable) when
    it is handed out: a county is cut from the bundle only then, while the others are solved.

    Counties are handed out one per free worker, never queued on a worker (a worker that dies
    loses the county it was planning and no other). ``stop`` (a StopSearch) set by Ctrl-C or
    SIGTERM: our worker processes stop the county under way and plan the rest at once; on a
    Dask cluster the counties not handed out yet go to ``stopped_tasks`` here (their best plan
    at once, marked stopped). ``done``: villages finished before (the progress bar's start);
    ``on_result(county, result)`` as each county finishes. ``executor``: one already started
    (``county_executor``, e.g. by ``warm_executor`` while the bundle loads)."""
    results: dict[str, Any] = {}
    villages = {c: max(1, sizes.get(c, 1)) for c in tasks}
    bar = _progress(done + sum(villages.values()), progress)
    bar.update(done)
    waiting = sorted(tasks, key=lambda c: -sizes.get(c, 0))
    rank = {c: i for i, c in enumerate(tasks)}
    given = contextlib.nullcontext(executor) if executor is not None else None
    with given or county_executor(jobs, scheduler) as ex:
        slots = max(1, getattr(ex, "slots", jobs))
        running: dict[cf.Future, str] = {}
        told = False
        while waiting or running:
            stopping = stop is not None and stop.requested
            if stopping and not told:
                told = True
                ask_workers_to_stop(ex)
            ours = isinstance(ex, cf.ProcessPoolExecutor | InlineExecutor)
            while waiting and len(running) < slots and (ours or not stopping):
                c = waiting.pop(0)
                running[ex.submit(tasks[c]())] = c
            finished: list[tuple[str, Any]] = []
            if stopping and not ours and stopped_tasks is not None:
                finished += [(c, stopped_tasks[c]()()) for c in waiting]
                waiting = []
            if running:
                now, _pending = cf.wait(running, timeout=0.2, return_when=cf.FIRST_COMPLETED)
                for f in sorted(now, key=lambda f: rank[running[f]]):
                    c = running.pop(f)
                    lost = _lost_while_stopping(f, stop) and stopped_tasks is not None
                    finished.append((c, stopped_tasks[c]()() if lost else f.result()))
            for c, r in finished:
                if on_result is not None:
                    on_result(c, r)
                results[c] = r
                bar.update(villages[c])
                bar.set_postfix_str(
                    _("counties {done}/{all}").format(done=len(results), all=len(tasks))
                )
    bar.close()
    return results


def _lost_while_stopping(f: cf.Future, stop: Any) -> bool:
    """A worker that died while the run was stopping (a second Ctrl-C reached it, or the first
    one before it was ready): its county is planned here at once instead."""
    if stop is None or not stop.requested:
        return False
    return isinstance(f.exception(), BrokenExecutor)


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    # tqdm's own fields stay in braces: the catalogue's words go around them
    words = _("{n} of {total} villages, {elapsed} so far, {remaining} to go").format(
        n="{n_fmt}", total="{total_fmt}", elapsed="{elapsed}", remaining="{remaining}"
    )
    return tqdm(
        total=total,
        unit=pgettext("progress unit", "village"),
        desc=_("planning"),
        file=sys.stderr,
        disable=None if enabled else True,
        smoothing=0.1,
        bar_format="{desc}: {percentage:3.0f}%|{bar}| " + words + "{postfix}",
    )
