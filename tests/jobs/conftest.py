"""Fixtures of the job suite: the real Redis on this machine, a local SMTP server, real workers.

Redis: one database of 1..15 on 127.0.0.1:6379 is claimed for the session with
``SET countersign-test-db-claim <uuid> NX EX 3600`` and used only while it held nothing else,
so parallel runs (and other projects following the same rule) never share one; each test
gets a queue name of its own on it, and the database is emptied (keeping the claim) after
each test and released at the end. Nothing uses a fixed queue name or database 0.

The workers are ``flask jobs worker`` processes configured only through their environment
(``COUNTERSIGN_ENV=testing`` with ``TEST_DATABASE_URL`` pointing at this run's database,
``TEST_JOBS_INLINE=0``, ``TEST_MAIL_TRANSPORT=smtp`` and the SMTP sink's port), exactly as a
deployment would start them; each is stopped when its test ends.

Time: workers judge leases, back-offs and lost jobs by time passing, so a frozen clock would stall
them. The test's clock is set *running* instead (``TestClock.running``): from the test's moment,
at the wall clock's pace, and handed to every worker and scheduler as ``TEST_CLOCK``, so this
process and its workers read the very same time at the same instant, whatever the hour outside.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from redis import Redis
from rq import Queue

from app.accounts.models import User
from app.background.queue import periodic_queue_name
from app.background.workers import live_workers
from app.extensions import db
from app.notifications.models import NotificationPreference
from tests import redisdb
from tests.clock import TestClock
from tests.jobs.helpers import FlaskProcess, PrivateRedis, SmtpSink, WorkerProcess, wait_for
from tests.redisdb import ClaimedRedis

#: The job suite's settings: short enough that recovery happens within a test.
SETTINGS: dict[str, Any] = {
    "JOBS_INLINE": False,
    "MAIL_TRANSPORT": "smtp",
    "MAIL_SERVER": "127.0.0.1",
    "MAIL_TIMEOUT": 5,
    "MAIL_USE_TLS": False,
    "MAIL_USERNAME": "",
    "MAIL_LEASE_SECONDS": 3,
    "RECOVER_AFTER_SECONDS": 1,
    "MAIL_RETRY_DELAYS": (0, 0),
    "SCHEDULER_LOCK_SECONDS": 4,
    "SCHEDULER_POLL_SECONDS": 0.5,
    "WORKER_PULSE_SECONDS": 0.5,
}


# --- Redis ---------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def claimed_redis() -> Iterator[ClaimedRedis]:
    claimed = redisdb.claim()
    yield claimed
    claimed.release()


# --- settings, mail, workers -----------------------------------------------------------------------



@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def mail_to_sink(configure: Callable[..., None], smtp_sink: SmtpSink) -> SmtpSink:
    """This process sends its mail through SMTP, to the sink."""
    configure(**{**SETTINGS, "MAIL_PORT": smtp_sink.port})
    return smtp_sink


@dataclass
class Jobs:
    """One test's background machinery: its queue on the claimed Redis, the sink, its workers."""

    app: Flask
    redis: ClaimedRedis
    queue_name: str
    sink: SmtpSink
    tmp_path: Path
    change: Callable[..., None]
    clock_start: str  # TEST_CLOCK: the test's running clock, for the workers
    settings: dict[str, Any] = field(default_factory=dict)
    workers: list[WorkerProcess] = field(default_factory=list)
    processes: list[FlaskProcess] = field(default_factory=list)

    def configure(self, **values: Any) -> None:
        """Settings for this process and for the workers started from now on."""
        self.settings.update(values)
        self.change(**values)

    @property
    def connection(self) -> Redis:
        """Redis as the workers see it (REDIS_URL: the claimed database, or a test's private server)."""
        return Redis.from_url(self.settings["REDIS_URL"])

    @property
    def queue(self) -> Queue:
        return Queue(self.queue_name, connection=self.connection)

    @property
    def periodic_queue(self) -> Queue:
        return Queue(periodic_queue_name(self.queue_name), connection=self.connection)

    def environment(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith(("FLASK_", "COUNTERSIGN_"))}
        settings = self.settings
        env.update({
            "COUNTERSIGN_ENV": "testing",
            "COUNTERSIGN_INSTANCE": str(self.tmp_path / "worker-instance"),
            "TEST_DATABASE_URL": self.app.config["SQLALCHEMY_DATABASE_URI"],
            "TEST_JOBS_INLINE": "1" if settings["JOBS_INLINE"] else "0",
            "TEST_MAIL_TRANSPORT": settings["MAIL_TRANSPORT"],
            "REDIS_URL": settings["REDIS_URL"],
            "QUEUE_NAME": settings["QUEUE_NAME"],
            "MAIL_SERVER": settings["MAIL_SERVER"],
            "MAIL_PORT": str(settings["MAIL_PORT"]),
            "MAIL_TIMEOUT": str(settings["MAIL_TIMEOUT"]),
            "MAIL_USE_TLS": "1" if settings["MAIL_USE_TLS"] else "",
            "MAIL_USERNAME": settings["MAIL_USERNAME"],
            "MAIL_LEASE_SECONDS": str(settings["MAIL_LEASE_SECONDS"]),
            "RECOVER_AFTER_SECONDS": str(settings["RECOVER_AFTER_SECONDS"]),
            "MAIL_RETRY_DELAYS": ",".join(str(d) for d in settings["MAIL_RETRY_DELAYS"]),
            "SCHEDULER_LOCK_SECONDS": str(settings["SCHEDULER_LOCK_SECONDS"]),
            "SCHEDULER_POLL_SECONDS": str(settings["SCHEDULER_POLL_SECONDS"]),
            "WORKER_PULSE_SECONDS": str(settings["WORKER_PULSE_SECONDS"]),
            "TEST_CLOCK": self.clock_start,
            "PYTHONUNBUFFERED": "1",
        })
        return env

    def start_worker(self, wait: bool = True) -> WorkerProcess:
        """A real ``flask jobs worker`` on this test's queue; ``wait``: until it has registered."""
        name = f"{self.queue_name}-w{len(self.workers) + 1}"
        worker = WorkerProcess(name, self.environment(), self.tmp_path / f"{name}.log",
                               self.connection, self.queue_name)
        self.workers.append(worker)
        self.processes.append(worker)
        return worker.wait_until_ready() if wait else worker

    def start_scheduler(self, interval: int = 5) -> FlaskProcess:
        """A real ``flask jobs scheduler`` for this test's queue."""
        name = f"{self.queue_name}-s{len(self.processes) + 1}"
        scheduler = FlaskProcess(name, ["jobs", "scheduler", "--interval", str(interval)], self.environment(),
                                 self.tmp_path / f"{name}.log")
        self.processes.append(scheduler)
        return scheduler

    def logs(self) -> str:
        return "\n".join(p.log_tail() for p in self.processes)

    def idle(self) -> bool:
        """Nothing queued, and every live worker of this test waiting for work."""
        if self.queue.count or self.periodic_queue.count:
            return False
        live = {w.name for w in self.workers if w.process.poll() is None}
        states = {w.name: w.state for w in live_workers(self.connection, self.queue_name) if w.name in live}
        return set(states) == live and all(state == "idle" for state in states.values())

    def settle(self, timeout: float = 30.0) -> None:
        """Wait until the queue is empty and the workers idle (twice in a row, a moment apart)."""
        wait_for(lambda: self.idle() and _still(self.idle), "the workers to go idle", timeout=timeout,
                 details=self.logs)

    def stop(self) -> None:
        for process in self.processes:  # the test is over: no need for RQ's warm shutdown
            process.kill()
            process.close()


