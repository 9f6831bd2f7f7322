"""What the roadmap does when events happen: the notifications a re-plan's moved milestones become,
and what it records of changes made elsewhere. A milestone changed through its own form or step
is, in a planned campaign, a re-plan with its reason; a campaign's step whose workflow says so
(planning it) takes the baseline "Plan of record".

Each handler runs in the transaction of its event (:mod:`app.core.events`): the notifications and
the re-plan exist exactly when the change does (the emails leave only after the commit,
:func:`app.notifications.services.notify`).
"""

from __future__ import annotations

from app.accounts.models import User
from app.core import events
from app.core.text import date_label
from app.events import CampaignStateChanged, MilestoneMoved, MilestonePlanChanged
from app.extensions import db
from app.milestones.models import Milestone
from app.notifications.services import notify
from app.projects.models import Project
from app.roadmap import services
from app.roadmap.models import Replan
from workflows.project import PROJECT_WORKFLOW


def milestone_moved(event: MilestoneMoved) -> None:
    """The campaign's people and the owners of the milestones the re-plan changed: old date, new date, why."""
    project, actor = events.named(Project, event.project_id), events.named(User, event.actor_id)
    milestone = events.named(Milestone, event.milestone_id)
    replanned = (db.session.get(Milestone, mid) for mid in dict.fromkeys(
        c.milestone_id for c in events.named(Replan, event.replan_id).changes) if mid)
    people = [*project.members, *(m.owner for m in replanned if m is not None and m.owner is not None)]
    old, new = event.old_due_date, event.new_due_date
    notify(people, "milestone_moved", f"“{milestone.title}” moved to {date_label(new)} — {project.title}",
           f"{actor.name} moved it from {date_label(old)} to {date_label(new)}: {event.reason}",
           milestone.path, skip=actor, project_id=project.id, about=("milestone", milestone.id, "REQUEST"))


def milestone_plan_changed(event: MilestonePlanChanged) -> None:
    """Record the change as a re-plan (nothing before the campaign is planned)."""
    services.record(events.named(User, event.actor_id), events.named(Milestone, event.milestone_id),
                    event.changes, event.reason)


def campaign_state_changed(event: CampaignStateChanged) -> None:
    """The step's ``take_baseline`` effect: snapshot the roadmap as the plan of record."""
    transition = PROJECT_WORKFLOW.transition(event.step, event.from_state)
    if transition is None or "take_baseline" not in transition.effects:
        return
    services.take_baseline(events.named(User, event.actor_id), events.named(Project, event.project_id),
                           "Plan of record")


def init_app() -> None:
    """Subscribe the handlers, in the transaction of their events (subscribing again adds nothing)."""
    events.subscribe(MilestoneMoved, milestone_moved)
    events.subscribe(MilestonePlanChanged, milestone_plan_changed)
    events.subscribe(CampaignStateChanged, campaign_state_changed)
