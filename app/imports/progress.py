"""How far a running import has got, where other connections read it while its transaction is open.

The import writes every row in one database transaction, so nothing it writes there is visible to
the page polling its status until the commit (and on SQLite a second connection could not even
write beside it). Its progress therefore goes to Redis, outside the transaction: a small hash per
run, written every :data:`EVERY` rows and read by the status endpoint. Without Redis (inline runs,
or Redis down) there is no progress to show; the run's state in the database still says where it is.
"""

from __future__ import annotations

import logging

from flask import current_app
from redis.exceptions import RedisError

from app.background.queue import redis_connection

log = logging.getLogger(__name__)

#: Progress is written every this many rows (and at the end).
EVERY = 250
#: A run's progress outlives it by this long (a page polling late still reads 100%).
TTL_SECONDS = 24 * 3600


def _key(run_id: int) -> str:
    return f"{current_app.config['QUEUE_NAME']}:import-progress:{run_id}"


def _available() -> bool:
    return bool(current_app.config.get("REDIS_URL")) and not current_app.config.get("JOBS_INLINE")


def report(run_id: int, done: int, total: int) -> None:
    """Say ``done`` of ``total`` rows are written; a Redis outage costs the progress bar, never the import."""
    if not _available():
        return
    try:
        with redis_connection().pipeline() as pipeline:
            pipeline.hset(_key(run_id), mapping={"done": done, "total": total})
            pipeline.expire(_key(run_id), TTL_SECONDS)
            pipeline.execute()
    except RedisError as error:
        log.warning("Could not write the progress of import %s (%s)", run_id, error)


def read(run_id: int) -> tuple[int, int] | None:
    """(done, total) of the run's rows, or None when nothing was reported (or Redis cannot say)."""
    if not _available():
        return None
    try:
        found = redis_connection().hgetall(_key(run_id))
    except RedisError:
        return None
    if not found:
        return None
    return int(found[b"done"]), int(found[b"total"])
