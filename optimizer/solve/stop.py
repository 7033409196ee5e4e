"""Stopping a running search from outside: the planner's Ctrl-C, or a SIGTERM (``kill``,
``timeout``, a service manager), keeps the best plan so far; a second one stops at once."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol


class _Stoppable(Protocol):
    def __call__(self) -> None: ...


class StopSearch:
    """A flag a signal handler sets to stop a running search; ``on_stop`` is the running
    solver's own stop (CP-SAT's ``stop_search``, HiGHS's ``cancelSolve``), set while it runs."""

    def __init__(self) -> None:
        self.on_stop: _Stoppable | None = None
        self.requested = False

    def __call__(self) -> None:
        self.requested = True
        on_stop = self.on_stop
        if on_stop is not None:
            on_stop()


def interruptible(run: Callable[[], Any]) -> Any:
    """Run a native solver call in a thread while the main thread waits in Python, so that a
    Ctrl-C handler (which only runs in the main thread, between bytecodes) can stop it."""
    box: dict = {}

    def target() -> None:
        try:
            box["value"] = run()
        except BaseException as e:  # handed back to the caller below
            box["error"] = e

    t = threading.Thread(target=target, daemon=True)
    t.start()
    while t.is_alive():
        t.join(0.1)
    if "error" in box:
        raise box["error"]
    return box.get("value")


def run_stoppable(run: Callable[[], Any], stop: StopSearch | None, on_stop: _Stoppable) -> Any:
    """``run()``, stoppable through ``stop`` by ``on_stop`` while it runs."""
    if stop is None:
        return run()
    stop.on_stop = on_stop
    try:
        return interruptible(run)
    finally:
        stop.on_stop = None


# the signals that ask a run to stop: Ctrl-C, and what kill, timeout and service managers send
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def on_interrupt(stop: StopSearch) -> Iterator[None]:
    """Ctrl-C or SIGTERM stops the search (the best plan found so far is kept and marked); a
    second one stops at once and writes nothing."""

    def handler(signum, frame):
        if stop.requested:
            raise KeyboardInterrupt
        stop()

    old = {s: signal.signal(s, handler) for s in STOP_SIGNALS}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


_WORKER: dict[str, StopSearch] = {}


def install_worker_stop() -> StopSearch:
    """In a worker process: Ctrl-C (the terminal sends it to the whole process group) or the
    parent's SIGTERM stops the county under way, which returns its best plan; a second one ends
    the worker at once (its parent is stopping without it)."""
    stop = StopSearch()

    def handler(signum, frame):
        if stop.requested:
            os._exit(128 + signum)
        stop()

    for s in STOP_SIGNALS:
        signal.signal(s, handler)
    _WORKER["stop"] = stop
    return stop


def worker_stop() -> StopSearch | None:
    """This worker process's stop (None outside a worker)."""
    return _WORKER.get("stop")
