"""One test's background machinery: its queue, the SMTP sink, and the real workers and scheduler
it starts, all configured through their environment as a deployment would start them."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask
from redis import Redis
from rq import Queue

from app.background.queue import periodic_queue_name
from app.background.workers import live_workers
from tests.jobs.helpers import FlaskProcess, SmtpSink, WorkerProcess, wait_for
from tests.redisdb import ClaimedRedis


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
        # Webhook settings a test chose (tests/jobs/test_webhooks.py): the workers deliver by the same.
        env.update({key: ",".join(str(v) for v in value) if isinstance(value, tuple) else str(value)
                    for key, value in settings.items() if key.startswith("WEBHOOKS_")})
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
