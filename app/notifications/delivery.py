"""Delivering the outbox: claiming rows, sending them, retrying with backoff, and recovering.

A row moves pending → sending (claimed by one job) → sent once the mail server accepted it.
A refusal puts it back to pending with a later ``email_due_at`` (the backoff), and after the
last attempt to failed, where an admin sees it and can retry it. Nothing is ever dropped:

* :func:`dispatch` (every minute) enqueues rows that have come due and were not enqueued:
  deferred past quiet hours, digests, retries, and rows whose enqueue after commit failed;
* :func:`recover` puts back rows a dead worker left claimed (``sending`` past the lease)
  and rows enqueued long ago whose job no longer waits in the queue (a flushed or restarted
  Redis, or a job stranded in RQ's intermediate list between dequeue and start). It reads the
  ``DISPATCH_BATCH`` oldest such rows per pass: in a larger backlog a lost one is found late,
  once the rows ahead of it are sent, never missed.

A worker killed after the server accepted a message but before the row says sent will send
that one message again once the lease ends: the only duplicate possible, and only of the
message in flight.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from app.accounts.models import User
from app.background.queue import enqueue_now, forget_stranded, job_id, waiting_jobs
from app.core import clock
from app.core.text import moment_text
from app.extensions import db
from app.notifications import emails, mail
from app.notifications.models import Notification
from workflows import reminders

log = logging.getLogger(__name__)

def retry_delays() -> tuple[int, ...]:
    """Seconds to wait after the 1st, 2nd, ... refusal; one attempt more than delays in all."""
    return tuple(current_app.config["MAIL_RETRY_DELAYS"])


# --- one job's work ----------------------------------------------------------------------------

def claim(ids: list[int], now: datetime) -> list[Notification]:
    """Take pending rows for this job (a row another job claimed, or already sent, is skipped).

    The rows are the ones this very UPDATE changed (RETURNING), not the ones "claimed at
    ``now``": two jobs claiming in the same instant must not both take a row.
    """
    if not ids:
        return []
    claimed = list(db.session.scalars(
        sa.update(Notification).where(Notification.id.in_(ids), Notification.email_status == "pending")
        .values(email_status="sending", email_claimed_at=now, email_attempts=Notification.email_attempts + 1)
        .returning(Notification.id).execution_options(synchronize_session=False)
    ))
    db.session.commit()
    if not claimed:
        return []
    return list(db.session.scalars(
        sa.select(Notification).where(Notification.id.in_(claimed))
        .options(so.joinedload(Notification.user)).order_by(Notification.id)
    ))


def deliver(notification_id: int) -> str:
    """Send one notification's email; the outcome is written to its row."""
    now = clock.now()
    notes = claim([notification_id], now)
    if not notes:
        return "nothing to send"
    return _send(notes, lambda: emails.notification_email(notes[0]))


def deliver_digest(user_id: int, notification_ids: list[int]) -> str:
    """Send one person's digest of these notifications (those still pending)."""
    now = clock.now()
    notes = claim(notification_ids, now)
    if not notes:
        return "nothing to send"
    user = db.session.get(User, user_id)
    assert user is not None and all(n.user_id == user_id for n in notes)
    return _send(notes, lambda: emails.digest_email(user, notes))


def _send(notes: list[Notification], build: Callable[[], EmailMessage]) -> str:
    """Build and send the message; a refusal, or any error before the server accepted it, is a
    failed attempt (retried with backoff, then "failed" for an admin to see). An error escaping
    here instead would leave the rows claimed, sent again after every lease, never failed."""
    try:
        mail.send(build())
    except mail.MailError as error:
        return _failed_attempt(notes, str(error))
    except Exception as error:
        log.exception("Could not send notification email %s", [n.id for n in notes])
        db.session.rollback()  # the error may have come from the database: start clean
        return _failed_attempt(notes, f"{type(error).__name__}: {error}")
    now = clock.now()
    for note in notes:
        note.email_status, note.email_sent_at, note.email_error = "sent", now, ""
    db.session.commit()
    return f"sent {len(notes)}"


def _failed_attempt(notes: list[Notification], error: str) -> str:
    _refused(notes, error)
    db.session.commit()
    return f"refused: {error}"


