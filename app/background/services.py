"""What the admin page shows of the background work, and recording each periodic run."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from redis.exceptions import RedisError
from rq import Queue
from rq.job import Job
from rq.registry import FailedJobRegistry, ScheduledJobRegistry

from app.background import registry
from app.background.models import JobRun
from app.background.queue import get_periodic_queue, get_queue
from app.background.workers import LiveWorker, live_workers
from app.core import clock
from app.core.text import ago, duration_words
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


#: What a periodic job that does its work less often than every interval returns when it skips.
NOT_DUE = "not due"


def due(name: str, every: timedelta) -> bool:
    """Whether the run ``name`` is due again, at most once ``every`` (the scheduler asks every interval).

    When it is not, the read is ended here: the job returns :data:`NOT_DUE` with nothing left open."""
    last = db.session.get(JobRun, name)
    if last is not None and last.started_at > clock.now() - every:
        db.session.rollback()
        return False
    return True


@dataclass
class QueueState:
    """The queues as Redis sees them; ``error`` says why they could not be read.

    ``queued`` counts both queues (the periodic work and the deliveries); ``started`` counts the
    jobs live workers hold now, not RQ's registry, which keeps a dead worker's job for minutes.
    """

    name: str
    reachable: bool = True
    error: str = ""
    queued: int = 0
    started: int = 0
    scheduled: int = 0
    failed: int = 0
    workers: list[LiveWorker] = field(default_factory=list)
    failed_jobs: list[FailedJob] = field(default_factory=list)


@dataclass(frozen=True)
class FailedJob:
    id: str
    func: str
    args: str
    ended_at: datetime | None
    error: str


def _queues() -> list[Queue]:
    return [get_periodic_queue(), get_queue()]


def queue_state(failed_limit: int = 50) -> QueueState:
    try:
        queues = _queues()
    except RedisError as error:
        return QueueState(name="", reachable=False, error=str(error))
    main = queues[-1]
    state = QueueState(name=main.name)
    try:
        state.workers = live_workers(main.connection, main.name)
        state.started = sum(1 for w in state.workers if w.current)
        for queue in queues:
            state.queued += queue.count
            state.scheduled += ScheduledJobRegistry(queue=queue).count
            registry = FailedJobRegistry(queue=queue)
            state.failed += registry.count
            room = failed_limit - len(state.failed_jobs)
            ids = registry.get_job_ids(0, room - 1) if room > 0 else []
            for job in Job.fetch_many(ids, connection=queue.connection):
                if job is not None:
                    result = job.latest_result()
                    error = ((result.exc_string if result else "") or "").strip().splitlines()
                    state.failed_jobs.append(FailedJob(job.id, job.func_name, _short(job.args), job.ended_at,
                                                       error[-1] if error else ""))
    except RedisError as error:
        state.reachable, state.error = False, str(error)
    return state


def _short(args: object) -> str:
    text = repr(args)
    return text if len(text) <= 80 else text[:77] + "..."


def _failed_registry_of(job_id: str) -> FailedJobRegistry | None:
    """The failed-job registry (of either queue) that holds ``job_id``, if one does."""
    for queue in _queues():
        registry = FailedJobRegistry(queue=queue)
        if job_id in registry:
            return registry
    return None


def retry_failed_job(job_id: str) -> bool:
    """Put a failed job back on its queue; False when Redis no longer has it."""
    registry = _failed_registry_of(job_id)
    if registry is None:
        return False
    registry.requeue(job_id)
    return True


def delete_failed_job(job_id: str) -> bool:
    registry = _failed_registry_of(job_id)
    if registry is None:
        return False
    registry.remove(job_id, delete_job=True)
    return True


# --- the admin page: when the periodic jobs last ran, and whether they keep up ----------------

#: The sweep and the dispatch run every minute; one this far behind means the scheduler stopped.
STALE_AFTER = timedelta(minutes=5)


@dataclass(frozen=True)
class PeriodicStatus:
    """One periodic job as the admin page shows it: its last run, how long ago, and whether that is too long."""

    name: str
    label: str
    run: JobRun | None
    ago: str
    stale: bool
    every: str = ""  # "every hour": a job that does its work less often than every interval


def _every(span: timedelta) -> str:
    """How often a job that skips intervals does its work: "every hour", "every 6 hours" ("" for every interval)."""
    return f"every {duration_words(span)}".replace("every 1 ", "every ") if span else ""


def periodic_statuses(now: datetime | None = None) -> list[PeriodicStatus]:
    """Every run the periodic jobs record (the sweep, the dispatch, the hourly clean-up), each stale
    when it never ran or last finished over ``STALE_AFTER`` after it was due."""
    now = now or clock.now()
    runs = last_runs()
    statuses = []
    for job in registry.periodic_jobs():
        for name, label in job.runs:
            run = runs.get(name)
            finished = run.finished_at if run is not None else None
            stale = finished is None or now - finished > job.every + STALE_AFTER
            statuses.append(PeriodicStatus(name, label, run, ago(finished, now) if finished else "", stale,
                                           _every(job.every)))
    return statuses
