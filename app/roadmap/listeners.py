"""What the roadmap records of changes made elsewhere: a milestone changed through its own form or
step is, in a planned campaign, a re-plan with its reason.

Each handler runs in the transaction of its event (:mod:`app.core.events`), so the re-plan exists
exactly when the change does. The records an event names were just changed by the service that
emitted it, so ``session.get`` finds them in the session without a query.
"""

from __future__ import annotations

from app.accounts.models import User
from app.core import events
from app.events import MilestonePlanChanged
from app.extensions import db
from app.milestones.models import Milestone
from app.roadmap import services


def milestone_plan_changed(event: MilestonePlanChanged) -> None:
    """Record the change as a re-plan (nothing before the campaign is planned)."""
    actor, milestone = db.session.get(User, event.actor_id), db.session.get(Milestone, event.milestone_id)
    if actor is None or milestone is None:  # an event names what its own transaction holds: a bug
        raise LookupError(f"{event!r} names a record that is not in the database")
    services.record(actor, milestone, event.changes, event.reason)


def init_app() -> None:
    """Subscribe the handlers, in the transaction of their events (subscribing again adds nothing)."""
    events.subscribe(MilestonePlanChanged, milestone_plan_changed)
