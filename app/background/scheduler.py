"""The one scheduler: RQ's cron scheduler, guarded by a Redis lock so only one instance runs.

A second scheduler (on this machine or another) stands by until the first stops or dies;
its lock lapses ``LOCK_SECONDS`` after the last heartbeat, and the stand-by takes over.
The jobs themselves are also safe to run twice at once, so the lock keeps the queue tidy
rather than being the only guard.
"""

from __future__ import annotations

import logging
import time
import uuid

from redis import Redis
from rq.cron import CronJob, CronScheduler
from rq.exceptions import StopRequested

from app.reminders import jobs as reminder_jobs

LOCK_SECONDS = 30
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end
"""


class LostLock(Exception):
    """Another scheduler holds the lock now (this one stalled past its lease)."""


def lock_key(queue_name: str) -> str:
    return f"countersign:{queue_name}:scheduler-lock"


class SingleScheduler(CronScheduler):
    """RQ's CronScheduler that runs only while it holds the queue's scheduler lock."""

    def __init__(self, connection: Redis, queue_name: str, interval: int, standby_poll: float = 5.0) -> None:
        super().__init__(connection=connection, logging_level=logging.INFO)
        self.queue_name = queue_name
        self.token = uuid.uuid4().hex
        self.standby_poll = standby_poll
        self.register(reminder_jobs.sweep, queue_name=queue_name, interval=interval, job_timeout=600)

    @property
    def lock(self) -> str:
        return lock_key(self.queue_name)

    def acquire(self) -> bool:
        return bool(self.connection.set(self.lock, self.token, nx=True, ex=LOCK_SECONDS))

    def release(self) -> None:
        """Give the lock up (only if this scheduler still holds it), so a stand-by takes over."""
        self.connection.eval(_RELEASE, 1, self.lock, self.token)

    def renew(self) -> None:
        """Extend this scheduler's lease; :class:`LostLock` when another holds the lock now."""
        if not self.connection.eval(_RENEW, 1, self.lock, self.token, LOCK_SECONDS * 1000):
            raise LostLock(self.lock)

    def wait_for_lock(self) -> None:
        told = False
        while not self.acquire():
            if not told:
                holder = self.connection.get(self.lock)
                self.log.info("Another scheduler (%s) is running; standing by.", (holder or b"?").decode())
                told = True
            time.sleep(self.standby_poll)
        self.log.info("Scheduler %s holds the lock; sweeping every %ss.", self.name, self._cron_jobs[0].interval)

    def enqueue_jobs(self) -> list[CronJob]:
        # Only the holder enqueues: after a stall past the lease another scheduler may be running.
        self.renew()
        return super().enqueue_jobs()

    def heartbeat(self) -> None:
        self.renew()
        super().heartbeat()

    def calculate_sleep_interval(self) -> float:
        # RQ sleeps until the next job is due (up to 60 s), but the lease lapses after
        # LOCK_SECONDS: wake in time to renew it, or a stand-by takes over, and this one dies.
        return min(super().calculate_sleep_interval(), LOCK_SECONDS / 3)

    def start(self) -> None:
        """Stand by until this scheduler holds the lock, then run; stand by again if it loses it."""
        while True:
            try:
                self.wait_for_lock()
            except StopRequested:  # SIGTERM while standing by (the handler is RQ's, from a run)
                return
            try:
                super().start()
                return
            except LostLock:
                self.log.warning("Scheduler %s lost the lock (stalled past its lease); standing by.", self.name)
            finally:
                self.release()
