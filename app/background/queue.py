"""The RQ queue, and the one way jobs are enqueued: after the transaction they read commits.

A job enqueued before its transaction commits could run first and find nothing (or run for
a change that was rolled back), so services call :func:`enqueue_after_commit`, which hands the
job to the transaction (:mod:`app.core.transactions`): it leaves after the commit, and never
if the transaction rolls back.

With ``JOBS_INLINE`` (the tests' setting) a job runs in this process right after the
commit, in a fresh app context, instead of going through Redis.
"""

from __future__ import annotations

import functools
import importlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Flask, current_app, has_app_context
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue

from app.core import transactions
from app.extensions import db
from app.ops import requestid

log = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")

_NOT_IN_JOB_ID = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True)
class PendingJob:
    func: str  # dotted path, so the web process never imports job modules it does not need
    args: tuple[Any, ...]  # ids, or records whose id is known only once the commit flushed them
    job_kind: str | None  # the job's id is job_id(job_kind, *ids)

    def ids(self) -> tuple[Any, ...]:
        # The identity, not ``.id``: after the commit the record is expired, and reading an
        # attribute would load it again; its key is known without a query.
        return tuple(sa.inspect(a).identity[0] if isinstance(a, db.Model) else a for a in self.args)

    def enqueue(self) -> None:
        if not has_app_context():  # a session committed outside the app (a script): no queue to use
            return
        ids = self.ids()
        enqueue_now(self.func, *ids, job_id=job_id(self.job_kind, *ids) if self.job_kind else None)


def redis_connection(app: Flask | None = None) -> Redis:
    """The app's Redis connection (one per process), from ``REDIS_URL``."""
    app = app or current_app
    connection = app.extensions.get("countersign.redis")
    if connection is None:
        url = app.config.get("REDIS_URL") or ""
        if not url:
            raise RedisError("REDIS_URL is not set: background jobs need a Redis server")
        connection = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=10)
        app.extensions["countersign.redis"] = connection
    return connection


def get_queue(app: Flask | None = None) -> Queue:
    """The queue of deliveries: one job per email or digest."""
    app = app or current_app
    return Queue(app.config["QUEUE_NAME"], connection=redis_connection(app), default_timeout=app.config["JOB_TIMEOUT"])


def periodic_queue_name(queue_name: str) -> str:
    return f"{queue_name}-periodic"


def get_periodic_queue(app: Flask | None = None) -> Queue:
    """The queue of the periodic work (sweep, dispatch, recovery), which workers serve first: a
    backlog of thousands of emails must not hold back the sweep, nor the recovery of lost ones."""
    app = app or current_app
    return Queue(periodic_queue_name(app.config["QUEUE_NAME"]), connection=redis_connection(app),
                 default_timeout=app.config["JOB_TIMEOUT"])


def job_id(kind: str, *parts: object) -> str:
    """A job id that names what it does ("countersign-deliver-12"), unique per queue.

    RQ takes only letters, digits, "-" and "_" in a job id (and reads what follows a ":" as an
    execution id), so anything else a queue name holds ("countersign.staging") becomes "_".
    """
    name = "-".join([current_app.config["QUEUE_NAME"], kind, *(str(p) for p in parts)])
    return _NOT_IN_JOB_ID.sub("_", name)


def waiting_jobs() -> frozenset[str] | None:
    """The ids of the delivery jobs waiting in the queue now; None when that cannot be known.

    What the recovery pass asks before enqueuing again a row still unclaimed long after its
    enqueue. Only a job *in the queue's list* will run: one a worker took and then died with
    (left "started", or stranded in RQ's intermediate list between dequeue and start, where its
    status still says "queued"), one Redis lost, or one that ended, never will. One read of the
    list, however many rows are asked about. Without Redis (inline jobs, or Redis down) the
    answer is None: every such row is enqueued again, and a second job finds it claimed or sent.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config.get("JOBS_INLINE"):
        return None
    try:
        queue = get_queue(app)
        return frozenset(queue.get_job_ids())
    except RedisError:
        return None


def forget_stranded(job_ids: list[str]) -> None:
    """Take these jobs out of RQ's intermediate list (a worker died between dequeue and start):
    they are enqueued again, and RQ's own clean-up must not later fail the job under that id."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config.get("JOBS_INLINE") or not job_ids:
        return
    try:
        queue = get_queue(app)
        with queue.connection.pipeline() as pipeline:
            for stranded in job_ids:
                pipeline.lrem(queue.intermediate_queue_key, 0, stranded)
            pipeline.execute()
    except RedisError:
        log.warning("Could not clear %d stranded jobs from the intermediate list", len(job_ids))


def enqueue_after_commit(session: so.Session, func: str, *args: Any, job_kind: str | None = None) -> None:
    """Enqueue ``func(*args)`` once ``session`` commits; forget it if the session rolls back.

    An argument may be a record not yet flushed: the job gets its id, and no flush is spent on
    it now (a sweep writing a thousand reminders flushes once, at the commit).
    """
    transactions.after_commit(session, PendingJob(func, args, job_kind).enqueue)


def enqueue_now(func: str, *args: Any, job_id: str | None = None) -> bool:
    """Enqueue (or, inline, run) a job; False when Redis is unreachable (the recovery pass retries)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config.get("JOBS_INLINE"):
        _run_inline(func, args)
        return True
    if not app.config.get("REDIS_URL"):
        # No queue configured (e.g. ``flask run`` alone): the rows wait in the outbox, said once.
        if not app.extensions.get("countersign.no_redis_told"):
            log.warning("REDIS_URL is not set: emails wait in the outbox until a worker runs (scripts/run starts one)")
            app.extensions["countersign.no_redis_told"] = True
        return False
    # The request (or the job) that enqueued it: the worker logs under the same id (app/ops/requestid.py).
    request_id = requestid.current()
    try:
        get_queue(app).enqueue(func, *args, job_id=job_id, result_ttl=app.config["JOB_RESULT_TTL"],
                               failure_ttl=app.config["JOB_FAILURE_TTL"],
                               meta={requestid.META_KEY: request_id} if request_id else None)
    except RedisError as error:
        log.warning("Could not enqueue %s%r (%s); the recovery pass will pick it up", func, args, error)
        return False
    return True


def _run_inline(func: str, args: tuple[Any, ...]) -> None:
    module, _, name = func.rpartition(".")
    # Every job opens its own app context (``in_app_context``), so its own session, as in a worker.
    getattr(importlib.import_module(module), name)(*args)


def in_app_context(func: Callable[P, R]) -> Callable[P, R]:
    """A job: runs in the current app context (the worker's) or, if none, in a new app's.

    Each run gets its own context, so its own database session, removed when it ends.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        app = current_app._get_current_object() if has_app_context() else _standalone_app()  # type: ignore[attr-defined]
        with app.app_context():
            return func(*args, **kwargs)

    return wrapper


@functools.cache
def _standalone_app() -> Flask:
    from app import create_app

    return create_app()