def _refused(notes: list[Notification], error: str) -> None:
    delays = retry_delays()
    now = clock.now()
    for note in notes:
        note.email_error = error[:1000]
        note.email_enqueued_at = None
        if note.email_attempts > len(delays):
            note.email_status = "failed"
        else:
            note.email_status = "pending"
            note.email_due_at = now + timedelta(seconds=delays[note.email_attempts - 1])


# --- the periodic passes -----------------------------------------------------------------------

@dataclass
class DispatchResult:
    emails: int = 0
    digests: int = 0
    recovered: int = 0

    def __str__(self) -> str:
        return f"{self.emails} emails and {self.digests} digests enqueued, {self.recovered} recovered"


def _due(now: datetime) -> sa.Select[tuple[int, int, bool]]:
    return (sa.select(Notification.id, Notification.user_id, Notification.email_digest)
            .where(Notification.email_status == "pending", Notification.email_due_at <= now,
                   Notification.email_enqueued_at.is_(None))
            .order_by(Notification.email_due_at, Notification.id))


def dispatch(now: datetime | None = None) -> DispatchResult:
    """Recover what was lost, then enqueue every email and digest that has come due."""
    now = now or clock.now()
    result = DispatchResult(recovered=recover(now))
    rows = db.session.execute(_due(now).limit(current_app.config["DISPATCH_BATCH"])).all()
    singles = [r.id for r in rows if not r.email_digest]
    digests = reminders.group_digests((r.user_id, r.id) for r in rows if r.email_digest)
    ids = singles + [i for group in digests.values() for i in group]
    if not ids:
        db.session.rollback()
        return result
    # Marked before enqueueing: a crash in between leaves rows the recovery pass finds.
    db.session.execute(sa.update(Notification).where(Notification.id.in_(ids), Notification.email_enqueued_at.is_(None))
                       .values(email_enqueued_at=now).execution_options(synchronize_session=False))
    db.session.commit()
    for note_id in singles:
        enqueue_now("app.notifications.jobs.deliver", note_id, job_id=job_id("deliver", note_id))
    for user_id, group in digests.items():
        enqueue_now("app.notifications.jobs.deliver_digest", user_id, group, job_id=job_id("digest", user_id, group[0]))
    result.emails, result.digests = len(singles), len(digests)
    return result


