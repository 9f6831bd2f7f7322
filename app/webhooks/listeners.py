"""What webhooks do when events happen: every published event becomes messages in the outbox, in
its own transaction; an endpoint turned off after a day of failures is told to the admins."""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import Role, User
from app.core import events
from app.events import WebhookEndpointDisabled
from app.extensions import db
from app.notifications.services import notify
from app.webhooks import catalogue, services
from app.webhooks.models import endpoint_path


def endpoint_disabled(event: WebhookEndpointDisabled) -> None:
    """Every active admin: the endpoint is off until one of them turns it on again."""
    admins = db.session.scalars(sa.select(User).where(User.role == Role.ADMIN, User.active.is_(True)))
    notify(admins, "webhook_disabled", f"Webhook endpoint turned off: {event.url}",
           f"Every delivery to {event.url} has failed since {event.failing_since}, so it was turned off and "
           "its waiting messages were marked failed. Check the receiver, turn the endpoint on again and "
           "redeliver what it missed from its delivery log.",
           endpoint_path(event.endpoint_id))


def init_app() -> None:
    """Subscribe the handlers, in the transaction of their events (subscribing again adds nothing)."""
    for event_type in catalogue.EVENTS:
        events.subscribe(event_type, services.record_event)
    events.subscribe(WebhookEndpointDisabled, endpoint_disabled)
