"""What projects does when its events happen: the notifications a campaign's steps become.

Each handler runs in the transaction of its event (:mod:`app.core.events`), so the notifications
exist exactly when the change does, and their emails leave only after the commit
(:func:`app.notifications.services.notify`).
"""

from __future__ import annotations

from app.accounts.models import User
from app.core import events
from app.events import CampaignStateChanged
from app.notifications.services import notify
from app.projects.models import Project
from workflows.project import PROJECT_WORKFLOW


def campaign_state_changed(event: CampaignStateChanged) -> None:
    """Everyone on the campaign but whoever took the step."""
    project, actor = events.named(Project, event.project_id), events.named(User, event.actor_id)
    transition = PROJECT_WORKFLOW.transition(event.step, event.from_state)
    label = transition.label if transition is not None else event.step
    note = f"{actor.name}: {label}" + (f" — {event.reason}" if event.reason else "")
    notify(project.members, f"project_{event.step}", f"“{project.title}” is now {project.state_label.lower()}",
           note, project.path, skip=actor, project_id=project.id)


def init_app() -> None:
    """Subscribe the handlers, in the transaction of their events (subscribing again adds nothing)."""
    events.subscribe(CampaignStateChanged, campaign_state_changed)
