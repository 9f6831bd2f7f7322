"""Background jobs of reminders: each opens its own app context."""

from __future__ import annotations

import logging

from app.background import registry
from app.background.queue import in_app_context
from app.background.services import recording
from app.core import clock
from app.core.text import moment_text
from app.notifications import delivery
from app.reminders import services

log = logging.getLogger(__name__)


@in_app_context
def sweep() -> str:
    """Every minute: write the reminders that have fallen due, then dispatch what is due by email.

    One job, in this order, so that a digest never leaves before the reminders of its own
    hour are written (two jobs could run at once on two workers, the dispatch first).
    """
    with recording("sweep") as run:
        swept = services.sweep()
        run.summary = str(swept)
    if swept.held_until is not None:
        # Said plainly on the worker's console (scripts/run shows it): otherwise a demo started in
        # the evening shows reminders in the app but no email, with no word why.
        log.info("Quiet hours: %d reminder email%s held until %s, when the recipients' quiet hours end",
                 swept.held, "" if swept.held == 1 else "s", moment_text(swept.held_until, clock.now()))
    with recording("dispatch") as dispatched:
        dispatched.summary = str(delivery.dispatch())
    return f"{run.summary}; {dispatched.summary}"


def init_app() -> None:
    """Have the background scheduler run the sweep (it records the dispatch's run as well)."""
    registry.add_periodic(registry.PeriodicJob(sweep, runs=(("sweep", "Reminder sweep"), ("dispatch", "Email dispatch"))))
