"""What milestones does when its events happen: the notification of an assigned task.

Each handler runs in the transaction of its event (:mod:`app.core.events`), so the notifications
exist exactly when the change does, and their emails leave only after the commit
(:func:`app.notifications.services.notify`).
"""

from __future__ import annotations

from app.accounts.models import User
from app.core import events
from app.core.text import date_label
from app.events import TaskAssigned
from app.extensions import db
from app.milestones.models import Task
from app.notifications.services import notify


def task_assigned(event: TaskAssigned) -> None:
    """The new assignee (not when they assigned it to themselves)."""
    assignee = db.session.get(User, event.assignee_id)
    if assignee is None:
        return
    task, actor = events.named(Task, event.task_id), events.named(User, event.actor_id)
    milestone = task.milestone
    due = task.due_date or milestone.due_date
    notify([assignee], "task_assigned", f"{actor.name} gave you “{task.title}” — {milestone.project.title}",
           f"For the milestone “{milestone.title}”, due {date_label(due)}.", milestone.path, skip=actor,
           project_id=milestone.project_id)


def init_app() -> None:
    """Subscribe the handlers, in the transaction of their events (subscribing again adds nothing)."""
    events.subscribe(TaskAssigned, task_assigned)
