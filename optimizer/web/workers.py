"""Worker processes for the long work: the web server's event loop never plans.

``WorkerPool`` keeps ``size`` spawned processes, each warm (the engine imported once) and fed
one task at a time through a pipe by a thread of the server. The thread relays the worker's
progress and result to the callbacks; cancelling a task ends its process (the engine writes
every folder whole or not at all, so nothing half-written is kept) and a fresh one takes its
place. Jobs wait in a queue when every worker is busy.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection

POLL_SECONDS = 0.2
WORKER_NICENESS = 5


@dataclass
class Callbacks:
    progress: Callable[[int, str], None]
    done: Callable[[int, dict], None]
    problems: Callable[[int, dict], None]  # the user's input refused: problems to show
    failed: Callable[[int, str], None]
    cancelled: Callable[[int], None]
    started: Callable[[int], None]


def worker_main(conn: Connection, warm: bool) -> None:
    """A worker's loop: imports what the tasks need, then answers tasks until told to stop."""
    from ..i18n import in_language
    from . import engine, tasks
    from .uploads import UploadRefused

    # long work yields the processor to the web server: pages answer while a city is planned
    with contextlib.suppress(OSError, AttributeError):
        os.nice(WORKER_NICENESS)

    if warm:
        engine.warm_up()
    conn.send(("ready",))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):  # the server has gone
            return
        if message is None:
            return
        kind, params = message
        try:
            with in_language(params.get("lang")):  # the engine's messages in the page's language
                result = tasks.TASKS[kind](params, lambda text: conn.send(("progress", text)))
            conn.send(("done", result))
        except engine.InputProblems as e:
            conn.send(("problems", {"problems": e.problems}))
        except UploadRefused as e:
            conn.send(("problems", {"refused": e.message, "params": e.params}))
        except Exception as e:  # the server shows one line and logs the rest
            conn.send(("failed", f"{type(e).__name__}: {e}\n{traceback.format_exc()}"))


class _Worker:
    def __init__(self, context, warm: bool):
        self.conn, child = context.Pipe()
        # not a daemon: the engine may start processes of its own (a sweep's pool); when the
        # server dies, the worker's pipe ends and it leaves its loop
        self.process = context.Process(target=worker_main, args=(child, warm), daemon=False)
        self.process.start()
        child.close()
        self.ready = False

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(5)
            if self.process.is_alive():
                self.process.kill()
                self.process.join(5)
        self.conn.close()


class WorkerPool:
    """``size`` warm workers, each fed by a thread of the server. A task may name the worker it
    prefers (``prefer``: any number, taken modulo the size; the workbench gives the workspace's
    id): that worker has the workspace's bundle and plans loaded already, so a re-plan answers
    at once. Another worker takes the task when the preferred one is busy."""

    def __init__(self, size: int, callbacks: Callbacks, warm: bool = True):
        self.context = multiprocessing.get_context("spawn")
        self.callbacks, self.warm = callbacks, warm
        self.size = max(1, size)
        self.pending: list[tuple[int, str, dict, int | None]] = []
        self.busy = [False] * self.size
        self.ready = threading.Condition()
        self.cancelled: set[int] = set()
        self.lock = threading.Lock()
        self.closing = threading.Event()
        self.threads = [
            threading.Thread(target=self._serve, args=(i,), name=f"cunjing-worker-{i}", daemon=True)
            for i in range(self.size)
        ]
        for t in self.threads:
            t.start()

    def submit(self, job_id: int, kind: str, params: dict, prefer: int | None = None) -> None:
        with self.ready:
            self.pending.append((job_id, kind, params, prefer))
            self.ready.notify_all()

    def cancel(self, job_id: int) -> None:
        with self.lock:
            self.cancelled.add(job_id)

    def _was_cancelled(self, job_id: int) -> bool:
        with self.lock:
            if job_id in self.cancelled:
                self.cancelled.discard(job_id)
                return True
            return False

    def close(self) -> None:
        self.closing.set()
        with self.ready:
            self.ready.notify_all()
        for t in self.threads:
            t.join(10)

    def _take(self, me: int) -> tuple[int, str, dict] | None:
        """The oldest task for worker ``me``: one that prefers it, prefers none, or prefers a
        busy worker."""
        with self.ready:
            while not self.closing.is_set():
                for i, (job_id, kind, params, prefer) in enumerate(self.pending):
                    if prefer is None or prefer % self.size == me or self.busy[prefer % self.size]:
                        del self.pending[i]
                        self.busy[me] = True
                        return job_id, kind, params
                self.ready.wait()
            return None

    def _idle(self, me: int) -> None:
        with self.ready:
            self.busy[me] = False
            self.ready.notify_all()

    def _serve(self, me: int) -> None:
        worker = _Worker(self.context, self.warm)
        try:
            while (task := self._take(me)) is not None:
                job_id, kind, params = task
                try:
                    if self._was_cancelled(job_id):
                        self.callbacks.cancelled(job_id)
                        continue
                    if not worker.process.is_alive():
                        worker.stop()
                        worker = _Worker(self.context, self.warm)
                    worker = self._run(worker, job_id, kind, params)
                finally:
                    self._idle(me)
        finally:
            if worker.process.is_alive():
                with contextlib.suppress(OSError):
                    worker.conn.send(None)
            worker.stop()

    def _run(self, worker: _Worker, job_id: int, kind: str, params: dict) -> _Worker:
        cb = self.callbacks
        try:
            cb.started(job_id)
            worker.conn.send((kind, params))
            while True:
                if self._was_cancelled(job_id) or self.closing.is_set():
                    worker.stop()
                    cb.cancelled(job_id)
                    return _Worker(self.context, self.warm)
                if not worker.conn.poll(POLL_SECONDS):
                    if not worker.process.is_alive():
                        cb.failed(job_id, "the worker process ended unexpectedly")
                        worker.stop()
                        return _Worker(self.context, self.warm)
                    continue
                message = worker.conn.recv()
                if message[0] == "ready":
                    continue
                if message[0] == "progress":
                    cb.progress(job_id, message[1])
                    continue
                getattr(cb, message[0])(job_id, message[1])
                return worker
        except (EOFError, OSError, BrokenPipeError):
            cb.failed(job_id, "the worker process ended unexpectedly")
            worker.stop()
            return _Worker(self.context, self.warm)
        except Exception:  # a callback failed: the job must not stay "running"
            cb.failed(job_id, traceback.format_exc())
            return worker
