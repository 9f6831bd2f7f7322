"""What the admin page shows of the background work, and recording each periodic run."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from redis.exceptions import RedisError
from rq import Worker
from rq.job import Job
from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry

from app.background.models import JobRun
from app.background.queue import get_queue
from app.core import clock
from app.extensions import db


@dataclass
class Run:
    summary: str = ""


@contextmanager
def recording(name: str) -> Iterator[Run]:
    """Record a periodic job's run (start, end, duration, what it did) for the admin page."""
    run = Run()
    started, clock_start = clock.now(), time.perf_counter()
    yield run
    db.session.rollback()
    row = db.session.get(JobRun, name) or JobRun(name=name)
    row.started_at, row.finished_at = started, clock.now()
    row.duration_ms = int((time.perf_counter() - clock_start) * 1000)
    row.summary = run.summary[:300]
    db.session.add(row)
    db.session.commit()


def last_runs() -> dict[str, JobRun]:
    return {run.name: run for run in db.session.scalars(sa.select(JobRun))}


@dataclass
class QueueState:
    """The queue as Redis sees it; ``error`` says why it could not be read."""

    name: str
    reachable: bool = True
    error: str = ""
    queued: int = 0
    started: int = 0
    scheduled: int = 0
    failed: int = 0
    workers: list[dict[str, str]] = field(default_factory=list)
    failed_jobs: list[FailedJob] = field(default_factory=list)


@dataclass(frozen=True)
class FailedJob:
    id: str
    func: str
    args: str
    ended_at: datetime | None
    error: str


def queue_state(failed_limit: int = 50) -> QueueState:
    try:
        queue = get_queue()
    except RedisError as error:
        return QueueState(name="", reachable=False, error=str(error))
    state = QueueState(name=queue.name)
    try:
        state.queued = queue.count
        state.started = StartedJobRegistry(queue=queue).count
        state.scheduled = ScheduledJobRegistry(queue=queue).count
        registry = FailedJobRegistry(queue=queue)
        state.failed = registry.count
        ids = registry.get_job_ids(0, failed_limit - 1)
        for job in Job.fetch_many(ids, connection=queue.connection):
            if job is not None:
                error = (job.exc_info or "").strip().splitlines()
                state.failed_jobs.append(FailedJob(job.id, job.func_name, _short(job.args), job.ended_at,
                                                   error[-1] if error else ""))
        state.workers = [
            {"name": w.name, "state": w.get_state(), "current": (w.get_current_job_id() or "")}
            for w in Worker.all(queue=queue)
        ]
    except RedisError as error:
        state.reachable, state.error = False, str(error)
    return state


def _short(args: object) -> str:
    text = repr(args)
    return text if len(text) <= 80 else text[:77] + "..."


def retry_failed_job(job_id: str) -> bool:
    """Put a failed job back on the queue; False when Redis no longer has it."""
    queue = get_queue()
    registry = FailedJobRegistry(queue=queue)
    if job_id not in registry.get_job_ids():
        return False
    registry.requeue(job_id)
    return True


def delete_failed_job(job_id: str) -> bool:
    queue = get_queue()
    registry = FailedJobRegistry(queue=queue)
    if job_id not in registry.get_job_ids():
        return False
    registry.remove(job_id, delete_job=True)
    return True
