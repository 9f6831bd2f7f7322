"""Workers, and knowing which of them are alive.

RQ's own registry keeps a worker listed long after it died: its key lapses only when the job it
held could have timed out (minutes), a SIGKILLed worker stays "busy", and a flushed Redis
forgets live ones. So each of our workers has a pulse: a thread that, every
``WORKER_PULSE_SECONDS``, writes the worker's state and current job to a key that lapses after
three beats, and names the worker in the queue's set of workers. The thread beats while a job
runs in the main thread, and writes everything again after a flush or a restart of Redis. The
Jobs page lists exactly the workers with a pulse; the others are gone, and are cleared from
both registries as they are found.

RQ's work loop ends when Redis fails under a busy worker (it logs "quitting", or raises from
its own ``register_death``); ``serve`` waits for Redis and starts a fresh worker, so workers,
like the scheduler, ride out a restart of Redis without a supervisor's help.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from redis import Redis
from redis.exceptions import RedisError
from rq import SimpleWorker
from rq.worker_registration import REDIS_WORKER_KEYS, WORKERS_BY_QUEUE_KEY

from app.background.queue import periodic_queue_name
from app.ops import requestid

log = logging.getLogger(__name__)

#: A pulse lapses after this many missed beats.
BEATS_TO_LAPSE = 3


def _workers_key(queue_name: str) -> str:
    return f"countersign:{queue_name}:workers"


def _pulse_key(queue_name: str, worker_name: str) -> str:
    return f"countersign:{queue_name}:worker:{worker_name}"


@dataclass(frozen=True)
class LiveWorker:
    name: str
    state: str  # RQ's: idle, busy, suspended, started
    current: str  # the job it runs now ("" when none)


class PulsingWorker(SimpleWorker):
    """RQ's SimpleWorker (jobs run in this process) with a pulse; ``queue_name`` names it in
    the Jobs page's list (its first queue is the periodic one, served first)."""

    def __init__(self, *args: Any, queue_name: str, pulse_seconds: float = 5.0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue_name = queue_name
        self.pulse_seconds = pulse_seconds
        self._current_job = ""
        self.stop_requested = False  # by a signal: the work loop ended on purpose
        self._stopped = threading.Event()
        self._pulse: threading.Thread | None = None

    def register_birth(self) -> None:
        self._free_the_name()
        super().register_birth()
        self.beat()
        self._pulse = threading.Thread(target=self._beat_until_stopped, name=f"pulse-{self.name}", daemon=True)
        self._pulse.start()

    def _free_the_name(self) -> None:
        """A worker restarted under its name after a kill finds its dead self still registered:
        wait for that pulse to lapse (three beats at most), then clear it. A namesake that still
        beats is alive, and RQ refuses the name."""
        pulse = _pulse_key(self.queue_name, self.name)
        waited = 0.0
        while self.connection.exists(pulse) and waited < self.pulse_seconds * (BEATS_TO_LAPSE + 1):
            if not waited:
                log.info("Worker %s: waiting for the pulse of a worker of the same name to lapse.", self.name)
            time.sleep(self.pulse_seconds / 2)
            waited += self.pulse_seconds / 2
        if not self.connection.exists(pulse):
            _clear(self.connection, self.queue_name, self.name)

    def register_death(self) -> None:
        self._stopped.set()
        with contextlib.suppress(RedisError):
            self.connection.delete(_pulse_key(self.queue_name, self.name))
            self.connection.srem(_workers_key(self.queue_name), self.name)
        super().register_death()

    def perform_job(self, job: Any, queue: Any) -> bool:
        """Run ``job`` under the id of the request that enqueued it: its log lines, and the jobs it
        enqueues, carry it (app/ops/requestid.py)."""
        request_id = (job.meta or {}).get(requestid.META_KEY)
        with requestid.carried(request_id):
            if request_id:
                log.info("Job %s (%s) for request %s", job.id, job.func_name, request_id)
            return bool(super().perform_job(job, queue))

    def request_stop(self, signum: int, frame: Any) -> None:
        self.stop_requested = True
        super().request_stop(signum, frame)

    def set_state(self, state: str, pipeline: Any = None) -> None:
        super().set_state(state, pipeline)
        self._write_pulse(pipeline)  # at once, not at the next beat: the page shows busy/idle as it is

    def set_current_job_id(self, job_id: str | None = None, pipeline: Any = None) -> None:
        self._current_job = job_id or ""
        super().set_current_job_id(job_id, pipeline)
        self._write_pulse(pipeline)

    def beat(self) -> None:
        self._write_pulse(None)

    def _write_pulse(self, pipeline: Any) -> None:
        """The worker's name in the set, its state and job in a key that lapses after missed beats.

        Written whole every time, so a flushed or restarted Redis has it all again at the next beat.
        """
        key = _pulse_key(self.queue_name, self.name)
        state = self.get_state()
        own = pipeline is None
        writer = self.connection.pipeline() if own else pipeline
        writer.sadd(_workers_key(self.queue_name), self.name)
        writer.hset(key, mapping={"state": state.value if isinstance(state, Enum) else str(state),
                                  "current": self._current_job})
        writer.pexpire(key, int(self.pulse_seconds * BEATS_TO_LAPSE * 1000))
        if own:
            writer.execute()

    def _beat_until_stopped(self) -> None:
        while not self._stopped.wait(self.pulse_seconds):
            try:
                self.beat()
            except RedisError:  # Redis is down: the next beat writes everything again
                continue
            except Exception:  # never let the pulse die silently while the worker lives on
                log.exception("Worker %s: pulse failed", self.name)


def serve(make_worker: Callable[[], PulsingWorker], *, burst: bool = False, retry_limit: float = 5.0) -> None:
    """Run ``make_worker()``'s worker until a signal (or, with ``burst``, an empty queue) ends it.

    When its loop ends any other way, Redis failed under it: say so once, wait until Redis
    answers (a signal still stops the wait), and serve on with a fresh worker (under the same
    name, when it was given one). The job in flight then is the database's to recover: its row is sent, or its lease
    runs out and the recovery pass enqueues it again (see notifications.delivery).
    """
    while True:
        worker = make_worker()
        with contextlib.suppress(RedisError):  # RQ's own teardown could not reach Redis: said below
            worker.work(burst=burst, logging_level="INFO")
        if worker.stop_requested or (burst and _answers(worker.connection)):
            return
        log.warning("Worker %s: Redis failed under it; a fresh worker starts when Redis answers again.", worker.name)
        if not _wait_for_redis(worker.connection, retry_limit):
            log.info("Worker %s: stopping.", worker.name)
            return
        with contextlib.suppress(RedisError):
            worker.register_death()  # RQ's record of the old one, if Redis kept it: the name is free again
        log.info("Worker %s: Redis is back; serving again.", worker.name)


def _answers(connection: Redis) -> bool:
    try:
        return bool(connection.ping())
    except RedisError:
        return False


def _wait_for_redis(connection: Redis, retry_limit: float) -> bool:
    """Back off (0.5 s, doubling to ``retry_limit``) until Redis answers: True, or False on a signal."""
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        pause = 0.5
        while not _answers(connection):
            if stop.wait(pause):
                return False
            pause = min(pause * 2, retry_limit)
        return True
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def live_workers(connection: Redis, queue_name: str) -> list[LiveWorker]:
    """The workers with a pulse, by name; the ones whose pulse lapsed are cleared as they are found."""
    names = sorted(n.decode() for n in connection.smembers(_workers_key(queue_name)))
    with connection.pipeline() as pipeline:
        for name in names:
            pipeline.hgetall(_pulse_key(queue_name, name))
        pulses = pipeline.execute()
    alive: list[LiveWorker] = []
    for name, pulse in zip(names, pulses, strict=True):
        if pulse:
            alive.append(LiveWorker(name, pulse.get(b"state", b"?").decode(), pulse.get(b"current", b"").decode()))
        else:
            _clear(connection, queue_name, name)
    return alive


def _clear(connection: Redis, queue_name: str, name: str) -> None:
    """Forget a worker that died without saying so (SIGKILL, a lost machine)."""
    rq_key = f"{SimpleWorker.redis_worker_namespace_prefix}{name}"
    with connection.pipeline() as pipeline:
        pipeline.srem(_workers_key(queue_name), name)
        pipeline.delete(rq_key)
        pipeline.srem(REDIS_WORKER_KEYS, rq_key)
        for queue in (queue_name, periodic_queue_name(queue_name)):
            pipeline.srem(WORKERS_BY_QUEUE_KEY % queue, rq_key)
        pipeline.execute()
