"""Background jobs of the API: the idempotency keys past their 24 hours are deleted."""

from __future__ import annotations

from datetime import timedelta

from app.api import idempotency
from app.background import registry
from app.background.queue import in_app_context
from app.background.services import NOT_DUE, due, recording
from app.core import clock
from app.extensions import db

#: Keys are kept a day: an hourly clean-up keeps the table at about a day's POSTs.
EVERY = timedelta(hours=1)
RUN = "idempotency"


@in_app_context
def clean_up() -> str:
    """Delete the idempotency keys older than a day, at most once an hour (the scheduler asks every interval)."""
    if not due(RUN, EVERY):
        return NOT_DUE
    with recording(RUN) as run:
        gone = idempotency.purge(clock.now())
        db.session.commit()
        run.summary = f"{gone} idempotency key{'s' if gone != 1 else ''} deleted"
    return run.summary


def init_app() -> None:
    """Have the background scheduler run the clean-up."""
    registry.add_periodic(registry.PeriodicJob(clean_up, runs=((RUN, "Idempotency keys clean-up"),), every=EVERY))
