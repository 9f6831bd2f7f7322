"""Fixtures of the job suite: the real Redis on this machine, a local SMTP server, real workers.

Redis: one database of 1..15 on 127.0.0.1:6379 is claimed for the session with
``SET countersign-test-db-claim <uuid> NX EX 3600`` and used only while it held nothing else,
so parallel runs (and other projects following the same rule) never share one; each test
gets a queue name of its own on it, and the database is emptied (keeping the claim) after
each test and released at the end. Nothing uses a fixed queue name or database 0.

The workers are ``flask jobs worker`` processes configured only through their environment
(``COUNTERSIGN_ENV=testing`` with ``TEST_DATABASE_URL`` pointing at this run's database,
``TEST_JOBS_INLINE=0``, ``TEST_MAIL_TRANSPORT=smtp`` and the SMTP sink's port), exactly as a
deployment would start them; each is stopped when its test ends.

Time: workers judge leases, back-offs and lost jobs by time passing, so a frozen clock would stall
them. The test's clock is set *running* instead (``TestClock.running``): from the test's moment,
at the wall clock's pace, and handed to every worker and scheduler as ``TEST_CLOCK``, so this
process and its workers read the very same time at the same instant, whatever the hour outside.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from app.accounts.models import User
from app.extensions import db
from app.notifications.models import NotificationPreference
from tests import redisdb
from tests.clock import TestClock
from tests.jobs.helpers import PrivateRedis, SmtpSink
from tests.jobs.machinery import Jobs
from tests.redisdb import ClaimedRedis

#: The job suite's settings: short enough that recovery happens within a test.
SETTINGS: dict[str, Any] = {
    "JOBS_INLINE": False,
    "MAIL_TRANSPORT": "smtp",
    "MAIL_SERVER": "127.0.0.1",
    "MAIL_TIMEOUT": 5,
    "MAIL_USE_TLS": False,
    "MAIL_USERNAME": "",
    "MAIL_LEASE_SECONDS": 3,
    "RECOVER_AFTER_SECONDS": 1,
    "MAIL_RETRY_DELAYS": (0, 0),
    "SCHEDULER_LOCK_SECONDS": 4,
    "SCHEDULER_POLL_SECONDS": 0.5,
    "WORKER_PULSE_SECONDS": 0.5,
}


# --- Redis ---------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def claimed_redis() -> Iterator[ClaimedRedis]:
    claimed = redisdb.claim()
    yield claimed
    claimed.release()


# --- settings, mail, workers -----------------------------------------------------------------------



@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def mail_to_sink(configure: Callable[..., None], smtp_sink: SmtpSink) -> SmtpSink:
    """This process sends its mail through SMTP, to the sink."""
    configure(**{**SETTINGS, "MAIL_PORT": smtp_sink.port})
    return smtp_sink


@pytest.fixture
def jobs(app: Flask, configure: Callable[..., None], claimed_redis: ClaimedRedis, smtp_sink: SmtpSink,
         tmp_path: Path, clock: TestClock) -> Iterator[Jobs]:
    """A queue of this test's own on the claimed Redis, mail to the sink, real workers on call,
    and the test's clock running (from where the test set it) in this process and the workers."""
    queue_name = f"cs-jobs-{uuid.uuid4().hex[:10]}"
    redisdb.drop_app_connection(app)
    with clock.running() as clock_start:
        machinery = Jobs(app, claimed_redis, queue_name, smtp_sink, tmp_path, configure, clock_start)
        machinery.configure(**SETTINGS, MAIL_PORT=smtp_sink.port, REDIS_URL=claimed_redis.url, QUEUE_NAME=queue_name)
        try:
            yield machinery
        finally:
            machinery.stop()
            db.session.rollback()
            redisdb.drop_app_connection(app)
            claimed_redis.flush()


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path / "redis").start()
    yield server
    server.stop()


@pytest.fixture
def chaos(jobs: Jobs, private_redis: PrivateRedis, app: Flask) -> Iterator[Jobs]:
    """``jobs`` on a Redis of the test's own, which it may flush whole, stop and start again."""
    jobs.configure(REDIS_URL=private_redis.url)
    redisdb.drop_app_connection(app)
    yield jobs
    jobs.stop()
    redisdb.drop_app_connection(app)


@pytest.fixture
def awake(people: dict[str, User]) -> dict[str, User]:
    """``people`` with no quiet hours, so no email of theirs waits for a morning however long a
    test's running clock runs, and who take only reminders by email (the campaign updates building a campaign
    writes stay in the app: the worker has fewer emails to get through)."""
    for user in people.values():
        prefs = NotificationPreference.defaults(user.id)
        prefs.quiet_start = prefs.quiet_end = 0
        prefs.updates_email = False
        db.session.add(prefs)
    db.session.commit()
    return people
