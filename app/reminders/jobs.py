"""Background jobs of reminders: each opens its own app context."""

from __future__ import annotations

from app.background.queue import in_app_context
from app.background.services import recording
from app.reminders import services


@in_app_context
def sweep() -> str:
    """Every minute: write the reminders that have fallen due (their emails follow the commit)."""
    with recording("sweep") as run:
        run.summary = str(services.sweep())
    return run.summary
