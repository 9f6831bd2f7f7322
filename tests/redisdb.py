"""A Redis database of a test run's own on 127.0.0.1:6379, claimed so that parallel runs never
share one (and nothing uses database 0 or a fixed queue name).

A database among 1..15 is free when ``SET countersign-test-db-claim <uuid> NX EX 3600``
succeeds on it and it holds no other key. It is only ever emptied while the claim is still
ours; releasing empties it and gives it back.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from redis import Redis, WatchError
from redis.exceptions import RedisError
from rq import Queue

from app.background.queue import periodic_queue_name
from app.background.workers import PulsingWorker

HOST = os.environ.get("TEST_REDIS_HOST", "127.0.0.1")
PORT = int(os.environ.get("TEST_REDIS_PORT", "6379"))
CLAIM_KEY = "countersign-test-db-claim"
CLAIM_SECONDS = 3600


@dataclass
class ClaimedRedis:
    number: int
    token: str
    connection: Redis
    queue_name: str = field(default_factory=lambda: f"test-{uuid.uuid4().hex[:8]}")

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{PORT}/{self.number}"

    def flush(self) -> None:
        """FLUSHDB this database (ours), keeping (and renewing) the claim, in one transaction."""
        self._if_ours(lambda pipe: (pipe.flushdb(), pipe.set(CLAIM_KEY, self.token, ex=CLAIM_SECONDS)))

    def worker(self, name: str, pulse_seconds: float = 5.0) -> PulsingWorker:
        """A worker as ``flask jobs worker`` makes it on this database, registered (its pulse
        beating) and idle, as when it waits for jobs; ``register_death()`` it when done."""
        queues = [Queue(periodic_queue_name(self.queue_name), connection=self.connection),
                  Queue(self.queue_name, connection=self.connection)]
        worker = PulsingWorker(queues, connection=self.connection, name=name, queue_name=self.queue_name,
                               pulse_seconds=pulse_seconds)
        worker.register_birth()
        worker.set_state("idle")
        return worker

    def release(self) -> None:
        """Empty the database and give it back (closing the connection)."""
        try:
            self._if_ours(lambda pipe: pipe.flushdb())
        finally:
            self.connection.close()

    def _if_ours(self, work: Callable[[Any], object]) -> None:
        with self.connection.pipeline() as pipe:
            try:
                pipe.watch(CLAIM_KEY)
                if pipe.get(CLAIM_KEY) != self.token.encode():
                    raise AssertionError(f"Redis database {self.number} is no longer claimed by this run")
                pipe.multi()
                work(pipe)
                pipe.execute()
            except WatchError as error:
                raise AssertionError(f"Redis database {self.number}: the claim changed under us") from error


def claim() -> ClaimedRedis:
    """Claim a free database, or fail the test saying why there is none."""
    token = uuid.uuid4().hex
    try:
        for number in range(1, 16):
            connection = Redis(host=HOST, port=PORT, db=number, socket_connect_timeout=2, socket_timeout=10)
            if connection.set(CLAIM_KEY, token, nx=True, ex=CLAIM_SECONDS):
                if connection.dbsize() == 1:  # nothing but our claim: nobody else uses this database
                    return ClaimedRedis(number, token, connection)
                connection.delete(CLAIM_KEY)  # someone's data is here: leave it alone
            connection.close()
    except RedisError as error:
        pytest.fail(f"These tests need Redis on {HOST}:{PORT} (scripts/test starts it): {error}")
    pytest.fail(f"No free Redis database among 1..15 on {HOST}:{PORT}: each holds keys or another run's claim.")


def drop_app_connection(app: Any) -> None:
    """Forget the app's cached Redis connection, so the next use reads REDIS_URL again."""
    connection = app.extensions.pop("countersign.redis", None)
    if connection is not None:
        connection.close()
