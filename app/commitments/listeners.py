"""What the commitments do about changes made elsewhere: a milestone moved, cancelled or restored
may break the countersigned promises that depend on it, or mend them; one that a promise depends on
is not removed. A campaign's lifecycle asks which commitments are still unsigned, and cancelling it
withdraws them.

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
from app.events import CampaignStateChanged, MilestonePlanChanged
from app.extensions import db
from app.milestones import services as milestones
from app.milestones.models import Milestone
from app.projects import services as projects
from app.projects.models import Project
from workflows.commitment import CLOSED_STATES
from workflows.project import PROJECT_WORKFLOW

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


def campaign_state_changed(event: CampaignStateChanged) -> None:
    """The step's ``withdraw_unsigned_commitments`` effect (cancelling): what never became binding is withdrawn."""
    transition = PROJECT_WORKFLOW.transition(event.step, event.from_state)
    if transition is None or "withdraw_unsigned_commitments" not in transition.effects:
        return
    actor, project = db.session.get(User, event.actor_id), db.session.get(Project, event.project_id)
    if actor is None or project is None:  # an event names what its own transaction holds: a bug
        raise LookupError(f"{event!r} names a record that is not in the database")
    services.withdraw_unsigned(actor, project, f"Campaign cancelled: {event.reason}")


def unsigned_commitments(project: Project) -> tuple[str, ...]:
    """The lifecycle's fact ``unsigned_commitments``: those that hold the campaign's launch and completion."""
    return services.unsigned_titles(project.id)


def init_app() -> None:
    """Subscribe the handlers, in the transaction of their events (subscribing again adds nothing),
    and register the check a milestone's removal asks and the fact a campaign's lifecycle asks."""
    events.subscribe(MilestonePlanChanged, milestone_plan_changed)
    events.subscribe(CampaignStateChanged, campaign_state_changed)
    milestones.refuse_removal_when(milestone_removal)
    projects.provide_fact("unsigned_commitments", unsigned_commitments)
