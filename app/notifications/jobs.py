"""Background jobs of notifications: each takes ids and opens its own app context."""

from __future__ import annotations

from app.background.queue import in_app_context
from app.notifications import delivery


@in_app_context
def deliver(notification_id: int) -> str:
    """Send one notification's email."""
    return delivery.deliver(notification_id)


@in_app_context
def deliver_digest(user_id: int, notification_ids: list[int]) -> str:
    """Send one person's digest."""
    return delivery.deliver_digest(user_id, notification_ids)
