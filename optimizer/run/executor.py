"""Counties solved side by side: worker processes on this machine, or the user's Dask cluster.

A county owns its officers and auxiliaries, so a city or province plan is many independent
county problems and a merge. Each county result is saved as soon as it is done (keyed by a
fingerprint of the county's input and the run's settings), so an interrupted run, or one that
lost a worker, resumes by solving only the counties it has no result for.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import multiprocessing as mp
import os
import pickle
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from ..i18n import _, pgettext
from ..input.instance import Instance


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
            yield client.get_executor()
        finally:
            client.close()
    elif jobs <= 1:
        yield InlineExecutor()
    else:
        # spawn: a clean interpreter per worker (no forked solver threads or locks)
        with cf.ProcessPoolExecutor(
            max_workers=jobs, mp_context=mp.get_context("spawn"), initializer=_ignore_sigint
        ) as ex:
            yield ex


def default_jobs(inst: Instance, jobs: int | None) -> int:
    """``--jobs`` or, unset, one worker process per core and at most one per county."""
    if jobs is not None:
        return jobs
    return max(1, min(os.cpu_count() or 1, len(inst.counties)))


def county_fingerprint(sub: Instance, settings: dict[str, Any]) -> str:
    """What a county's result depends on: its rows of every table, the policy, the settings."""
    h = hashlib.sha256()
    for name in (
        "townships",
        "villages",
        "officers",
        "auxiliaries",
        "aux_history",
        "plan_officers",
        "plan_auxiliaries",
        "pairs",
        "township_neighbours",
    ):
        df: pd.DataFrame = getattr(sub, name)
        cols = [c for c in df.columns if c != "_row"]
        h.update(name.encode())
        h.update(",".join(cols).encode())
        if len(df):
            h.update(pd.util.hash_pandas_object(df[cols].astype(str), index=True).values.tobytes())
    h.update(repr(sorted(sub.policy.as_dict().items(), key=str)).encode())
    h.update(repr(sorted(settings.items())).encode())
    # edges as sorted pairs: a graph's edge orientation follows set order, which varies by process
    h.update(",".join(sorted("-".join(sorted(e)) for e in sub.adjacency.edges)).encode())
    from .annual import versions

    h.update(str(versions().get("cunjing")).encode())
    return h.hexdigest()[:20]


class CountyStore:
    """Finished county results beside the output folder (``OUT.parts/``), until the run is done.

    Written by this program for its own later runs in the same place; a result is taken only if
    its file name carries the county's current fingerprint.
    """

    def __init__(self, out: Path):
        self.folder = Path(str(Path(out)) + ".parts")

    def path(self, county: str, key: str) -> Path:
        return self.folder / f"{county}-{key}.pkl"

    def load(self, county: str, key: str):
        p = self.path(county, key)
        if not p.exists():
            return None
        try:
            with open(p, "rb") as f:
                return pickle.load(f)
        except Exception:  # a file cut short by a crash: solve the county again
            return None

    def save(self, county: str, key: str, result) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.path(county, key).with_suffix(".tmp")
        with open(tmp, "wb") as f:
            pickle.dump(result, f, protocol=pickle.HIGHEST_PROTOCOL)
            f.flush()
            os.fsync(f.fileno())
        tmp.replace(self.path(county, key))

    def clear(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def solve_counties(
    inst: Instance,
    task: Callable,
    settings: dict[str, Any],
    *,
    jobs: int = 1,
    scheduler: str | None = None,
    store: CountyStore | None = None,
    progress: bool = True,
    stop: Any = None,
    stopped_task: Callable | None = None,
) -> list:
    """``task(sub_instance, county)`` for every county, in county order; finished counties of an
    earlier run of the same inputs and settings are taken from ``store``.

    ``stop`` (a StopSearch) set by Ctrl-C while workers run: counties not yet started are
    cancelled and given to ``stopped_task`` here (which returns their best plan at once, marked
    stopped); counties under way finish within their time limit."""
    counties = inst.counties
    subs = {c: inst.county(c) if len(counties) > 1 else inst for c in counties}
    keys = {c: county_fingerprint(subs[c], settings) for c in counties}
    results: dict[str, Any] = {}
    if store is not None:
        for c in counties:
            r = store.load(c, keys[c])
            if r is not None:
                r.extra["reused"] = True
                results[c] = r
    todo = [c for c in counties if c not in results]
    villages = {c: len(subs[c].villages) for c in counties}
    bar = _progress(sum(villages.values()), len(counties), progress)
    bar.update(sum(villages[c] for c in results))
    bar.set_postfix_str(_("counties {done}/{all}").format(done=len(results), all=len(counties)))
    with county_executor(jobs, scheduler) as ex:
        # the largest counties first (villages × officers, the pair count): with a few workers a
        # large county started last would finish alone
        todo.sort(key=lambda c: -len(subs[c].villages) * max(1, len(subs[c].officers)))
        futures = {ex.submit(task, subs[c], c): c for c in todo}
        for f in _as_completed(futures, stop):
            c = futures[f]
            r = (stopped_task or task)(subs[c], c) if f.cancelled() else f.result()
            # a county stopped by Ctrl-C is not final: the next run solves it again
            if store is not None and not getattr(r, "stopped", False):
                store.save(c, keys[c], r)
            results[c] = r
            bar.update(villages[c])
            bar.set_postfix_str(
                _("counties {done}/{all}").format(done=len(results), all=len(counties))
            )
    bar.close()
    return [results[c] for c in counties]


def _as_completed(futures: dict, stop: Any) -> Iterator[cf.Future]:
    """Futures as they finish; once ``stop`` is requested, those not started are cancelled
    (and yielded, cancelled) rather than waited for."""
    order = {f: i for i, f in enumerate(futures)}
    pending = set(futures)
    cancelled = False
    while pending:
        done, pending = cf.wait(pending, timeout=0.5, return_when=cf.FIRST_COMPLETED)
        if stop is not None and stop.requested and not cancelled:
            cancelled = True
            for f in pending:
                f.cancel()  # only a future not yet running can be cancelled
            now = {f for f in pending if f.cancelled()}
            done, pending = done | now, pending - now
        yield from sorted(done, key=order.__getitem__)


def _ignore_sigint() -> None:
    """Worker processes leave Ctrl-C to the parent (it stops the run in order)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _progress(total: int, counties: int, enabled: bool):
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
