"""The job suite: real RQ workers (``flask jobs worker`` processes) on the real Redis of this
machine, delivering to a local SMTP server, on SQLite and on PostgreSQL.

The sweeps run in the test process at a moment after the schedules' next slot (the slots are
days or months ahead), as the minutely job would when that moment comes; the emails they
write go out straight after the commit, through Redis, to a worker. Where a test judges a
lease or a lost job by time passing (on the running clock the test shares with its workers,
see conftest.py), the emails' times are first brought to the present
(:func:`_as_if_written_now`), as if the sweep had run just now.

Every test waits by polling with a deadline; none sleeps to let something happen.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from email.utils import formataddr

import pytest
import sqlalchemy as sa
from rq.job import Job, JobStatus

from app.accounts.models import User
from app.background.models import JobRun
from app.background.queue import job_id
from app.background.scheduler import LOCK_SECONDS, LostLock, SingleScheduler, lock_key
from app.core import clock, urls
from app.extensions import db
from app.notifications import delivery, emails
from app.notifications.models import Notification, NotificationPreference
from app.notifications.services import notify
from app.projects.models import Project
from app.reminders import services as reminders
from app.reminders.models import ReminderSchedule, milestone_key
from tests.jobs.helpers import wait_for
from tests.jobs.machinery import Jobs

# --- reading the database as it is now (the workers write in other processes) ------------------


def _fresh() -> None:
    db.session.rollback()  # end this process's transaction: the next read sees the workers' commits


def _row(notification_id: int) -> Notification:
    _fresh()
    note = db.session.get(Notification, notification_id)
    assert note is not None
    return note


def _row_when(notification_id: int, condition: Callable[[Notification], bool]) -> Notification | None:
    note = _row(notification_id)
    return note if condition(note) else None


def _emailed() -> list[Notification]:
    """Every notification with an email (reminders and the campaign's own updates)."""
    _fresh()
    return list(db.session.scalars(
        sa.select(Notification).where(Notification.email_status != "none").order_by(Notification.id)))


def _reminders() -> list[Notification]:
    _fresh()
    return list(db.session.scalars(
        sa.select(Notification).where(Notification.kind == "reminder").order_by(Notification.id)))


def _unsent(ids: Iterable[int]) -> list[tuple[int, str, str]]:
    _fresh()
    return [tuple(row) for row in db.session.execute(  # type: ignore[misc]
        sa.select(Notification.id, Notification.email_status, Notification.email_error)
        .where(Notification.id.in_(list(ids)), Notification.email_status != "sent"))]


def _schedules(projects: Iterable[Project]) -> list[ReminderSchedule]:
    keys = [milestone_key(m.id) for p in projects for m in p.milestones]
    return list(db.session.scalars(sa.select(ReminderSchedule).where(ReminderSchedule.item_key.in_(keys))))


def _all_due(projects: Iterable[Project]) -> datetime:
    """A moment by which every schedule of these campaigns has its next slot behind it."""
    return max(row.next_at for row in _schedules(projects) if row.next_at is not None) + timedelta(minutes=1)


def _as_if_written_now() -> None:
    """Bring the emails a sweep wrote at a later moment to the present, as if it ran just now."""
    now = clock.now()
    db.session.execute(sa.update(Notification).where(Notification.email_enqueued_at > now)
                       .values(created_at=now, email_due_at=now, email_enqueued_at=now))
    db.session.commit()


def _tag(note_id: int) -> str:
    return f"notification-{note_id}"


def _updates_by_email(user: User) -> User:
    prefs = db.session.get(NotificationPreference, user.id)
    assert prefs is not None
    prefs.updates_email = True
    db.session.commit()
    return user


# --- a real worker delivers --------------------------------------------------------------------

def test_a_real_worker_delivers_a_due_reminder_to_the_mail_server(jobs: Jobs, awake, make_project, client):
    worker = jobs.start_worker(wait=False)  # it starts while the campaign is built
    team = awake["team"]
    project = make_project(state="active")
    milestone = project.milestones[0]
    schedule = db.session.scalar(sa.select(ReminderSchedule).where(
        ReminderSchedule.item_key == milestone_key(milestone.id), ReminderSchedule.user_id == team.id))
    assert schedule is not None and schedule.next_at is not None
    worker.wait_until_ready()

    result = reminders.sweep(now=schedule.next_at + timedelta(minutes=1))

    assert result.sent >= 1
    note = db.session.scalar(sa.select(Notification).where(
        Notification.kind == "reminder", Notification.user_id == team.id,
        Notification.dedupe_key.startswith(f"reminder:{milestone_key(milestone.id)}:")))
    assert note is not None
    [message] = wait_for(lambda: jobs.sink.of(note.id), "the reminder to reach the mail server", details=jobs.logs)
    sent = wait_for(lambda: _row_when(note.id, lambda n: n.email_status == "sent"), "the row to say sent",
                    details=jobs.logs)
    assert sent.email_attempts == 1 and sent.email_sent_at is not None and sent.email_error == ""

    assert str(message["To"]) == formataddr((team.name, team.email))
    assert message["Subject"] == note.subject and milestone.title in note.subject
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert urls.absolute(f"/campaigns/{project.id}#milestone-{milestone.id}") in text
    preferences = urls.absolute(f"/email/preferences/{emails.preferences_token(team.id, 'reminders')}")
    assert preferences in text
    assert message["List-Unsubscribe"] == f"<{preferences}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The link the worker wrote opens the person's email settings here.
    assert client.get(preferences.removeprefix(urls.base_url())).status_code == 200


# --- two sweeps at once ------------------------------------------------------------------------

def test_two_sweeps_at_once_write_each_reminder_once_and_mail_it_once(jobs: Jobs, app, awake, make_project):
    worker = jobs.start_worker(wait=False)
    projects = [make_project(title=f"Campaign {n}", state="active") for n in range(2)]
    at = _all_due(projects)
    owed = len(_schedules(projects))
    db.session.commit()
    worker.wait_until_ready()

    start = threading.Barrier(2)
    results: list[reminders.SweepResult] = []
    errors: list[BaseException] = []

    def sweep() -> None:
        with app.app_context():  # a context, so a session and a connection, of its own
            try:
                start.wait(timeout=10)
                results.append(reminders.sweep(now=at))
            except BaseException as error:  # reported below, in the test thread
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert len(results) == 2

    written = _reminders()
    assert len(written) == owed == sum(r.sent for r in results)  # every slot written, by one sweep or the other
    twice = db.session.execute(
        sa.select(Notification.user_id, Notification.dedupe_key, sa.func.count())
        .where(Notification.kind == "reminder").group_by(Notification.user_id, Notification.dedupe_key)
        .having(sa.func.count() > 1)).all()
    assert twice == []
    wait_for(lambda: not _unsent(n.id for n in written), "every reminder to be sent", details=jobs.logs)
    jobs.settle()
    received = jobs.sink.ids()
    assert {_tag(n.id): received[_tag(n.id)] for n in written} == {_tag(n.id): 1 for n in written}


# --- a worker killed mid-batch -----------------------------------------------------------------

def test_a_worker_killed_mid_batch_loses_nothing_and_repeats_at_most_the_email_in_flight(
        jobs: Jobs, awake, make_project):
    projects = [make_project(title=f"Campaign {n}", state="active") for n in range(2)]
    reminders.sweep(now=_all_due(projects))
    _as_if_written_now()
    owed = [n.id for n in _emailed()]
    assert len(_reminders()) >= 30
    jobs.sink.delay = 0.15  # a slow mail server: the worker is always in the middle of something

    first = jobs.start_worker()
    wait_for(lambda: len(jobs.sink.received()) >= 5, "the first emails to arrive", details=jobs.logs)
    first.kill()
    before = jobs.sink.received()
    in_flight = str(before[-1]["X-Countersign-Id"])
    assert len(before) < len(owed), "the worker was to be killed in the middle of the batch"

    jobs.sink.delay = 0.02
    jobs.start_worker()

    def all_sent() -> bool:
        delivery.dispatch()  # the scheduler's pass, as often as we look rather than every minute
        return not _unsent(owed)

    wait_for(all_sent, "every email to be sent after the restart", timeout=60, every=0.3,
             details=lambda: f"unsent: {_unsent(owed)}\n{jobs.logs()}")
    jobs.settle()

    received = jobs.sink.ids()
    assert [i for i in owed if received[_tag(i)] == 0] == []  # nothing lost
    repeated = {tag: count for tag, count in received.items() if count > 1}
    assert set(repeated) <= {in_flight} and all(count == 2 for count in repeated.values()), repeated


# --- Redis loses everything --------------------------------------------------------------------

def test_redis_flushed_mid_run_is_recovered_by_the_recovery_pass(jobs: Jobs, awake, make_project):
    project = make_project(state="active")
    reminders.sweep(now=_all_due([project]))
    _as_if_written_now()
    owed = [n.id for n in _emailed()]
    assert jobs.queue.count == len(owed)  # one job per email, waiting for a worker

    jobs.redis.flush()  # this run's own database only
    assert jobs.queue.count == 0
    jobs.start_worker()

    recovered = wait_for(lambda: delivery.dispatch().recovered, "the recovery pass to find the lost emails",
                         every=0.2, details=jobs.logs)
    assert recovered == len(owed)

    def all_sent() -> bool:
        delivery.dispatch()
        return not _unsent(owed)

    wait_for(all_sent, "every email to be sent", every=0.2, details=lambda: f"unsent: {_unsent(owed)}\n{jobs.logs()}")
    jobs.settle()
    received = jobs.sink.ids()
    assert {_tag(i): received[_tag(i)] for i in owed} == {_tag(i): 1 for i in owed}


def test_a_job_whose_worker_died_before_claiming_its_row_is_enqueued_again(jobs: Jobs, awake):
    [note] = notify([_updates_by_email(awake["team"])], "comment", "Priya commented on your campaign", link="/inbox/")
    db.session.commit()
    # What a worker SIGKILLed between taking the job and claiming the row leaves in Redis: the
    # job "started" for good (and later "failed", kept for days), the row still pending.
    job = Job.fetch(job_id("deliver", note.id), connection=jobs.redis.connection)
    jobs.queue.remove(job)
    job.set_status(JobStatus.STARTED)

    wait_for(lambda: delivery.dispatch().recovered, "the recovery pass to enqueue the email again", every=0.2)
    jobs.start_worker()
    wait_for(lambda: not _unsent([note.id]), "the email to be sent", details=jobs.logs)
    jobs.settle()
    assert jobs.sink.ids()[_tag(note.id)] == 1


# --- the mail server refuses -------------------------------------------------------------------

def test_a_refusing_mail_server_means_backoff_then_failed_then_an_admin_retry_sends(jobs: Jobs, awake, login):
    jobs.configure(MAIL_RETRY_DELAYS=(1, 1))  # three attempts, a second apart
    jobs.sink.refuse = True
    jobs.start_worker()
    [note] = notify([_updates_by_email(awake["team"])], "comment", "Priya commented on your campaign", link="/inbox/")
    db.session.commit()

    first = wait_for(lambda: _row_when(note.id, lambda n: n.email_attempts == 1 and n.email_status == "pending"),
                     "the first refusal", details=jobs.logs)
    assert "451" in first.email_error and first.email_enqueued_at is None
    assert timedelta(seconds=1) <= first.email_due_at - first.email_claimed_at < timedelta(seconds=10)

    for attempt in (2, 3):
        wait_for(lambda: delivery.dispatch().emails, f"the backoff before attempt {attempt} to end", every=0.2)
        wait_for(lambda a=attempt: _row_when(note.id, lambda n: n.email_attempts == a and n.email_status != "sending"),
                 f"attempt {attempt}", details=jobs.logs)
    failed = _row(note.id)
    assert failed.email_status == "failed" and "451" in failed.email_error
    assert [n.id for n in delivery.failed()] == [note.id] and delivery.backlog().failed == 1
    assert jobs.sink.refused == 3 and jobs.sink.received() == []
    page = login(awake["admin"]).get("/admin/jobs/")
    assert page.status_code == 200 and "Priya commented on your campaign" in page.get_data(as_text=True)

    jobs.sink.refuse = False
    assert delivery.retry_failed() == 1
    db.session.commit()
    assert delivery.dispatch().emails == 1
    wait_for(lambda: not _unsent([note.id]), "the retried email to be sent", details=jobs.logs)
    jobs.settle()
    assert jobs.sink.ids()[_tag(note.id)] == 1 and delivery.backlog().failed == 0


# --- one scheduler per queue -------------------------------------------------------------------

def test_a_second_scheduler_stands_by_until_the_first_lets_go(jobs: Jobs):
    connection = jobs.redis.connection
    first = SingleScheduler(connection, jobs.queue_name, interval=60, standby_poll=0.05)
    second = SingleScheduler(connection, jobs.queue_name, interval=60, standby_poll=0.05)
    assert first.acquire()
    assert not second.acquire()

    standing_by = threading.Thread(target=second.wait_for_lock, daemon=True)
    standing_by.start()
    standing_by.join(timeout=0.5)
    assert standing_by.is_alive(), "the second scheduler took the lock the first one holds"
    first.renew()  # the holder keeps its lease

    first.release()
    standing_by.join(timeout=10)
    assert not standing_by.is_alive()
    assert connection.get(lock_key(jobs.queue_name)) == second.token.encode()

    # The first one, had it stalled past its lease, finds out before enqueuing anything.
    with pytest.raises(LostLock):
        first.enqueue_jobs()
    with pytest.raises(LostLock):
        first.heartbeat()
    assert jobs.periodic_queue.count == 0
    # The periodic jobs the features registered (the reminders' sweep, which dispatches after it in
    # the same job, see app/reminders/jobs.py; the webhooks' sweep of due retries; the hourly clean-ups
    # of accounts, of the API's idempotency keys and of the imports' files), on the periodic queue, which
    # workers serve before the deliveries.
    assert {job.func_name for job in second.enqueue_jobs()} == {
        "app.reminders.jobs.sweep", "app.webhooks.jobs.sweep", "app.accounts.jobs.clean_up", "app.api.jobs.clean_up",
        "app.imports.jobs.clean_up"}
    assert (jobs.periodic_queue.count, jobs.queue.count) == (5, 0)
    # RQ would sleep until the next run, a minute away: the holder wakes in time to renew its lease.
    assert 0 < second.calculate_sleep_interval() <= LOCK_SECONDS / 3


def test_a_lapsed_lock_is_taken_over(jobs: Jobs):
    connection = jobs.redis.connection
    stalled = SingleScheduler(connection, jobs.queue_name, interval=60)
    standby = SingleScheduler(connection, jobs.queue_name, interval=60)
    assert stalled.acquire()
    connection.pexpire(lock_key(jobs.queue_name), 1)  # its lease ran out while it stalled
    wait_for(standby.acquire, "the stand-by to take the lapsed lock", timeout=5)
    with pytest.raises(LostLock):
        stalled.renew()


def test_the_scheduler_process_has_the_worker_sweep_and_dispatch_and_a_stand_by_takes_over(jobs: Jobs):
    connection, lock = jobs.redis.connection, lock_key(jobs.queue_name)
    jobs.start_worker(wait=False)
    first = jobs.start_scheduler(interval=5)
    holder = wait_for(lambda: connection.get(lock), "the first scheduler to take the lock", details=jobs.logs)

    def periodic_runs() -> set[str]:
        _fresh()
        return set(db.session.scalars(sa.select(JobRun.name)))

    wait_for(lambda: periodic_runs() >= {"sweep", "dispatch"}, "the worker to run the scheduled sweep and dispatch",
             details=jobs.logs)

    second = jobs.start_scheduler(interval=5)
    wait_for(lambda: "standing by" in second.log(), "the second scheduler to stand by", details=jobs.logs)
    assert connection.get(lock) == holder and second.running()

    assert first.terminate() == 0  # stopped as a deployment stops it: it lets go of the lock
    wait_for(lambda: connection.get(lock) not in (None, holder), "the stand-by to take over", timeout=20,
             details=jobs.logs)
    wait_for(lambda: "holds the lock" in second.log(), "the stand-by to say it runs", details=jobs.logs)
