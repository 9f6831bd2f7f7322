"""Workers, and knowing which of them are alive.

RQ's own registry keeps a worker listed long after it died: its key lapses only when the job it
held could have timed out (minutes), a SIGKILLed worker stays "busy", and a flushed Redis
forgets live ones. So each of our workers has a pulse: a thread that, every
``WORKER_PULSE_SECONDS``, writes the worker's state and current job to a key that lapses after
three beats, and names the worker in the queue's set of workers. The thread beats while a job
runs in the main thread, and writes everything again after a flush or a restart of Redis. The
Jobs page lists exactly the workers with a pulse; the others are gone, and are cleared from
both registries as they are found.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from dataclasses import dataclass
from enum import Enum
from typing import Any

from redis import Redis
from redis.exceptions import RedisError
from rq import SimpleWorker
from rq.worker_registration import REDIS_WORKER_KEYS, WORKERS_BY_QUEUE_KEY

from app.background.queue import periodic_queue_name

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
        self._stopped = threading.Event()
        self._pulse: threading.Thread | None = None

    def register_birth(self) -> None:
        super().register_birth()
        self.beat()
        self._pulse = threading.Thread(target=self._beat_until_stopped, name=f"pulse-{self.name}", daemon=True)
        self._pulse.start()

    def register_death(self) -> None:
        self._stopped.set()
        with contextlib.suppress(RedisError):
            self.connection.delete(_pulse_key(self.queue_name, self.name))
            self.connection.srem(_workers_key(self.queue_name), self.name)
        super().register_death()

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
