"""Webhook rules: admins register endpoints; every published event becomes one message per endpoint
that subscribes to it, written in the event's own transaction."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app

from app.accounts.models import User
from app.audit import services as audit
from app.background.queue import enqueue_after_commit
from app.core import clock, transactions
from app.core.errors import InvalidInput, NotAllowed, StaleEdit
from app.core.events import Event
from app.core.models import touch
from app.core.pagination import FIRST_PAGE, Page, PageRequest, desc, paginate, total
from app.extensions import db
from app.webhooks import catalogue, targets
from app.webhooks.models import URL_MAX, WebhookEndpoint, WebhookMessage

#: The most endpoints there may be: each event is written once per subscribed endpoint, in the
#: transaction of the change, so their number bounds what every change costs.
MAX_ENDPOINTS = 50
#: The secret's random bytes (Standard Webhooks: 24 to 64; ``whsec_`` + base64 of them).
SECRET_BYTES = 32
DELIVER_JOB = "app.webhooks.jobs.deliver"


@dataclass(frozen=True)
class EndpointInput:
    url: str
    description: str = ""
    event_types: Sequence[str] = field(default_factory=tuple)
    active: bool = True


def allow_private() -> bool:
    return bool(current_app.config["WEBHOOKS_ALLOW_PRIVATE_TARGETS"])


def new_secret() -> str:
    """A signing secret in the Standard Webhooks form."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def new_msg_id() -> str:
    """A message's ``webhook-id``: random, the same on every attempt."""
    return "msg_" + secrets.token_urlsafe(18)


def _require_admin(actor: User) -> None:
    if not actor.is_admin:
        raise NotAllowed("Only admins manage webhooks.")


def _apply(endpoint: WebhookEndpoint, data: EndpointInput) -> None:
    errors: dict[str, list[str]] = {}
    url = data.url.strip()
    if not url:
        errors["url"] = ["Give the address that receives the events."]
    elif len(url) > URL_MAX:
        errors["url"] = [f"At most {URL_MAX} characters."]
    else:
        try:
            targets.check(url, allow_private())
        except targets.TargetRefused as refused:
            errors["url"] = [str(refused)]
    unknown = [name for name in data.event_types if name not in catalogue.TYPES]
    if unknown:
        errors["event_types"] = [f"Unknown event type {unknown[0]!r}: one of {', '.join(catalogue.TYPES)}."]
    elif not data.event_types:
        errors["event_types"] = ["Choose at least one event type."]
    if errors:
        raise InvalidInput("The endpoint was not saved.", errors)
    endpoint.url, endpoint.description = url, data.description.strip()
    endpoint.event_types = [name for name in catalogue.TYPES if name in set(data.event_types)]
    if data.active and not endpoint.active:
        endpoint.disabled_at, endpoint.disabled_reason, endpoint.failing_since = None, "", None
    endpoint.active = data.active


def create_endpoint(actor: User, data: EndpointInput) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; returns it with its secret, which is shown this once."""
    _require_admin(actor)
    if db.session.scalar(sa.select(sa.func.count()).select_from(WebhookEndpoint)) >= MAX_ENDPOINTS:
        raise InvalidInput(f"There are {MAX_ENDPOINTS} endpoints already: delete one first.")
    endpoint = WebhookEndpoint(created_by_id=actor.id, active=False, secret=new_secret())
    _apply(endpoint, data)
    db.session.add(endpoint)
    db.session.flush()
    _forget_endpoints()
    audit.record(actor, "webhook.created", f"Registered webhook endpoint {endpoint.url}",
                 entity="webhook_endpoint", entity_id=endpoint.id)
    return endpoint, endpoint.secret


def update_endpoint(actor: User, endpoint: WebhookEndpoint, data: EndpointInput,
                    expected_version: int) -> WebhookEndpoint:
    """Change an endpoint's address, description, event types or whether it is on."""
    _require_admin(actor)
    if expected_version != endpoint.version:
        raise StaleEdit("webhook endpoint")
    _apply(endpoint, data)
    touch(endpoint)
    db.session.flush()
    _forget_endpoints()
    audit.record(actor, "webhook.updated", f"Edited webhook endpoint {endpoint.url}"
                 + ("" if endpoint.active else " (off)"), entity="webhook_endpoint", entity_id=endpoint.id)
    return endpoint


