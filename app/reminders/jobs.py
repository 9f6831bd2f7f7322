"""Background jobs of reminders: each opens its own app context."""

from __future__ import annotations

from app.background.queue import in_app_context
from app.background.services import recording
from app.notifications import delivery
from app.reminders import services


@in_app_context
def sweep() -> str:
    """Every minute: write the reminders that have fallen due, then dispatch what is due by email.

    One job, in this order, so that a digest never leaves before the reminders of its own
    hour are written (two jobs could run at once on two workers, the dispatch first).
    """
    with recording("sweep") as run:
        run.summary = str(services.sweep())
    with recording("dispatch") as dispatched:
        dispatched.summary = str(delivery.dispatch())
    return f"{run.summary}; {dispatched.summary}"
