"""Background jobs of notifications: each takes ids and opens its own app context."""

from __future__ import annotations

from app.accounts import outbox
from app.accounts.models import User
from app.background import registry
from app.background.queue import in_app_context
from app.notifications import delivery, mailbox, services


@in_app_context
def deliver(notification_id: int) -> str:
    """Send one notification's email."""
    return delivery.deliver(notification_id)


@in_app_context
def deliver_digest(user_id: int, notification_ids: list[int]) -> str:
    """Send one person's digest."""
    return delivery.deliver_digest(user_id, notification_ids)


def _send_for_accounts(user: User, kind: str, subject: str) -> int:
    return services.send_email(user, kind, subject).id


def init_app() -> None:
    """Show the emails on the background admin page and in ``flask jobs status``, which know no feature,
    and carry accounts' own email (a reset link): accounts sits below notifications and imports no outbox."""
    outbox.set_sender(_send_for_accounts)
    registry.set_outbox(registry.Outbox(
        backlog=delivery.backlog, failed=delivery.failed,
        summary=lambda: delivery.backlog_text(delivery.backlog()),
        retry_failed=delivery.retry_failed, discard_failed=delivery.discard_failed,
        mailbox=mailbox.mailbox, mailbox_message=mailbox.mailbox_message,
    ))