def recover(now: datetime) -> int:
    """Put back rows a dead worker held past the lease, and rows whose job Redis lost."""
    config = current_app.config
    lease = now - timedelta(seconds=config["MAIL_LEASE_SECONDS"])
    stale = db.session.execute(
        sa.update(Notification).where(Notification.email_status == "sending", Notification.email_claimed_at < lease)
        .values(email_status="pending", email_enqueued_at=None, email_due_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount or 0
    waited = now - timedelta(seconds=config["RECOVER_AFTER_SECONDS"])
    unclaimed = db.session.execute(
        sa.select(Notification.id, Notification.user_id, Notification.email_digest)
        .where(Notification.email_status == "pending", Notification.email_enqueued_at < waited)
        .order_by(Notification.id).limit(config["DISPATCH_BATCH"])).all()
    lost = _not_in_the_queue(unclaimed)
    if lost:
        # Still pending: a job may have claimed a row since it was read.
        db.session.execute(sa.update(Notification).where(Notification.id.in_(lost),
                                                         Notification.email_status == "pending")
                           .values(email_enqueued_at=None).execution_options(synchronize_session=False))
        forget_stranded([job_id("deliver", note_id) for note_id in lost])
    db.session.commit()
    return stale + len(lost)


def _not_in_the_queue(rows: Sequence[sa.Row[tuple[int, int, bool]]]) -> list[int]:
    """Which of these long-unclaimed rows no waiting job will deliver (one read of the queue)."""
    if not rows:
        return []
    queued = waiting_jobs()
    if queued is None:
        return [row.id for row in rows]
    digest_prefix = job_id("digest") + "-"
    # A digest's job is named after its person and first row: any queued digest of theirs takes it.
    digests_for = {name[len(digest_prefix):].split("-")[0] for name in queued if name.startswith(digest_prefix)}
    return [row.id for row in rows
            if not (str(row.user_id) in digests_for if row.email_digest else job_id("deliver", row.id) in queued)]


# --- what an admin sees and does ---------------------------------------------------------------

def failed(limit: int = 100) -> list[Notification]:
    return list(db.session.scalars(
        sa.select(Notification).where(Notification.email_status == "failed")
        .options(so.joinedload(Notification.user)).order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)))


@dataclass(frozen=True)
class Backlog:
    """The emails not sent yet, by why they wait (sent ones are not counted: they only grow).

    Pending rows are told apart so that an admin sees *why* they wait: ``due`` ones go with the
    next dispatch (or are in the queue already); ``held`` ones wait for their person's quiet
    hours to end; ``digests`` for the person's digest hour; ``retrying`` ones for the backoff
    after a refusal. Each ``*_until`` is the earliest of those moments (naive UTC).
    """

    due: int = 0
    held: int = 0
    held_until: datetime | None = None
    digests: int = 0
    digests_until: datetime | None = None
    retrying: int = 0
    retrying_until: datetime | None = None
    sending: int = 0
    failed: int = 0

    @property
    def pending(self) -> int:
        return self.due + self.held + self.digests + self.retrying


def backlog(now: datetime | None = None) -> Backlog:
    """Count the outbox by what each email waits for, in one aggregate query."""
    now = now or clock.now()
    n = Notification
    pending_later = sa.and_(n.email_status == "pending", n.email_due_at > now)
    retrying = sa.and_(pending_later, n.email_attempts > 0)
    digests = sa.and_(pending_later, n.email_attempts == 0, n.email_digest.is_(True))
    held = sa.and_(pending_later, n.email_attempts == 0, n.email_digest.is_(False))

    def count(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    def earliest(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[datetime]:
        return sa.func.min(sa.case((condition, n.email_due_at)))

    row = db.session.execute(
        sa.select(
            count(sa.and_(n.email_status == "pending", sa.or_(n.email_due_at <= now, n.email_due_at.is_(None)))),
            count(held), earliest(held), count(digests), earliest(digests), count(retrying), earliest(retrying),
            count(n.email_status == "sending"), count(n.email_status == "failed"),
        ).where(n.email_status.in_(["pending", "sending", "failed"]))
    ).one()
    return Backlog(*row)


def backlog_text(waiting: Backlog, now: datetime | None = None) -> str:
    """The backlog in a line, for ``flask jobs status`` and logs: why each pending email waits."""
    now = now or clock.now()
    reasons = [text for count, text in (
        (waiting.due, f"{waiting.due} due now"),
        (waiting.held, f"{waiting.held} held for quiet hours until {_moment(waiting.held_until, now)}"),
        (waiting.digests, f"{waiting.digests} in digests, the next at {_moment(waiting.digests_until, now)}"),
        (waiting.retrying, f"{waiting.retrying} retrying from {_moment(waiting.retrying_until, now)}"),
    ) if count]
    detail = f" ({', '.join(reasons)})" if reasons else ""
    return f"{waiting.pending} pending{detail}, {waiting.sending} being sent, {waiting.failed} failed"


def _moment(at: datetime | None, now: datetime) -> str:
    return moment_text(at, now) if at is not None else "—"


def retry_failed(notification_ids: list[int] | None = None) -> int:
    """Send failed emails again (all, or these): back to pending, due now, attempts from zero."""
    query = sa.update(Notification).where(Notification.email_status == "failed")
    if notification_ids is not None:
        query = query.where(Notification.id.in_(notification_ids))
    count = db.session.execute(query.values(
        email_status="pending", email_due_at=clock.now(), email_enqueued_at=None, email_attempts=0,
    ).execution_options(synchronize_session=False)).rowcount or 0
    return count


def discard_failed(notification_ids: list[int]) -> int:
    """Give up on these failed emails (the notification stays in the person's inbox)."""
    return db.session.execute(
        sa.update(Notification).where(Notification.email_status == "failed", Notification.id.in_(notification_ids))
        .values(email_status="none").execution_options(synchronize_session=False)).rowcount or 0