def _still(condition: Callable[[], bool], after: float = 0.2) -> bool:
    time.sleep(after)
    return condition()


@pytest.fixture
def jobs(app: Flask, configure: Callable[..., None], claimed_redis: ClaimedRedis, smtp_sink: SmtpSink,
         tmp_path: Path, clock: TestClock) -> Iterator[Jobs]:
    """A queue of this test's own on the claimed Redis, mail to the sink, real workers on call,
    and the test's clock running (from where the test set it) in this process and the workers."""
    queue_name = f"cs-jobs-{uuid.uuid4().hex[:10]}"
    redisdb.drop_app_connection(app)
    with clock.running() as clock_start:
        machinery = Jobs(app, claimed_redis, queue_name, smtp_sink, tmp_path, configure, clock_start)
        machinery.configure(**SETTINGS, MAIL_PORT=smtp_sink.port, REDIS_URL=claimed_redis.url, QUEUE_NAME=queue_name)
        try:
            yield machinery
        finally:
            machinery.stop()
            db.session.rollback()
            redisdb.drop_app_connection(app)
            claimed_redis.flush()


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path / "redis").start()
    yield server
    server.stop()


@pytest.fixture
def chaos(jobs: Jobs, private_redis: PrivateRedis, app: Flask) -> Iterator[Jobs]:
    """``jobs`` on a Redis of the test's own, which it may flush whole, stop and start again."""
    jobs.configure(REDIS_URL=private_redis.url)
    redisdb.drop_app_connection(app)
    yield jobs
    jobs.stop()
    redisdb.drop_app_connection(app)


@pytest.fixture
def awake(people: dict[str, User]) -> dict[str, User]:
    """``people`` with no quiet hours, so no email of theirs waits for a morning however long a
    test's running clock runs, and who take only reminders by email (the campaign updates building a campaign
    writes stay in the app: the worker has fewer emails to get through)."""
    for user in people.values():
        prefs = NotificationPreference.defaults(user.id)
        prefs.quiet_start = prefs.quiet_end = 0
        prefs.updates_email = False
        db.session.add(prefs)
    db.session.commit()
    return people