def rotate_secret(actor: User, endpoint: WebhookEndpoint) -> str:
    """Give the endpoint a new secret (shown once); messages sent from now on are signed with it."""
    _require_admin(actor)
    endpoint.secret = new_secret()
    endpoint.secret_rotated_at = clock.now()
    touch(endpoint)
    db.session.flush()
    audit.record(actor, "webhook.secret_rotated", f"Rotated the secret of webhook endpoint {endpoint.url}",
                 entity="webhook_endpoint", entity_id=endpoint.id)
    return endpoint.secret


def delete_endpoint(actor: User, endpoint: WebhookEndpoint) -> None:
    """Delete an endpoint with its delivery log; what was not delivered yet is never sent."""
    _require_admin(actor)
    audit.record(actor, "webhook.deleted", f"Deleted webhook endpoint {endpoint.url}",
                 entity="webhook_endpoint", entity_id=endpoint.id)
    # Bulk, not through the ORM's cascade: the log may hold many thousands of rows.
    db.session.execute(sa.delete(WebhookMessage).where(WebhookMessage.endpoint_id == endpoint.id))
    db.session.delete(endpoint)
    db.session.flush()
    _forget_endpoints()


def endpoints(asked: PageRequest = FIRST_PAGE) -> Page[WebhookEndpoint]:
    return paginate(sa.select(WebhookEndpoint), [desc(WebhookEndpoint.id)], asked)


def endpoint_count() -> int:
    return total(sa.select(WebhookEndpoint))


def messages(endpoint: WebhookEndpoint, asked: PageRequest = FIRST_PAGE) -> Page[WebhookMessage]:
    """The endpoint's delivery log, newest first."""
    return paginate(_log(endpoint), [desc(WebhookMessage.id)], asked)


def message_count(endpoint: WebhookEndpoint) -> int:
    return total(_log(endpoint))


def _log(endpoint: WebhookEndpoint) -> sa.Select[tuple[WebhookMessage]]:
    return sa.select(WebhookMessage).where(WebhookMessage.endpoint_id == endpoint.id)


# --- the outbox --------------------------------------------------------------------------------

def _queue(message: WebhookMessage) -> None:
    """Deliver ``message`` once the transaction commits (the sweep catches it if that enqueue fails)."""
    message.enqueued_at = clock.now()
    enqueue_after_commit(db.session(), DELIVER_JOB, message, job_kind="webhook")


def _message(endpoint: WebhookEndpoint, type_name: str, data: dict[str, object]) -> WebhookMessage:
    now = clock.now()
    message = WebhookMessage(endpoint=endpoint, msg_id=new_msg_id(), event_type=type_name,
                             payload=catalogue.body(type_name, now, data), created_at=now,
                             status="pending", next_attempt_at=now)
    db.session.add(message)
    _queue(message)
    return message


def _active_endpoints() -> list[WebhookEndpoint]:
    """The active endpoints, read once per transaction however many events it emits (a re-plan of
    fifty milestones is fifty events). At most MAX_ENDPOINTS rows; the subscription is checked in
    Python rather than SQL, so the JSON list needs no database-specific operator."""
    return transactions.state(db.session(), "webhooks.active_endpoints", lambda: list(
        db.session.scalars(sa.select(WebhookEndpoint).where(WebhookEndpoint.active.is_(True)))))


def _forget_endpoints() -> None:
    """An endpoint saved in this transaction: the next event reads them again."""
    transactions.discard(db.session(), "webhooks.active_endpoints")


def record_event(event: Event) -> list[WebhookMessage]:
    """One message per active endpoint subscribed to ``event``'s type, in the event's transaction."""
    type_name = catalogue.type_of(event)
    if type_name is None:
        return []
    subscribed = [e for e in _active_endpoints() if type_name in e.event_types]
    data = catalogue.event_data(event)
    return [_message(endpoint, type_name, data) for endpoint in subscribed]


def send_test(actor: User, endpoint: WebhookEndpoint) -> WebhookMessage:
    """Send the endpoint a ``ping`` (whether or not it is on), to check it receives and verifies."""
    _require_admin(actor)
    return _message(endpoint, catalogue.PING, {"endpoint_id": endpoint.id, "actor_id": actor.id})


def redeliver(actor: User, message: WebhookMessage) -> WebhookMessage:
    """Send a message again, now, under the same ``webhook-id`` (a receiver that has it may drop it)."""
    _require_admin(actor)
    if message.status in {"pending", "sending"}:
        raise InvalidInput("This message is being delivered already.")
    message.status, message.next_attempt_at = "pending", clock.now()
    _queue(message)
    audit.record(actor, "webhook.redelivered", f"Redelivered webhook {message.msg_id} ({message.event_type})",
                 entity="webhook_endpoint", entity_id=message.endpoint_id)
    return message
