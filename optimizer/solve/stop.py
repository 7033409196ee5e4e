"""Stopping a running search from outside: the planner's Ctrl-C keeps the best plan so far."""

from __future__ import annotations

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


@contextmanager
def on_interrupt(stop: StopSearch) -> Iterator[None]:
    """Ctrl-C stops the search (the best plan found so far is kept and marked); a second Ctrl-C
    stops at once and writes nothing."""

    def handler(signum, frame):
        if stop.requested:
            raise KeyboardInterrupt
        stop()

    old = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)
