"""The server's side of the long work: a job row per task, the worker pool running it, and what
happens when it ends (a bundle version kept, a plan version made, a what-if ready), each change
with its audit entry."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from .i18n import N_
from .models import (
    BundleVersion,
    Job,
    JobState,
    Scenario,
    ScenarioState,
    Workspace,
    now,
)
from .store import Actor, Store, add_plan_version, audit, next_number
from .workers import Callbacks, WorkerPool

log = logging.getLogger("cunjing.web")


class JobRunner:
    def __init__(self, store: Store, workers: int, warm: tuple[str, ...] = ()):
        self.store = store
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
        self.pool.submit(job.id, job.kind, job.params)

    def cancel(self, job_id: int) -> None:
        self.pool.cancel(job_id)

    def close(self) -> None:
        self.pool.close()

    # callbacks, in the pool's threads

    def _update(self, job_id: int, **values) -> Job | None:
        with self.store.db() as db:
            job = db.get(Job, job_id)
            if job is None:
                return None
            for k, v in values.items():
                setattr(job, k, v)
            db.commit()
            return job

    def _started(self, job_id: int) -> None:
        self._update(job_id, state=JobState.RUNNING.value, started_at=now(), progress=N_("Started"))

    def _progress(self, job_id: int, text: str) -> None:
        self._update(job_id, progress=text[:64])

    def _problems(self, job_id: int, result: dict) -> None:
        with self.store.db() as db:
            job = db.get(Job, job_id)
            job.state, job.result, job.finished_at = JobState.FAILED.value, result, now()
            job.progress = N_("Refused")
            actor = Actor(**job.params["actor"])
            if job.kind == "validate":
                audit(
                    db,
                    actor,
                    "bundle.refused",
                    workspace_id=job.workspace_id,
                    target=f"job:{job.id}",
                    detail={
                        "filename": job.params["filename"],
                        "problems": len(result.get("problems", [])),
                        "refused": result.get("refused", ""),
                    },
                )
            self._scenario_failed(db, job)
            db.commit()
        self._clean(job)

    def _failed(self, job_id: int, error: str) -> None:
        log.error("job %s failed: %s", job_id, error)
        with self.store.db() as db:
            job = db.get(Job, job_id)
            job.state, job.error, job.finished_at = JobState.FAILED.value, error[:4000], now()
            job.progress = N_("Failed")
            self._scenario_failed(db, job)
            db.commit()
        self._clean(job)

    def _cancelled(self, job_id: int) -> None:
        with self.store.db() as db:
            job = db.get(Job, job_id)
            job.state, job.finished_at, job.progress = (
                JobState.CANCELLED.value,
                now(),
                N_("Cancelled"),
            )
            self._scenario_failed(db, job, ScenarioState.DISCARDED)
            db.commit()
        self._clean(job)

    def _scenario_failed(self, db, job: Job, state=ScenarioState.FAILED) -> None:
        sid = job.params.get("scenario_id")
        if sid:
            scenario = db.get(Scenario, sid)
            if scenario is not None and scenario.state == ScenarioState.RUNNING.value:
                scenario.state = state.value

    def _clean(self, job: Job) -> None:
        for key in ("staging", "out"):
            if job.params.get(key):
                shutil.rmtree(job.params[key], ignore_errors=True)
        if job.params.get("upload"):
            Path(job.params["upload"]).unlink(missing_ok=True)

    def _done(self, job_id: int, result: dict) -> None:
        with self.store.db() as db:
            job = db.get(Job, job_id)
            actor = Actor(**job.params["actor"])
            ws = db.get(Workspace, job.workspace_id)
            extra = getattr(self, f"_finish_{job.kind}")(db, job, ws, actor, result)
            job.state, job.finished_at, job.progress = JobState.DONE.value, now(), N_("Done")
            job.result = {**result, **extra}
            db.commit()

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

    def _finish_alternatives(self, db, job, ws, actor, result: dict) -> dict:
        return {}

    def _finish_sweep(self, db, job, ws, actor, result: dict) -> dict:
        return {}

    def _finish_edit(self, db, job: Job, ws: Workspace, actor: Actor, result: dict) -> dict:
        return self._finish_whatif(db, job, ws, actor, result)

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
