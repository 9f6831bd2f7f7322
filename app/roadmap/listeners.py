"""What the roadmap does when its events happen: the notifications a re-plan's moved milestones become.

Each handler runs in the transaction of its event (:mod:`app.core.events`), so the notifications
exist exactly when the change does, and their emails leave only after the commit
(:func:`app.notifications.services.notify`).
"""

from __future__ import annotations

from app.accounts.models import User
from app.core import events
from app.core.text import date_label
from app.events import MilestoneMoved
from app.extensions import db
from app.milestones.models import Milestone
from app.notifications.services import notify
from app.projects.models import Project
from app.roadmap.models import Replan


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
           milestone.path, skip=actor, project_id=project.id)


def init_app() -> None:
    """Subscribe the handlers, in the transaction of their events (subscribing again adds nothing)."""
    events.subscribe(MilestoneMoved, milestone_moved)
