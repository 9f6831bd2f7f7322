"""What the milestones do about changes made elsewhere: a campaign created from a template starts
with the template's milestones.

Each handler runs in the transaction of its event (:mod:`app.core.events`), so the milestones exist
exactly when the campaign does. The records an event names were just changed by the service that
emitted it, so ``session.get`` finds them in the session without a query.
"""

from __future__ import annotations

from app.core import events
from app.events import CampaignCreated
from app.extensions import db
from app.milestones.models import Milestone
from app.projects.models import Project
from workflows.campaigns import load_templates, plan_milestones


def campaign_created(event: CampaignCreated) -> None:
    """The template's milestones at their offsets from the start, owned by the project manager."""
    if not event.template:
        return
    project = db.session.get(Project, event.project_id)
    if project is None:  # an event names what its own transaction holds: a bug
        raise LookupError(f"{event!r} names a record that is not in the database")
    template = load_templates()[event.template]
    assert project.start_date is not None and project.goal_target is not None  # set by launch_project
    for position, planned in enumerate(
        plan_milestones(template, project.start_date, project.goal_baseline, project.goal_target)
    ):
        project.milestones.append(
            Milestone(
                title=planned.title,
                due_date=planned.due_date,
                target_value=planned.target_value,
                position=position,
                owner_id=project.project_manager_id,
            )
        )
    db.session.flush()


def init_app() -> None:
    """Subscribe the handlers, in the transaction of their events (subscribing again adds nothing)."""
    events.subscribe(CampaignCreated, campaign_created)
