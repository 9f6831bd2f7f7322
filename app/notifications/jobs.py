"""Background jobs of notifications: each takes ids and opens its own app context."""

from __future__ import annotations

from app.background import registry
from app.background.queue import in_app_context
from app.notifications import delivery, mailbox


@in_app_context
def deliver(notification_id: int) -> str:
    """Send one notification's email."""
    return delivery.deliver(notification_id)


@in_app_context
def deliver_digest(user_id: int, notification_ids: list[int]) -> str:
    """Send one person's digest."""
    return delivery.deliver_digest(user_id, notification_ids)


def init_app() -> None:
    """Show the emails on the background admin page and in ``flask jobs status``, which know no feature."""
    registry.set_outbox(registry.Outbox(
        backlog=delivery.backlog, failed=delivery.failed,
        summary=lambda: delivery.backlog_text(delivery.backlog()),
        retry_failed=delivery.retry_failed, discard_failed=delivery.discard_failed,
        mailbox=mailbox.mailbox, mailbox_message=mailbox.mailbox_message,
    ))
