"""Webhook endpoints, the outbox of messages to them, and each delivery attempt.

The messages table is the outbox: a row is written in the transaction of the event it carries,
one per subscribed active endpoint, and its status says where delivery stands. Workers only move a
row forward (pending → sending → delivered, or back to pending for a retry, or failed), so a job lost
in Redis or a worker killed mid-delivery loses nothing: the sweep finds the row and sends it again.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.accounts.models import User
from app.core import clock
from app.core.models import one_of
from app.extensions import db

#: Where a message stands.
MESSAGE_STATES = {
    "pending": "Waiting",
    "sending": "Being sent",
    "delivered": "Delivered",
    "failed": "Failed",
}
#: The longest endpoint URL kept, and the part of a receiver's answer kept per attempt.
URL_MAX = 2000
EXCERPT_MAX = 500


def endpoint_path(endpoint_id: int) -> str:
    """The endpoint's page (a worker has no request to build a URL from; the views' route is this)."""
    return f"/admin/webhooks/{endpoint_id}"


class WebhookEndpoint(db.Model):  # type: ignore[name-defined,misc]
    """A URL that receives the event types it subscribes to, signed with its own secret.

    The secret must be kept as it is (it signs every message), so it is stored, but it is shown to
    an admin only once, when it is made or rotated.
    """

    __tablename__ = "webhook_endpoints"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    url: so.Mapped[str] = so.mapped_column(sa.String(URL_MAX))
    description: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    # The webhook type names it receives ("commitment.countersigned"), as a JSON list.
    event_types: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    active: so.Mapped[bool] = so.mapped_column(default=True, server_default=sa.true(), index=True)
    secret: so.Mapped[str] = so.mapped_column(sa.String(100))
    created_at: so.Mapped[datetime] = so.mapped_column(default=clock.now)
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: so.Mapped[datetime] = so.mapped_column(default=clock.now)
    secret_rotated_at: so.Mapped[datetime] = so.mapped_column(default=clock.now)
    # When its current run of failures began (None: its last delivery succeeded, or none failed yet).
    failing_since: so.Mapped[datetime | None]
    last_success_at: so.Mapped[datetime | None]
    # Turned off after a day of failures (``active`` false), with why; cleared when turned on again.
    disabled_at: so.Mapped[datetime | None]
    disabled_reason: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    version: so.Mapped[int] = so.mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    created_by: so.Mapped[User | None] = so.relationship()

    def __repr__(self) -> str:
        return f"<WebhookEndpoint {self.id} {self.url}>"


class WebhookMessage(db.Model):  # type: ignore[name-defined,misc]
    """One event for one endpoint: its body is written once, so every attempt sends the same bytes
    under the same ``webhook-id`` (``msg_id``), and a receiver can drop a repeat by it."""

    __tablename__ = "webhook_messages"
    __table_args__ = (
        one_of("status", MESSAGE_STATES),
        # The sweep's query: rows still to deliver, by when they are due.
        sa.Index("ix_webhook_messages_status_next_attempt_at", "status", "next_attempt_at"),
        # An endpoint's delivery log, newest first.
        sa.Index("ix_webhook_messages_endpoint_id_id", "endpoint_id", "id"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    endpoint_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    msg_id: so.Mapped[str] = so.mapped_column(sa.String(40), unique=True)
    event_type: so.Mapped[str] = so.mapped_column(sa.String(60))
    payload: so.Mapped[str] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(default=clock.now)
    status: so.Mapped[str] = so.mapped_column(sa.String(20), default="pending")
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    next_attempt_at: so.Mapped[datetime | None]
    # When the last job for it was enqueued (None: none waits), and when a worker claimed it (the lease).
    enqueued_at: so.Mapped[datetime | None]
    claimed_at: so.Mapped[datetime | None]
    last_attempt_at: so.Mapped[datetime | None]
    last_status_code: so.Mapped[int | None]
    last_latency_ms: so.Mapped[int | None]
    last_response: so.Mapped[str] = so.mapped_column(sa.String(EXCERPT_MAX), default="")
    delivered_at: so.Mapped[datetime | None]

    endpoint: so.Mapped[WebhookEndpoint] = so.relationship()

    @property
    def status_label(self) -> str:
        return MESSAGE_STATES[self.status]


class WebhookAttempt(db.Model):  # type: ignore[name-defined,misc]
    """One POST of a message: what the receiver answered (``status_code`` None: no answer, see
    ``response``), and how long it took."""

    __tablename__ = "webhook_attempts"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    message_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("webhook_messages.id", ondelete="CASCADE"),
                                                  index=True)
    attempted_at: so.Mapped[datetime] = so.mapped_column(default=clock.now)
    status_code: so.Mapped[int | None]
    latency_ms: so.Mapped[int]
    response: so.Mapped[str] = so.mapped_column(sa.String(EXCERPT_MAX), default="")
