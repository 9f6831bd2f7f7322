"""A Redis database of a test's own on 127.0.0.1:6379, claimed so that parallel runs never share one.

A database among 1..15 is free when ``SET countersign-test-db-claim <uuid> NX EX 3600`` succeeds
on it and it holds no other key. Releasing deletes every other key, then the claim (only if it is
still ours: an expired claim someone else took over is left alone).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from redis import Redis
from redis.exceptions import RedisError

HOST, PORT = "127.0.0.1", 6379
CLAIM_KEY = "countersign-test-db-claim"
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"


@dataclass(frozen=True)
class RedisDb:
    connection: Redis
    number: int
    token: str
    queue_name: str

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{PORT}/{self.number}"


def claim() -> RedisDb:
    """Claim a free database (failing the test, with the reason, when there is none)."""
    token = uuid.uuid4().hex
    try:
        for number in range(1, 16):
            connection = Redis(host=HOST, port=PORT, db=number, socket_connect_timeout=2, socket_timeout=10)
            if connection.set(CLAIM_KEY, token, nx=True, ex=3600):
                if connection.dbsize() == 1:  # nothing but our claim: nobody else is using it
                    return RedisDb(connection, number, token, f"test-{uuid.uuid4().hex[:8]}")
                connection.eval(_RELEASE, 1, CLAIM_KEY, token)
            connection.close()
    except RedisError as error:
        pytest.fail(f"These tests need Redis on {HOST}:{PORT} (scripts/test starts it): {error}")
    pytest.fail(f"No free Redis database among 1..15 on {HOST}:{PORT}: each holds keys or another run's claim.")


def release(claimed: RedisDb) -> None:
    """Delete everything the test left in its database, then give the database back."""
    connection = claimed.connection
    keys = [key for key in connection.scan_iter(count=500) if key != CLAIM_KEY.encode()]
    if keys:
        connection.delete(*keys)
    connection.eval(_RELEASE, 1, CLAIM_KEY, claimed.token)
    connection.close()
