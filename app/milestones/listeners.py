"""What milestones does when events happen: the notification of an assigned task, and the
template's milestones of a campaign created from a template.

Each handler runs in the transaction of its event (:mod:`app.core.events`): the notifications exist
exactly when the change does (their emails leave only after the commit,
:func:`app.notifications.services.notify`), and the milestones exactly when the campaign does.
"""

from __future__ import annotations

from datetime import date

from app.accounts.models import User
from app.core import events
from app.core.text import date_label
from app.events import CampaignCreated, TaskAssigned
from app.extensions import db
from app.milestones.models import Milestone, Task
from app.notifications.services import notify
from app.projects.models import Project
from workflows.campaigns import load_templates, plan_milestones, shifted
from workflows.milestone import MilestoneState


def task_assigned(event: TaskAssigned) -> None:
    """The new assignee (not when they assigned it to themselves)."""
    assignee = db.session.get(User, event.assignee_id)
    if assignee is None:
        return
    task, actor = events.named(Task, event.task_id), events.named(User, event.actor_id)
    milestone = task.milestone
    notify([assignee], "task_assigned", f"{actor.name} gave you “{task.title}” — {milestone.project.title}",
           assignment_text(task.due_date, milestone.title, milestone.due_date), milestone.path, skip=actor, project_id=milestone.project_id, about=("task", task.id, "REQUEST"))


def assignment_text(task_due: date | None, milestone_title: str, milestone_due: date) -> str:
    """The task's date and its milestone's, each named as whose it is (a task may be due before its milestone)."""
    if task_due is None:
        return f"Due with its milestone “{milestone_title}”, on {date_label(milestone_due)}."
    return f"Due {date_label(task_due)}, for the milestone “{milestone_title}” (due {date_label(milestone_due)})."


def campaign_created(event: CampaignCreated) -> None:
    """The template's milestones at their offsets from the start, owned by the project manager; or
    the milestones of the campaign it was cloned from."""
    if event.cloned_from_id is not None:
        _copy_milestones(events.named(Project, event.project_id), events.named(Project, event.cloned_from_id))
        return
    if not event.template:
        return
    project = events.named(Project, event.project_id)
    template = load_templates()[event.template]
    assert project.start_date is not None and project.goal_target is not None  # set by launch_project
    for position, planned in enumerate(
        plan_milestones(template, project.start_date, project.goal_baseline, project.goal_target)
    ):
        project.milestones.append(Milestone(title=planned.title, due_date=planned.due_date,
                                            target_value=planned.target_value, position=position,
                                            owner_id=project.project_manager_id))
    db.session.flush()


def _copy_milestones(project: Project, source: Project) -> None:
    """The source's milestones that are not cancelled, with their tasks, moved by the difference of
    the start dates, each keeping its target. Open again, undone, and nobody's: a clone is a draft
    proposal, so the work is given out when it is planned; copying owners and assignees would put a
    campaign nobody agreed to on people's dashboards, without the email that a given task sends."""
    assert project.start_date is not None and source.start_date is not None  # launch_project and clone_campaign ask
    for position, milestone in enumerate(m for m in source.milestones if m.state != MilestoneState.CANCELLED):
        copy = Milestone(title=milestone.title, description=milestone.description, position=position,
                         due_date=shifted(milestone.due_date, source.start_date, project.start_date),
                         target_value=milestone.target_value)
        copy.tasks = [
            Task(title=t.title, position=t.position,
                 due_date=shifted(t.due_date, source.start_date, project.start_date) if t.due_date else None)
            for t in milestone.tasks
        ]
        project.milestones.append(copy)
    db.session.flush()


def init_app() -> None:
    """Subscribe the handlers, in the transaction of their events (subscribing again adds nothing)."""
    events.subscribe(TaskAssigned, task_assigned)
    events.subscribe(CampaignCreated, campaign_created)
