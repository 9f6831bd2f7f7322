"""Built feeds kept in Redis, gzip-compressed, one per link, under the fingerprint they were built for.

The ETag says whether a client's copy is current (304); this cache spares the rebuild for a
client that has no copy: a second device, a calendar service that never sends If-None-Match, a
colleague's link to the same campaign is a different link and builds its own. An entry serves only
while its fingerprint is the feed's current one, so a change anywhere in the feed is never hidden;
it is replaced by the next build and expires after a day without fetches.

Entries are stored gzip-compressed (a feed's text shrinks about tenfold) and sent as they are to
clients that accept gzip, which calendar clients do; the rare one that does not gets them
decompressed. Without Redis (``flask run`` alone) or while Redis is unreachable, feeds are simply
built each time (and compressed only for a client that accepts gzip).
"""

from __future__ import annotations

import gzip
import logging
import time
from collections.abc import Callable

from flask import current_app
from redis.exceptions import RedisError

from app.background.queue import redis_connection

log = logging.getLogger(__name__)

TTL_SECONDS = 24 * 3600
#: After a Redis error, this long without trying (a down Redis must not slow every fetch by its timeout).
RETRY_AFTER_SECONDS = 60
#: zlib's default: within a few percent of level 9's size, at a fraction of its time (bench/feeds.py).
GZIP_LEVEL = 6
_DOWN_UNTIL = "countersign.calendar_cache_down_until"


def body(feed_id: int, digest: str, build: Callable[[], str], gzipped: bool) -> bytes:
    """The feed's body, gzip-compressed or not: from Redis if it holds the one built for ``digest``, else built
    (and kept there)."""
    compressed = get(feed_id, digest)
    if compressed is not None:
        return compressed if gzipped else gzip.decompress(compressed)
    text = build().encode()
    if not (gzipped or _usable()):
        return text
    compressed = compress(text)
    put(feed_id, digest, compressed)
    return compressed if gzipped else text


def compress(text: bytes) -> bytes:
    # mtime=0: the same text always compresses to the same bytes.
    return gzip.compress(text, compresslevel=GZIP_LEVEL, mtime=0)


def get(feed_id: int, digest: str) -> bytes | None:
    """The feed's gzip-compressed body built for ``digest``, if Redis holds it."""
    if not _usable():
        return None
    try:
        value = redis_connection().get(_key(feed_id))
    except RedisError as error:
        _went_down(error)
        return None
    prefix = digest.encode() + b"\n"
    return value[len(prefix):] if isinstance(value, bytes) and value.startswith(prefix) else None


def put(feed_id: int, digest: str, compressed: bytes) -> None:
    if not _usable():
        return
    try:
        redis_connection().set(_key(feed_id), digest.encode() + b"\n" + compressed, ex=TTL_SECONDS)
    except RedisError as error:
        _went_down(error)


def _key(feed_id: int) -> str:
    return f"{current_app.config['QUEUE_NAME']}:calendar-feed:{feed_id}"


def _usable() -> bool:
    if not current_app.config.get("REDIS_URL"):
        return False
    return time.monotonic() >= current_app.extensions.get(_DOWN_UNTIL, 0.0)


def _went_down(error: RedisError) -> None:
    log.warning("Calendar feed cache unavailable for %d s (%s): building feeds each time", RETRY_AFTER_SECONDS, error)
    current_app.extensions[_DOWN_UNTIL] = time.monotonic() + RETRY_AFTER_SECONDS
