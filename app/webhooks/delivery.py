"""Delivering the webhook outbox: claiming a message, signing and POSTing it, retrying with backoff,
turning off an endpoint that has failed for a day, and the sweep that loses nothing.

A message moves pending → sending (claimed by one job, with a lease) → delivered once the receiver
answered 2xx. Any other answer, or none, is a failed attempt: back to pending with a later
``next_attempt_at`` (``WEBHOOKS_RETRY_DELAYS``: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, about a day
in all), and after the last one failed, where an admin sees it and may redeliver it.

The sweep (every minute, on the periodic queue) enqueues messages that have come due and that no
job waits for (retries, and those whose enqueue after commit failed), and puts back messages a
dead worker left "sending" past the lease. A worker killed after the receiver got a message but
before the row says delivered sends that message again: delivery is at least once, and a repeat
carries the same ``webhook-id`` for the receiver to drop.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from standardwebhooks import Webhook

from app.background.queue import enqueue_now, job_id
from app.core import clock, events
from app.events import WebhookEndpointDisabled
from app.extensions import db
from app.webhooks import targets
from app.webhooks.models import WebhookAttempt, WebhookEndpoint, WebhookMessage

log = logging.getLogger(__name__)


def retry_delays() -> tuple[int, ...]:
    """Seconds to wait after the 1st, 2nd, ... failed attempt; one attempt more than delays in all."""
    return tuple(current_app.config["WEBHOOKS_RETRY_DELAYS"])


def claim(message_id: int, now: datetime) -> WebhookMessage | None:
    """Take a pending message for this job (None if another job has it, or it is done).

    The claim is committed before the POST, so a worker killed during the POST leaves a row the
    sweep sees as "sending" since ``claimed_at``: its lease.
    """
    claimed = db.session.execute(
        sa.update(WebhookMessage).where(WebhookMessage.id == message_id, WebhookMessage.status == "pending")
        .values(status="sending", claimed_at=now, attempts=WebhookMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if not claimed:
        return None
    return db.session.get(WebhookMessage, message_id)


def signed_headers(endpoint: WebhookEndpoint, message: WebhookMessage, at: datetime) -> dict[str, str]:
    """The Standard Webhooks headers: the message's stable id, this attempt's time (stored times are
    naive UTC), and the signature of both with the body."""
    moment = at.replace(tzinfo=UTC)
    return {"webhook-id": message.msg_id, "webhook-timestamp": str(int(moment.timestamp())),
            "webhook-signature": Webhook(endpoint.secret).sign(message.msg_id, moment, message.payload)}


def deliver(message_id: int) -> str:
    """Send one message; the attempt and its outcome are written to its row."""
    message = claim(message_id, clock.now())
    if message is None:
        return "nothing to send"
    endpoint = message.endpoint
    config = current_app.config
    now = clock.now()
    try:
        answer = targets.post(
            endpoint.url, message.payload.encode("utf-8"), signed_headers(endpoint, message, now),
            allow_private=bool(config["WEBHOOKS_ALLOW_PRIVATE_TARGETS"]),
            connect_timeout=config["WEBHOOKS_CONNECT_TIMEOUT"], read_timeout=config["WEBHOOKS_READ_TIMEOUT"],
        )
    except Exception as error:
        # Any other error is a failed attempt too (retried, then failed for an admin to see): escaping
        # here it would leave the row claimed, sent again after every lease and never failed.
        log.exception("Could not deliver webhook message %s", message.msg_id)
        answer = targets.Answer(None, f"{type(error).__name__}: {error}"[:500], 0)
    record_attempt(message, answer, clock.now())
    db.session.commit()
    return f"{message.msg_id}: {answer.status or 'no answer'} in {answer.latency_ms} ms"


def record_attempt(message: WebhookMessage, answer: targets.Answer, now: datetime) -> None:
    """Write one attempt, then the message's outcome: delivered, a retry later, or failed."""
    db.session.add(WebhookAttempt(message_id=message.id, attempted_at=now, status_code=answer.status,
                                  latency_ms=answer.latency_ms, response=answer.excerpt))
    message.last_attempt_at, message.last_status_code = now, answer.status
    message.last_latency_ms, message.last_response = answer.latency_ms, answer.excerpt
    message.enqueued_at = message.claimed_at = None
    endpoint = message.endpoint
    if answer.ok:
        message.status, message.delivered_at, message.next_attempt_at = "delivered", now, None
        endpoint.failing_since, endpoint.last_success_at = None, now
        return
    delays = retry_delays()
    if message.attempts > len(delays):
        message.status, message.next_attempt_at = "failed", None
    else:
        message.status, message.next_attempt_at = "pending", now + timedelta(seconds=delays[message.attempts - 1])
    if endpoint.failing_since is None:
        endpoint.failing_since = now
    elif endpoint.active and now - endpoint.failing_since >= timedelta(seconds=config_disable_after()):
        disable(endpoint, now)


