"""What the roadmap records of changes made elsewhere: a milestone changed through its own form or
step is, in a planned campaign, a re-plan with its reason; a campaign's step whose workflow says so
(planning it) takes the baseline "Plan of record".

Each handler runs in the transaction of its event (:mod:`app.core.events`), so the re-plan exists
exactly when the change does. The records an event names were just changed by the service that
emitted it, so ``session.get`` finds them in the session without a query.
"""

from __future__ import annotations

from app.accounts.models import User
from app.core import events
from app.events import CampaignStateChanged, MilestonePlanChanged
from app.extensions import db
from app.milestones.models import Milestone
from app.projects.models import Project
from app.roadmap import services
from workflows.project import PROJECT_WORKFLOW


def milestone_plan_changed(event: MilestonePlanChanged) -> None:
    """Record the change as a re-plan (nothing before the campaign is planned)."""
    actor, milestone = db.session.get(User, event.actor_id), db.session.get(Milestone, event.milestone_id)
    if actor is None or milestone is None:  # an event names what its own transaction holds: a bug
        raise LookupError(f"{event!r} names a record that is not in the database")
    services.record(actor, milestone, event.changes, event.reason)


def campaign_state_changed(event: CampaignStateChanged) -> None:
    """The step's ``take_baseline`` effect: snapshot the roadmap as the plan of record."""
    transition = PROJECT_WORKFLOW.transition(event.step, event.from_state)
    if transition is None or "take_baseline" not in transition.effects:
        return
    actor, project = db.session.get(User, event.actor_id), db.session.get(Project, event.project_id)
    if actor is None or project is None:  # an event names what its own transaction holds: a bug
        raise LookupError(f"{event!r} names a record that is not in the database")
    services.take_baseline(actor, project, "Plan of record")


def init_app() -> None:
    """Subscribe the handlers, in the transaction of their events (subscribing again adds nothing)."""
    events.subscribe(MilestonePlanChanged, milestone_plan_changed)
    events.subscribe(CampaignStateChanged, campaign_state_changed)
