"""The pipeline through what breaks in production, with live processes on a Redis of the test's own
(``chaos``): a FLUSHALL, Redis stopped and started again under a busy worker, a scheduler
SIGKILLed with a stand-by waiting, a job stranded between dequeue and start, and a backlog of
thousands of emails that must not hold back the sweep.

What is asserted is what the README promises: no email is lost, none is sent twice (no worker is
killed here), the scheduler and the workers live on until a signal ends them (a signal still
does, while they wait for Redis), a stand-by takes over within the lock time and a poll, and the
sweep is never more than two intervals late.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from rq.job import Job

from app.accounts.models import User
from app.background.models import JobRun
from app.background.queue import job_id
from app.background.scheduler import lock_key
from app.core import clock as app_clock
from app.extensions import db
from app.notifications import delivery
from app.notifications.models import Notification, NotificationPreference
from app.notifications.services import notify
from tests.jobs.helpers import PrivateRedis, email_backlog, wait_for
from tests.jobs.machinery import Jobs

#: Seconds between sweeps in this suite: short, so lateness shows within a test.
INTERVAL = 5


def _sweep_started() -> datetime | None:
    db.session.rollback()  # see the workers' commits
    return db.session.scalar(sa.select(JobRun.started_at).where(JobRun.name == "sweep"))


def _a_sweep_after(moment: datetime) -> datetime | None:
    started = _sweep_started()
    return started if started is not None and started > moment else None


def _tell(people: Iterable[User], count: int) -> list[int]:
    """``count`` emails to each of ``people`` (decisions on their commitments), written and
    committed: their jobs are enqueued after the commit."""
    people = list(people)
    for person in people:  # ``awake`` people take only reminders by email
        prefs = db.session.get(NotificationPreference, person.id)
        assert prefs is not None
        prefs.updates_email = True
    ids = []
    for n in range(count):
        ids += [note.id for note in notify(people, "decision", f"Decision {n}", link="/inbox/")]
    db.session.commit()
    return ids


def _unsent(ids: list[int]) -> list[int]:
    db.session.rollback()
    return list(db.session.scalars(sa.select(Notification.id).where(
        Notification.id.in_(ids), Notification.email_status != "sent")))


def _sent_once_each(jobs: Jobs, ids: list[int]) -> None:
    def all_sent() -> bool:
        return not _unsent(ids)

    wait_for(all_sent, "every email to be sent", timeout=60, every=0.2,
             details=lambda: f"unsent: {_unsent(ids)[:20]}\n{jobs.logs()}")
    jobs.settle()
    received = jobs.sink.ids()
    assert {i: received[f"notification-{i}"] for i in ids} == dict.fromkeys(ids, 1)


# --- the scheduler lives through Redis losing everything ----------------------------------------

def test_a_live_scheduler_rides_out_a_flushall_and_the_emails_redis_lost_still_go(chaos: Jobs, awake,
                                                                                    private_redis: PrivateRedis):
    scheduler = chaos.start_scheduler(interval=INTERVAL)
    wait_for(lambda: private_redis.connection().get(lock_key(chaos.queue_name)), "the scheduler to take its lock",
             details=chaos.logs)
    owed = _tell([awake["team"], awake["pm"]], 5)  # no worker yet: ten delivery jobs wait in the queue
    assert chaos.queue.count == len(owed)

    private_redis.connection().flushall()  # the queue, the jobs, the lock, RQ's registries: all gone
    flushed = app_clock.now()
    chaos.start_worker()

    started = wait_for(lambda: _a_sweep_after(flushed), "a sweep after the flush", timeout=2 * INTERVAL + 10,
                       every=0.2, details=chaos.logs)
    assert started - flushed <= timedelta(seconds=2 * INTERVAL + 5)  # + the worker's start-up
    _sent_once_each(chaos, owed)  # the recovery pass of the scheduler's own dispatch found them
    assert scheduler.running(), scheduler.log_tail()
    assert "the lock is no longer mine" in scheduler.log()


def test_a_scheduler_its_stand_by_and_a_busy_worker_live_through_redis_stopped_and_started_again(
        chaos: Jobs, awake, private_redis: PrivateRedis):
    worker = chaos.start_worker()
    holder = chaos.start_scheduler(interval=INTERVAL)
    wait_for(_sweep_started, "the first sweep", timeout=2 * INTERVAL + 10, every=0.2, details=chaos.logs)
    standby = chaos.start_scheduler(interval=INTERVAL)
    wait_for(lambda: "standing by" in standby.log(), "the second scheduler to stand by", details=chaos.logs)
    chaos.sink.delay = 0.1  # forty emails, four seconds of work: the worker is mid-job when Redis goes
    owed = _tell([awake["team"], awake["pm"]], 20)
    wait_for(lambda: len(_unsent(owed)) < len(owed), "the worker to be delivering", every=0.05, details=chaos.logs)

    private_redis.stop()
    time.sleep(3)  # the outage itself: three seconds of refused connections, as in a restart
    private_redis.start()
    back = app_clock.now()

    wait_for(lambda: _a_sweep_after(back), "a sweep after Redis came back", timeout=2 * INTERVAL + 10, every=0.2,
             details=chaos.logs)
    _sent_once_each(chaos, owed)  # the job in flight and the queue Redis forgot: recovered, none twice
    assert holder.running() and standby.running() and worker.running(), chaos.logs()
    assert "Redis unreachable" in holder.log() and "Redis is back" in holder.log()
    more = _tell([awake["team"]], 3)  # and the same worker delivers as before
    _sent_once_each(chaos, more)


def test_a_stand_by_takes_over_within_the_lock_time_when_the_scheduler_is_killed(chaos: Jobs,
                                                                                  private_redis: PrivateRedis):
    lock, redis = lock_key(chaos.queue_name), private_redis.connection()
    chaos.start_worker()
    first = chaos.start_scheduler(interval=INTERVAL)
    holder = wait_for(lambda: redis.get(lock), "the first scheduler to take the lock", details=chaos.logs)
    second = chaos.start_scheduler(interval=INTERVAL)
    wait_for(lambda: "standing by" in second.log(), "the second scheduler to stand by", details=chaos.logs)

    first.kill()  # SIGKILL: no release of the lock, no goodbye
    killed = time.monotonic()
    wait_for(lambda: redis.get(lock) not in (None, holder), "the stand-by to take over", timeout=20, every=0.1,
             details=chaos.logs)
    takeover = time.monotonic() - killed
    settings = chaos.settings
    assert takeover <= settings["SCHEDULER_LOCK_SECONDS"] + settings["SCHEDULER_POLL_SECONDS"] + 1, takeover
    taken = app_clock.now()
    wait_for(lambda: _a_sweep_after(taken), "the new holder's sweep", timeout=2 * INTERVAL + 5, every=0.2,
             details=chaos.logs)


# --- the recovery pass: a job stranded between dequeue and start ------------------------------------

def test_a_job_stranded_in_the_intermediate_list_is_enqueued_again_and_sent_once(chaos: Jobs, awake,
                                                                                 private_redis: PrivateRedis):
    [note] = _tell([awake["team"]], 1)
    redis = private_redis.connection()
    deliver = job_id("deliver", note)
    # A worker took the job (LMOVE to RQ's intermediate list) and died before starting it: the job
    # still says "queued", but it is in no queue, and no worker will ever run it.
    redis.lmove(chaos.queue.key, chaos.queue.intermediate_queue_key)
    assert Job.fetch(deliver, connection=redis).get_status() == "queued" and chaos.queue.count == 0

    recovered = wait_for(lambda: delivery.dispatch().recovered, "the recovery pass to find the stranded job",
                         timeout=chaos.settings["RECOVER_AFTER_SECONDS"] + 10, every=0.2)
    assert recovered == 1
    assert chaos.queue.job_ids == [deliver]
    assert redis.lrange(chaos.queue.intermediate_queue_key, 0, -1) == []  # RQ's clean-up will not fail it later
    chaos.start_worker()
    _sent_once_each(chaos, [note])


# --- a backlog does not hold back the sweep ------------------------------------------------------

BACKLOG = 2000


def test_a_backlog_of_thousands_of_emails_does_not_hold_back_the_sweep(chaos: Jobs, awake):
    owed = email_backlog([p.id for p in awake.values()], BACKLOG)
    assert chaos.queue.count == BACKLOG
    chaos.start_worker()
    chaos.start_scheduler(interval=INTERVAL)
    began = app_clock.now()

    starts: list[datetime] = []
    while chaos.queue.count > BACKLOG // 10:  # while most of the backlog is still queued
        started = _sweep_started()
        if started is not None and started not in starts:
            starts.append(started)
        time.sleep(0.1)  # sampling the sweeps' start times, not waiting for something to happen

    assert len(starts) >= 2, (starts, chaos.logs())
    gaps = [later - earlier for earlier, later in zip([began, *starts], starts, strict=False)]
    assert max(gaps) <= timedelta(seconds=2 * INTERVAL), gaps
    _sent_once_each(chaos, owed)


def test_a_worker_and_a_scheduler_waiting_for_redis_still_stop_on_sigterm(chaos: Jobs, awake,
                                                                          private_redis: PrivateRedis):
    worker = chaos.start_worker()
    scheduler = chaos.start_scheduler(interval=INTERVAL)
    wait_for(lambda: "holds the lock" in scheduler.log(), "the scheduler to take its lock", details=chaos.logs)
    chaos.sink.delay = 0.5  # the worker spends nearly all its time inside a job: Redis goes mid-job
    owed = _tell([awake["team"]], 10)
    wait_for(lambda: len(_unsent(owed)) < len(owed), "the worker to be delivering", every=0.05, details=chaos.logs)

    private_redis.stop()
    wait_for(lambda: "Redis unreachable" in scheduler.log() and "Redis failed under it" in worker.log(),
             "both to be waiting for Redis", details=chaos.logs)
    assert worker.terminate(timeout=10) == 0, worker.log_tail()
    assert scheduler.terminate(timeout=10) == 0, scheduler.log_tail()
    assert "stopping" in worker.log() and "stopped" in scheduler.log()
