"""The server's side of the long work: a job row per task, the worker pool running it, and what
happens when it ends (a bundle version kept, a plan version made, a re-plan ready, an accepted
change written, a calendar or a compliance check kept), each change with its audit entry."""

from __future__ import annotations

import logging
import shutil
import threading
from pathlib import Path

from ..i18n import N_
from .models import (
    BundleVersion,
    Job,
    JobState,
    PlanVersion,
    Scenario,
    ScenarioState,
    Workspace,
    now,
)
from .store import Actor, StaleVersion, Store, add_plan_version, audit, next_number
from .workers import Callbacks, WorkerPool

log = logging.getLogger("cunjing.web")


class Refused(Exception):
    """The work is done but its result may not be kept: a message id and its fields."""

    def __init__(self, message: str, **params: object):
        super().__init__(message)
        self.message, self.params = message, params


STALE = N_(
    "Someone else has changed this workspace's plan since this change was worked out (now at "
    "revision {current}, this change was made at {base}). Nothing was accepted and nothing is "
    "lost: open the newest version and make the change there again."
)


class JobRunner:
    def __init__(self, store: Store, workers: int, warm: bool = True):
        self.store = store
        self.ended: dict[int, threading.Event] = {}
        self.ended_lock = threading.Lock()
        self.pool = WorkerPool(
            workers,
            Callbacks(
                progress=self._progress,
                done=self._done,
                problems=self._problems,
                failed=self._failed,
                cancelled=self._cancelled,
                started=self._started,
            ),
            warm,
        )

    def submit(self, job: Job) -> None:
        """Run the job in a worker; the workspace's own worker when it is free (it has the
        workspace's bundle and plans loaded)."""
        self._event(job.id)
        self.pool.submit(job.id, job.kind, job.params, prefer=job.workspace_id)

    def wait(self, job_id: int, seconds: float) -> bool:
        """Wait up to ``seconds`` for the job to end; True when it has."""
        return self._event(job_id).wait(seconds)

    def cancel(self, job_id: int) -> None:
        self.pool.cancel(job_id)

    def close(self) -> None:
        self.pool.close()

    def _event(self, job_id: int) -> threading.Event:
        with self.ended_lock:
            return self.ended.setdefault(job_id, threading.Event())

    def _end(self, job_id: int) -> None:
        with self.ended_lock:
            event = self.ended.pop(job_id, None)
        if event is not None:
            event.set()

    # callbacks, in the pool's threads

    def _update(self, job_id: int, **values) -> None:
        with self.store.db() as db:
            job = db.get(Job, job_id)
            if job is None:
                return
            for k, v in values.items():
                setattr(job, k, v)
            db.commit()

    def _started(self, job_id: int) -> None:
        self._update(job_id, state=JobState.RUNNING.value, started_at=now(), progress=N_("Started"))

    def _progress(self, job_id: int, text: str) -> None:
        self._update(job_id, progress=text[:64])

    def _problems(self, job_id: int, result: dict) -> None:
        try:
            with self.store.db() as db:
                job = db.get(Job, job_id)
                self._refuse(db, job, result)
                db.commit()
            self._clean(job)
        finally:
            self._end(job_id)

    def _refuse(self, db, job: Job, result: dict) -> None:
        job.state, job.result, job.finished_at = JobState.FAILED.value, result, now()
        job.progress = N_("Refused")
        if job.kind == "validate":
            audit(
                db,
                Actor(**job.params["actor"]),
                "bundle.refused",
                workspace_id=job.workspace_id,
                target=f"job:{job.id}",
                detail={
                    "filename": job.params["filename"],
                    "problems": len(result.get("problems", [])),
                    "refused": result.get("refused", ""),
                },
            )
        self._scenario_ends(db, job)

    def _failed(self, job_id: int, error: str) -> None:
        log.error("job %s failed: %s", job_id, error)
        try:
            with self.store.db() as db:
                job = db.get(Job, job_id)
                job.state, job.error, job.finished_at = JobState.FAILED.value, error[:4000], now()
                job.progress = N_("Failed")
                self._scenario_ends(db, job)
                db.commit()
            self._clean(job)
        finally:
            self._end(job_id)

    def _cancelled(self, job_id: int) -> None:
        try:
            with self.store.db() as db:
                job = db.get(Job, job_id)
                job.state, job.finished_at = JobState.CANCELLED.value, now()
                job.progress = N_("Cancelled")
                self._scenario_ends(db, job, ScenarioState.DISCARDED)
                db.commit()
            self._clean(job)
        finally:
            self._end(job_id)

    def _scenario_ends(self, db, job: Job, state=ScenarioState.FAILED) -> None:
        """A re-plan that did not finish fails its scenario; an acceptance that did not leaves
        the scenario waiting for a decision (nothing the planner worked out is lost)."""
        sid = job.params.get("scenario_id")
        scenario = db.get(Scenario, sid) if sid else None
        if scenario is None:
            return
        if job.kind == "accept" and scenario.state == ScenarioState.ACCEPTING.value:
            scenario.state = ScenarioState.READY.value
        elif job.kind == "whatif" and scenario.state == ScenarioState.RUNNING.value:
            scenario.state = state.value

    def _clean(self, job: Job) -> None:
        for key in ("staging", "out"):
            if job.params.get(key):
                shutil.rmtree(job.params[key], ignore_errors=True)
        if job.params.get("upload"):
            Path(job.params["upload"]).unlink(missing_ok=True)
        if job.params.get("logs"):  # a compliance check's uploaded logs, in a folder of their own
            shutil.rmtree(Path(job.params["logs"]).parent, ignore_errors=True)

    def _done(self, job_id: int, result: dict) -> None:
        try:
            with self.store.db() as db:
                job = db.get(Job, job_id)
                actor = Actor(**job.params["actor"])
                ws = db.get(Workspace, job.workspace_id)
                try:
                    extra = getattr(self, f"_finish_{job.kind}")(db, job, ws, actor, result)
                except Refused as e:
                    db.rollback()
                    job = db.get(Job, job_id)
                    self._refuse(db, job, {"refused": e.message, "params": e.params})
                    db.commit()
                    self._clean(job)
                    return
                job.state, job.finished_at, job.progress = JobState.DONE.value, now(), N_("Done")
                job.result = {**result, **extra}
                db.commit()
        finally:
            self._end(job_id)

    def _finish_validate(self, db, job: Job, ws: Workspace, actor: Actor, result: dict) -> dict:
        p = job.params
        number = next_number(db, BundleVersion, ws.id)
        relative = f"bundles/{ws.id}/{number}"
        target = self.store.path(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(p["staging"], target)
        bundle = BundleVersion(
            workspace_id=ws.id,
            number=number,
            filename=p["filename"][:255],
            sha256=p["sha256"],
            size=p["size"],
            path=f"{relative}/{result['bundle']}",
            counts={**result["counts"], "warnings": len(result["warnings"])},
            created_by=actor.account_id,
        )
        db.add(bundle)
        db.flush()
        audit(
            db,
            actor,
            "bundle.upload",
            workspace_id=ws.id,
            target=f"bundle:{bundle.id}",
            detail={
                "number": number,
                "filename": p["filename"],
                "sha256": p["sha256"],
                **result["counts"],
            },
            reason=p.get("reason", ""),
        )
        return {"bundle_version_id": bundle.id}

    def _finish_plan(self, db, job: Job, ws: Workspace, actor: Actor, result: dict) -> dict:
        p = job.params
        bundle = db.get(BundleVersion, p["bundle_version_id"])
        plan = add_plan_version(
            db,
            actor,
            ws,
            bundle=bundle,
            folder=Path(p["out"]),
            files=self.store.settings.files,
            origin="plan",
            status=result["status"],
            headline={"status": result["status"]},
            description=p.get("description", ""),
            parent_id=None,
            expected_revision=None,
            reason=p.get("reason", ""),
        )
        return {"plan_version_id": plan.id}

    def _finish_whatif(self, db, job: Job, ws: Workspace, actor: Actor, result: dict) -> dict:
        p = job.params
        scenario = db.get(Scenario, p["scenario_id"])
        if scenario.state != ScenarioState.RUNNING.value:  # discarded meanwhile
            shutil.rmtree(p["out"], ignore_errors=True)
            return {}
        relative = f"scenarios/{ws.id}/{scenario.id}"
        target = self.store.path(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(p["out"], target)
        scenario.path, scenario.result = relative, result
        scenario.state = ScenarioState.READY.value
        return {"scenario_id": scenario.id}

    def _finish_accept(self, db, job: Job, ws: Workspace, actor: Actor, result: dict) -> dict:
        """The written re-plan becomes the workspace's new version, unless another planner's
        acceptance came first (optimistic versioning: then it is refused, the scenario stays)."""
        p = job.params
        scenario = db.get(Scenario, p["scenario_id"])
        base = db.get(PlanVersion, scenario.base_plan_id)
        try:
            plan = add_plan_version(
                db,
                actor,
                ws,
                bundle=db.get(BundleVersion, base.bundle_version_id),
                folder=Path(p["out"]),
                files=self.store.settings.files,
                origin="whatif",
                status=result["status"],
                headline={"status": result["status"]},
                description=scenario.description,
                parent_id=base.id,
                expected_revision=scenario.base_revision,
                reason=p.get("reason", ""),
            )
        except StaleVersion as e:
            scenario = db.get(Scenario, p["scenario_id"])
            scenario.state = ScenarioState.READY.value
            audit(
                db,
                actor,
                "whatif.stale",
                workspace_id=ws.id,
                target=f"scenario:{scenario.id}",
                detail={"base_revision": scenario.base_revision, "current_revision": e.current},
            )
            db.commit()
            raise Refused(STALE, current=e.current, base=scenario.base_revision) from None
        scenario.state, scenario.result_plan_id = ScenarioState.ACCEPTED.value, plan.id
        scenario.decided_by, scenario.decided_at = actor.account_id, now()
        audit(
            db,
            actor,
            "whatif.accept",
            workspace_id=ws.id,
            target=f"scenario:{scenario.id}",
            detail={"plan_version": plan.number, "base_version": base.number},
            reason=p.get("reason", ""),
        )
        return {"plan_version_id": plan.id}

    def _keep(self, job: Job, relative: str) -> str:
        """The task's folder moved into the store at ``relative`` (replacing what was there)."""
        target = self.store.path(relative)
        shutil.rmtree(target, ignore_errors=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(job.params["out"], target)
        return relative

    def _finish_calendar(self, db, job: Job, ws: Workspace, actor: Actor, result: dict) -> dict:
        plan = db.get(PlanVersion, job.params["plan_id"])
        relative = self._keep(job, f"{plan.path}/calendars/{result['month']}")
        audit(db, actor, "calendar.make", workspace_id=ws.id, target=f"plan:{plan.id}",
              detail={"plan_version": plan.number, "month": result["month"]})  # fmt: skip
        return {"path": relative}

    def _finish_compliance(self, db, job: Job, ws: Workspace, actor: Actor, result: dict) -> dict:
        plan = db.get(PlanVersion, job.params["plan_id"])
        relative = self._keep(job, f"{plan.path}/compliance/{job.id}")
        audit(db, actor, "compliance.check", workspace_id=ws.id, target=f"plan:{plan.id}",
              detail={"plan_version": plan.number, "period": result["period"],
                      "filename": job.params.get("filename", "")})  # fmt: skip
        return {"path": relative}

    def _finish_publish(self, db, job: Job, ws: Workspace, actor: Actor, result: dict) -> dict:
        plan = db.get(PlanVersion, job.params["plan_id"])
        relative = self._keep(job, f"{plan.path}/published")
        audit(db, actor, "plan.boards", workspace_id=ws.id, target=f"plan:{plan.id}",
              detail={"plan_version": plan.number, "files": result["written"]})  # fmt: skip
        return {"path": relative}

    def _finish_options(self, db, job, ws, actor, result: dict) -> dict:
        return {}

    def _finish_sweep(self, db, job, ws, actor, result: dict) -> dict:
        return {}

    def _finish_rotation(self, db, job, ws, actor, result: dict) -> dict:
        return {}
