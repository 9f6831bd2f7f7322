"""What the commitments do about changes made elsewhere: a milestone moved, cancelled or restored
may break the countersigned promises that depend on it, or mend them; one that a promise depends on
is not removed.

Each handler runs in the transaction of its event (:mod:`app.core.events`), so a promise is flagged
at risk (or cleared) exactly when the change that breaks it is saved. The records an event names
were just changed by the service that emitted it, so ``session.get`` finds them without a query.
"""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import User
from app.commitments import services
from app.commitments.models import Commitment
from app.core import events
from app.events import MilestonePlanChanged
from app.extensions import db
from app.milestones import services as milestones
from app.milestones.models import Milestone
from workflows.commitment import CLOSED_STATES

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


def milestone_removal(milestone: Milestone) -> str | None:
    """A milestone that open commitments depend on stays, cancelled instead, so their promises are flagged."""
    linked = db.session.scalar(
        sa.select(sa.func.count()).select_from(Commitment)
        .where(Commitment.milestone_id == milestone.id, Commitment.state.not_in(CLOSED_STATES))
    )
    if not linked:
        return None
    return (f"{linked} commitment{'s depend' if linked != 1 else ' depends'} on “{milestone.title}”: "
            "cancel the milestone instead, so the promise is flagged at risk.")


def init_app() -> None:
    """Subscribe the handlers, in the transaction of their events (subscribing again adds nothing),
    and the check a milestone's removal asks."""
    events.subscribe(MilestonePlanChanged, milestone_plan_changed)
    milestones.refuse_removal_when(milestone_removal)
