"""What the commitments do about changes made elsewhere: a milestone moved, cancelled or restored
may break the countersigned promises that depend on it, or mend them.

Each handler runs in the transaction of its event (:mod:`app.core.events`), so a promise is flagged
at risk (or cleared) exactly when the change that breaks it is saved. The records an event names
were just changed by the service that emitted it, so ``session.get`` finds them without a query.
"""

from __future__ import annotations

from app.accounts.models import User
from app.commitments import services
from app.core import events
from app.events import MilestonePlanChanged
from app.extensions import db
from app.milestones.models import Milestone

#: The changes to a milestone that can break or mend a promise: its date, its target, whether it is on the plan.
_REASSESSED = frozenset({"moved", "target", "cancelled", "restored"})


def milestone_plan_changed(event: MilestonePlanChanged) -> None:
    """Flag the promises the change now breaks, clear those it no longer does."""
    if not any(kind in _REASSESSED for kind, _old, _new in event.changes):
        return
    actor, milestone = db.session.get(User, event.actor_id), db.session.get(Milestone, event.milestone_id)
    if actor is None or milestone is None:  # an event names what its own transaction holds: a bug
        raise LookupError(f"{event!r} names a record that is not in the database")
    services.reassess(actor, [milestone])


def init_app() -> None:
    """Subscribe the handlers, in the transaction of their events (subscribing again adds nothing)."""
    events.subscribe(MilestonePlanChanged, milestone_plan_changed)