def config_disable_after() -> int:
    return int(current_app.config["WEBHOOKS_DISABLE_AFTER_SECONDS"])


def disable(endpoint: WebhookEndpoint, now: datetime) -> None:
    """Turn off an endpoint that has failed every delivery for a day; its waiting messages fail with it.

    The admins are told (app/webhooks/listeners.py) in this transaction.
    """
    failing_since = endpoint.failing_since or now
    endpoint.active, endpoint.disabled_at = False, now
    endpoint.disabled_reason = (f"Turned off: every delivery since {failing_since:%Y-%m-%d %H:%M} UTC failed "
                                f"(last: {_last_words(endpoint)}).")[:300]
    db.session.execute(
        sa.update(WebhookMessage).where(WebhookMessage.endpoint_id == endpoint.id, WebhookMessage.status == "pending")
        .values(status="failed", next_attempt_at=None, enqueued_at=None).execution_options(synchronize_session=False))
    events.emit(WebhookEndpointDisabled(endpoint.id, endpoint.url, failing_since.isoformat(timespec="seconds") + "Z"))


def _last_words(endpoint: WebhookEndpoint) -> str:
    last = db.session.scalar(
        sa.select(WebhookMessage).where(WebhookMessage.endpoint_id == endpoint.id,
                                        WebhookMessage.last_attempt_at.is_not(None))
        .order_by(WebhookMessage.last_attempt_at.desc()).limit(1))
    if last is None:
        return "no answer"
    return f"HTTP {last.last_status_code}" if last.last_status_code else (last.last_response[:120] or "no answer")


# --- the sweep ---------------------------------------------------------------------------------

@dataclass
class SweepResult:
    enqueued: int = 0
    recovered: int = 0

    def __str__(self) -> str:
        return f"{self.enqueued} webhook messages enqueued, {self.recovered} recovered"


def sweep(now: datetime | None = None) -> SweepResult:
    """Put back what dead workers held, then enqueue every message due that no job waits for."""
    now = now or clock.now()
    config = current_app.config
    lease = now - timedelta(seconds=config["WEBHOOKS_LEASE_SECONDS"])
    recovered = db.session.execute(
        sa.update(WebhookMessage).where(WebhookMessage.status == "sending", WebhookMessage.claimed_at < lease)
        .values(status="pending", enqueued_at=None, claimed_at=None, next_attempt_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount or 0
    # Enqueued long ago and still pending: Redis lost the job (a job that runs twice finds the
    # message claimed the second time, so enqueueing one that still waits costs nothing).
    lost = now - timedelta(seconds=config["RECOVER_AFTER_SECONDS"])
    due = list(db.session.scalars(
        sa.select(WebhookMessage.id).where(
            WebhookMessage.status == "pending", WebhookMessage.next_attempt_at <= now,
            sa.or_(WebhookMessage.enqueued_at.is_(None), WebhookMessage.enqueued_at < lost))
        .order_by(WebhookMessage.next_attempt_at, WebhookMessage.id).limit(config["DISPATCH_BATCH"])))
    if due:
        # Marked before enqueueing: a crash in between leaves rows the next sweep finds.
        db.session.execute(sa.update(WebhookMessage).where(WebhookMessage.id.in_(due))
                           .values(enqueued_at=now).execution_options(synchronize_session=False))
    db.session.commit()
    for message_id in due:
        enqueue_now("app.webhooks.jobs.deliver", message_id, job_id=job_id("webhook", message_id))
    return SweepResult(enqueued=len(due), recovered=recovered)


#: The states of a message still owed to its endpoint, or given up on: counted for /metrics.
UNDELIVERED = ("pending", "sending", "failed")


def undelivered_counts() -> list[tuple[tuple[str], float]]:
    """How many messages are in each of :data:`UNDELIVERED` (one aggregate by the status index; the
    delivered ones, which only grow, are not counted)."""
    counts = dict(db.session.execute(
        sa.select(WebhookMessage.status, sa.func.count()).where(WebhookMessage.status.in_(UNDELIVERED))
        .group_by(WebhookMessage.status)).tuples().all())
    return [((state,), float(counts.get(state, 0))) for state in UNDELIVERED]
