"""Background jobs of webhooks: each takes ids and opens its own app context."""

from __future__ import annotations

from app.background import registry
from app.background.queue import in_app_context
from app.background.services import recording
from app.ops import metrics
from app.webhooks import delivery

RUN = "webhooks"


@in_app_context
def deliver(message_id: int) -> str:
    """POST one webhook message, signed."""
    return delivery.deliver(message_id)


@in_app_context
def sweep() -> str:
    """Every interval: re-send what dead workers held, and enqueue the retries that have come due."""
    with recording(RUN) as run:
        run.summary = str(delivery.sweep())
    return run.summary


def init_app() -> None:
    """Have the background scheduler run the webhooks' sweep, and /metrics count the messages not delivered yet."""
    registry.add_periodic(registry.PeriodicJob(sweep, runs=((RUN, "Webhook sweep"),)))
    metrics.add_gauge(metrics.Gauge(
        "countersign_webhook_messages", "Webhook messages not delivered yet, by state: pending (waiting for "
        "their first attempt or a retry), sending, failed (retries exhausted or the endpoint turned off).",
        ("state",), delivery.undelivered_counts))
