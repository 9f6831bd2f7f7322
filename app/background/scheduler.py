"""The one scheduler: enqueues the periodic work (sweep, dispatch, recovery) on its own queue,
guarded by a Redis lock so that only one instance does it.

It is a loop that only a signal ends. Any Redis error (a restart, a flush, a network blip) is
said once and ridden out: the scheduler backs off, asks again, takes its lock back when Redis
returns and carries on. A second scheduler (on this machine or another) stands by the same way
until the holder stops or dies; the lock lapses ``lock_seconds`` after its last renewal, and the
stand-by takes over within a poll of that. The periodic jobs are the features' own
(:mod:`app.background.registry`); each is safe to run twice at once, so the lock keeps the queue
tidy rather than being the only guard.
"""

from __future__ import annotations

import contextlib
import logging
import time
import uuid

from redis import Redis
from redis.exceptions import RedisError
from rq.cron import CronJob, CronScheduler
from rq.exceptions import SchedulerNotFound, StopRequested

from app.background import registry
from app.background.queue import periodic_queue_name

LOCK_SECONDS = 30
#: Take the lock if it is free, or keep it if it is still this scheduler's (after a blip).
_ACQUIRE = """
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
return 0
"""
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end
"""


class LostLock(Exception):
    """The lock is not this scheduler's any more: another took it, or Redis lost it (flushed, restarted)."""


def lock_key(queue_name: str) -> str:
    return f"countersign:{queue_name}:scheduler-lock"


class SingleScheduler(CronScheduler):
    """RQ's cron scheduler that enqueues only while it holds the queue's scheduler lock."""

    def __init__(self, connection: Redis, queue_name: str, interval: int, standby_poll: float = 5.0,
                 lock_seconds: int = LOCK_SECONDS) -> None:
        super().__init__(connection=connection, logging_level=logging.INFO)
        self.queue_name = queue_name
        self.token = uuid.uuid4().hex
        self.standby_poll = standby_poll
        self.lock_seconds = lock_seconds
        self.holding = False
        self._told_standing_by = False
        self._outage: str | None = None  # the Redis error being ridden out, said once
        self._retry_in = 0.5
        self.interval = interval
        # The jobs come from the features that own them (registered in the app factory).
        for job in registry.periodic_jobs():
            self.register(job.func, queue_name=periodic_queue_name(queue_name), interval=interval,
                          job_timeout=job.timeout)

    @property
    def lock(self) -> str:
        return lock_key(self.queue_name)

    # --- the lock ---------------------------------------------------------------------------------

    def acquire(self) -> bool:
        return bool(self.connection.eval(_ACQUIRE, 1, self.lock, self.token, self.lock_seconds * 1000))

    def release(self) -> None:
        """Give the lock up (only if this scheduler still holds it), so a stand-by takes over."""
        self.connection.eval(_RELEASE, 1, self.lock, self.token)

    def renew(self) -> None:
        """Extend this scheduler's lease; :class:`LostLock` when the lock is not its own any more."""
        if not self.connection.eval(_RENEW, 1, self.lock, self.token, self.lock_seconds * 1000):
            raise LostLock(self.lock)

    def wait_for_lock(self) -> None:
        """Stand by until this scheduler holds the lock."""
        while not self.acquire():
            self._standing_by()
            time.sleep(self.standby_poll)
        self._took_lock()

    # --- RQ's cron scheduler, only while holding the lock --------------------------------------

    def enqueue_jobs(self) -> list[CronJob]:
        # Only the holder enqueues: after a stall past the lease another scheduler may be running.
        self.renew()
        return super().enqueue_jobs()

    def heartbeat(self) -> None:
        self.renew()
        super().heartbeat()

    def calculate_sleep_interval(self) -> float:
        # RQ sleeps until the next job is due (up to 60 s), but the lease lapses after
        # lock_seconds: wake in time to renew it, or a stand-by takes over.
        return min(super().calculate_sleep_interval(), self.lock_seconds / 3)

    # --- the loop -----------------------------------------------------------------------------------

    def start(self) -> None:
        """Run until SIGTERM or SIGINT: hold the lock and enqueue, or stand by; ride out Redis errors."""
        self._install_signal_handlers()
        try:
            while True:
                pause = self.step()
                if pause > 0:
                    time.sleep(pause)
        except (StopRequested, KeyboardInterrupt):
            self.log.info("Scheduler %s: stopping.", self.name)
        finally:
            self._let_go()

    def step(self) -> float:
        """One turn of the loop: seconds to sleep before the next."""
        try:
            if not self.holding:
                if not self.acquire():
                    self._redis_back()
                    self._standing_by()
                    return self.standby_poll
                self._took_lock()
            if self.enqueue_jobs():
                self.save()  # RQ's record of the jobs' last runs, for its own tools
            self.heartbeat()
            self._redis_back()
            return self.calculate_sleep_interval()
        except LostLock:
            self.holding = False
            self.log.warning("Scheduler %s: the lock is no longer mine (another scheduler took it, or Redis "
                             "lost it); asking for it again.", self.name)
            return 0
        except RedisError as error:
            return self._redis_down(error)

    def _took_lock(self) -> None:
        self.holding, self._told_standing_by = True, False
        self.log.info("Scheduler %s holds the lock (token %s); sweeping every %ss.", self.name, self.token,
                      self.interval)
        with contextlib.suppress(RedisError):
            self.register_birth()

    def _standing_by(self) -> None:
        if not self._told_standing_by:
            holder = self.connection.get(self.lock)
            self.log.info("Another scheduler (%s) is running; standing by.", (holder or b"?").decode())
            self._told_standing_by = True

    def _redis_down(self, error: RedisError) -> float:
        if self._outage is None:
            self.log.warning("Scheduler %s: Redis unreachable (%s); retrying until it is back.", self.name, error)
            self._outage = str(error)
        pause, self._retry_in = self._retry_in, min(self._retry_in * 2, self.standby_poll)
        return pause

    def _redis_back(self) -> None:
        if self._outage is not None:
            self.log.info("Scheduler %s: Redis is back.", self.name)
        self._outage, self._retry_in = None, 0.5

    def _let_go(self) -> None:
        """On the way out: free the lock for a stand-by at once, and leave RQ's registry."""
        with contextlib.suppress(RedisError, SchedulerNotFound):
            self.release()
            self.register_death()
        self.holding = False
        self.log.info("Scheduler %s: stopped.", self.name)
