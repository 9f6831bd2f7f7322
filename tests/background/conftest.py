"""Fixtures for the background pages: config overrides that undo themselves, and a real Redis.

The ``app`` fixture lives for the whole session, so every setting a test changes is put back
afterwards. Tests that need Redis get a database of their own on 127.0.0.1:6379 (one of 1..15,
claimed with ``SET countersign-test-db-claim <uuid> NX EX 3600``: see tests/redisdb.py) and a queue
name of their own, so they never collide with another run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask

from tests import redisdb


@pytest.fixture
def redis_db(app: Flask, configure: Callable[..., None]) -> Iterator[redisdb.ClaimedRedis]:
    """A real Redis database of this test's own, with the app's queue on it (jobs not inline)."""
    claimed = redisdb.claim()
    try:
        drop_app_connection(app)
        configure(REDIS_URL=claimed.url, QUEUE_NAME=claimed.queue_name, JOBS_INLINE=False)
        yield claimed
    finally:
        drop_app_connection(app)
        claimed.release()


@pytest.fixture
def no_redis(app: Flask, configure: Callable[..., None]) -> Iterator[None]:
    """No REDIS_URL at all (the tests' default, made explicit whatever the environment says)."""
    drop_app_connection(app)
    configure(REDIS_URL="")
    yield
    drop_app_connection(app)


def drop_app_connection(app: Flask) -> None:
    """Forget the app's cached Redis connection, so the next use reads REDIS_URL again."""
    connection = app.extensions.pop("countersign.redis", None)
    if connection is not None:
        connection.close()
