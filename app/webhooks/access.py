"""Who may manage webhooks: admins only; to anyone else every webhook page and record is not found."""

from __future__ import annotations

from flask import abort

from app.accounts.models import User
from app.extensions import db
from app.webhooks.models import WebhookEndpoint, WebhookMessage


def require_admin(user: User) -> None:
    if not user.is_admin:
        abort(404)


def endpoint_or_404(user: User, endpoint_id: int) -> WebhookEndpoint:
    require_admin(user)
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        abort(404)
    return endpoint


def message_or_404(user: User, endpoint: WebhookEndpoint, message_id: int) -> WebhookMessage:
    """A message of ``endpoint`` (another endpoint's message, by this one's URL, is not found)."""
    message = db.session.get(WebhookMessage, message_id)
    if message is None or message.endpoint_id != endpoint.id:
        abort(404)
    return message
