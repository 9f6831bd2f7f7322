"""Milestone and task rules: planning, reordering, completing, cancelling."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.accounts.models import User
from app.audit import services as audit
from app.core import clock, events, values
from app.core.errors import InvalidInput, NotAllowed, StaleEdit, TransitionRefused
from app.core.pagination import FIRST_PAGE, Page, PageRequest, asc, paginate
from app.core.text import date_label
from app.events import MilestoneCompleted, MilestonePlanChanged, TaskAssigned, TaskRemoved, TaskUnassigned
from app.extensions import db
from app.milestones.models import Milestone, Task
from app.projects.access import can_edit, require_editor, require_open, roles_in
from app.projects.models import Project, ProjectMember
from workflows.engine import Decision, Transition
from workflows.milestone import MILESTONE_WORKFLOW, MilestoneFacts, MilestoneState, TaskState


@dataclass(frozen=True)
class MilestoneInput:
    title: str
    due_date: date
    description: str = ""
    target_value: float | None = None
    owner_id: int | None = None


@dataclass(frozen=True)
class TaskInput:
    title: str
    assignee_id: int | None = None
    due_date: date | None = None


#: What may keep a milestone from being removed, each returning why (or None): registered at
#: start-up by the features whose records depend on a milestone (app/commitments/listeners.py),
#: so that milestones know none of them.
RemovalCheck = Callable[[Milestone], str | None]
_removal_checks: list[RemovalCheck] = []


def refuse_removal_when(check: RemovalCheck) -> None:
    """Ask ``check`` before any milestone is removed (registering it again adds nothing)."""
    if check not in _removal_checks:
        _removal_checks.append(check)


def milestones(project: Project, asked: PageRequest = FIRST_PAGE) -> Page[Milestone]:
    """A page of the campaign's milestones, in roadmap order, with their tasks."""
    query = sa.select(Milestone).where(Milestone.project_id == project.id).options(so.selectinload(Milestone.tasks))
    return paginate(query, [asc(Milestone.position), asc(Milestone.id)], asked)


def create_milestone(actor: User, project: Project, data: MilestoneInput, reason: str = "") -> Milestone:
    """Add a milestone; once the campaign is planned this is a re-plan and needs a reason."""
    require_editor(actor, project)
    _validate_milestone(project, data)
    _require_reason(project, reason)
    position = max((m.position for m in project.milestones), default=-1) + 1
    milestone = Milestone(project=project, position=position)
    _apply_milestone(milestone, data)
    db.session.add(milestone)
    db.session.flush()
    audit.record(
        actor, "milestone.created", f"Added milestone “{milestone.title}” due {date_label(milestone.due_date)}",
        entity="milestone", entity_id=milestone.id, project_id=project.id, to_state=milestone.state,
    )
    _announce_plan(actor, milestone, [("added", "", milestone.due_date.isoformat())], reason)
    return milestone


def update_milestone(actor: User, milestone: Milestone, data: MilestoneInput, expected_version: int,
                     reason: str = "") -> Milestone:
    """Save a milestone's edits, refusing one made on a copy somebody else has since changed.

    A new due date or target goes through a re-plan (with its reason, once planned), which
    also flags the countersigned promises the move breaks.
    """
    require_editor(actor, milestone.project)
    if expected_version != milestone.version:
        raise StaleEdit("milestone")
    _validate_milestone(milestone.project, data)
    replanned = differences(milestone, data.due_date, data.target_value)
    if replanned:
        _require_reason(milestone.project, reason)
    before = _snapshot(milestone)
    _apply_milestone(milestone, data)
    db.session.flush()  # one UPDATE, one version
    if replanned:
        _announce_plan(actor, milestone, replanned, reason)
    changed = audit.changes(before, _snapshot(milestone))
    if changed:
        audit.record(
            actor, "milestone.updated", f"Edited milestone “{milestone.title}”: {audit.describe(changed)}",
            entity="milestone", entity_id=milestone.id, project_id=milestone.project_id, details={"changes": changed},
        )
    return milestone


def move_milestone(actor: User, milestone: Milestone, offset: int) -> None:
    """Swap a milestone with its neighbour above (-1) or below (+1) in the roadmap order."""
    project = milestone.project
    require_editor(actor, project)
    ordered = list(project.milestones)
    index = ordered.index(milestone)
    other_index = index + offset
    if offset not in (-1, 1) or not 0 <= other_index < len(ordered):
        return
    ordered[index], ordered[other_index] = ordered[other_index], ordered[index]
    for position, item in enumerate(ordered):
        item.position = position
    db.session.flush()
    audit.record(
        actor, "milestone.moved", f"Moved milestone “{milestone.title}” {'up' if offset < 0 else 'down'}",
        entity="milestone", entity_id=milestone.id, project_id=project.id,
    )


def milestone_options(actor: User, milestone: Milestone) -> list[tuple[Transition[MilestoneFacts], Decision[MilestoneFacts]]]:
    roles = _roles(actor, milestone)
    facts = MilestoneFacts(open_tasks=len(milestone.open_tasks))
    params = {name: "given" for t in MILESTONE_WORKFLOW.transitions for name in t.requires}
    return [
        (t, MILESTONE_WORKFLOW.check(milestone.state, t.event, roles, facts, params))
        for t in MILESTONE_WORKFLOW.available(milestone.state, roles)
    ]


def fire_milestone_transition(actor: User, milestone: Milestone, event: str, reason: str = "") -> Milestone:
    """Complete, cancel or reopen a milestone, if the workflow allows it."""
    require_open(milestone.project)
    decision = MILESTONE_WORKFLOW.check(
        milestone.state, event, _roles(actor, milestone),
        MilestoneFacts(open_tasks=len(milestone.open_tasks)), {"reason": reason},
    )
    if not decision.allowed or decision.transition is None:
        raise TransitionRefused(f"The milestone could not be changed ({event}).", decision.reasons)
    # Cancelling takes the milestone off the roadmap and restoring a cancelled one puts it back;
    # completing it, or reopening a completed one, leaves the plan as it was.
    plan_change = {"cancel": "cancelled", "reopen": "restored"}.get(event)
    if plan_change == "restored" and milestone.state != MilestoneState.CANCELLED:
        plan_change = None
    old_state = milestone.state
    milestone.state = decision.transition.target
    milestone.state_note = reason.strip()
    milestone.completed_at = clock.now() if milestone.state == MilestoneState.DONE else None
    db.session.flush()
    if plan_change:
        _announce_plan(actor, milestone, [(plan_change, old_state, milestone.state)], reason or "Restored")
    audit.record(
        actor, f"milestone.{event}", f"{decision.transition.label}: “{milestone.title}”"
        + (f" because {reason.strip()}" if reason.strip() else ""),
        entity="milestone", entity_id=milestone.id, project_id=milestone.project_id,
        from_state=old_state, to_state=milestone.state,
    )
    if milestone.state == MilestoneState.DONE:
        events.emit(MilestoneCompleted(milestone.id, milestone.project_id, actor.id))
    return milestone


def delete_milestone(actor: User, milestone: Milestone, reason: str = "") -> None:
    """Remove a milestone (and its tasks). One that a commitment depends on is cancelled instead."""
    project = milestone.project
    require_editor(actor, project)
    for check in _removal_checks:
        if refusal := check(milestone):
            raise InvalidInput(refusal)
    _require_reason(project, reason)
    # Announced while the milestone still exists, so that the roadmap can note what was removed.
    _announce_plan(actor, milestone, [("removed", milestone.due_date.isoformat(), "")], reason)
    audit.record(actor, "milestone.deleted", f"Removed milestone “{milestone.title}”"
                 + (f" because {reason.strip()}" if reason.strip() else ""),
                 entity="milestone", entity_id=milestone.id, project_id=project.id)
    project.milestones.remove(milestone)
    db.session.flush()


def create_task(actor: User, milestone: Milestone, data: TaskInput) -> Task:
    require_editor(actor, milestone.project)
    _validate_task(milestone.project, data)
    position = max((t.position for t in milestone.tasks), default=-1) + 1
    task = Task(milestone=milestone, position=position, title=data.title.strip(),
                assignee_id=data.assignee_id, due_date=data.due_date)
    db.session.add(task)
    db.session.flush()
    audit.record(
        actor, "task.created", f"Added task “{task.title}” to “{milestone.title}”",
        entity="task", entity_id=task.id, project_id=milestone.project_id,
    )
    _announce_assignee(actor, task)
    return task


def update_task(actor: User, task: Task, data: TaskInput) -> Task:
    require_editor(actor, task.milestone.project)
    _validate_task(task.milestone.project, data)
    before = {"title": task.title, "assignee": task.assignee_id, "due_date": task.due_date}
    task.title, task.assignee_id, task.due_date = data.title.strip(), data.assignee_id, data.due_date
    db.session.flush()
    changed = audit.changes(before, {"title": task.title, "assignee": task.assignee_id, "due_date": task.due_date})
    if changed:
        audit.record(
            actor, "task.updated", f"Edited task “{task.title}”: {audit.describe(changed)}",
            entity="task", entity_id=task.id, project_id=task.milestone.project_id, details={"changes": changed},
        )
    if task.assignee_id is None and before["assignee"] is not None:
        events.emit(TaskUnassigned(task.id, task.milestone.project_id, actor.id, before["assignee"]))
    elif task.assignee_id != before["assignee"]:
        _announce_assignee(actor, task)
    return task


def _announce_assignee(actor: User, task: Task) -> None:
    """A task now given to someone is announced (an unassigned one is not)."""
    if task.assignee_id:
        events.emit(TaskAssigned(task.id, task.milestone.project_id, actor.id, task.assignee_id))


def set_task_done(actor: User, task: Task, done: bool) -> Task:
    """Tick a task off (or back on): its assignee may, as may the campaign's editors."""
    project = task.milestone.project
    require_open(project)
    if task.assignee_id != actor.id and not can_edit(actor, project):
        raise NotAllowed("Only the assignee or the campaign's owner, project manager or an admin can tick this task.")
    if task.done == done:
        return task
    task.done = done
    task.done_at = clock.now() if done else None
    db.session.flush()
    audit.record(
        actor, "task.done" if done else "task.reopened", f"{'Completed' if done else 'Reopened'} task “{task.title}”",
        entity="task", entity_id=task.id, project_id=project.id,
        from_state=TaskState.OPEN if done else TaskState.DONE, to_state=TaskState.DONE if done else TaskState.OPEN,
    )
    return task


def delete_task(actor: User, task: Task) -> None:
    project = task.milestone.project
    require_editor(actor, project)
    audit.record(
        actor, "task.deleted", f"Deleted task “{task.title}”", entity="task", entity_id=task.id, project_id=project.id,
    )
    events.emit(TaskRemoved(task.id, project.id, actor.id))
    task.milestone.tasks.remove(task)
    db.session.flush()


def differences(milestone: Milestone, due: date, target: float | None) -> list[tuple[str, str, str]]:
    """What a new due date and target change about a milestone, as (kind, old, new)."""
    found = []
    if due != milestone.due_date:
        found.append(("moved", milestone.due_date.isoformat(), due.isoformat()))
    if target != milestone.target_value:
        found.append(("target", _num(milestone.target_value), _num(target)))
    return found


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _announce_plan(actor: User, milestone: Milestone, changes: list[tuple[str, str, str]], reason: str) -> None:
    """The roadmap records the change as a re-plan and the countersigned promises are reassessed
    (their subscribers, app/roadmap/listeners.py and app/commitments/listeners.py), in this transaction."""
    events.emit(MilestonePlanChanged(milestone.id, milestone.project_id, actor.id, tuple(changes), reason))


def _roles(actor: User, milestone: Milestone) -> frozenset[str]:
    roles = set(roles_in(actor, milestone.project))
    if milestone.owner_id == actor.id:
        roles.add("milestone_owner")
    return frozenset(roles)


def _require_reason(project: Project, reason: str) -> None:
    """Checked before anything changes, so a refusal writes nothing."""
    if project.replanning and not reason.strip():
        raise InvalidInput("Say why the roadmap changes.",
                           {"reason": ["The campaign is planned: every roadmap change needs a reason."]})


def _is_member(project: Project, user_id: int) -> bool:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(ProjectMember)
        .where(ProjectMember.project_id == project.id, ProjectMember.user_id == user_id)
    ) == 1


def _validate_milestone(project: Project, data: MilestoneInput) -> None:
    errors: dict[str, list[str]] = {}
    if not data.title.strip():
        errors["title"] = ["Give the milestone a title."]
    if due := values.campaign_day_problem(data.due_date, project.start_date, project.end_date):
        errors["due_date"] = [due]
    if data.owner_id is not None and not _is_member(project, data.owner_id):
        errors["owner_id"] = ["Choose a member of this campaign."]
    if errors:
        raise InvalidInput("Please correct the highlighted fields.", errors)


def _validate_task(project: Project, data: TaskInput) -> None:
    errors: dict[str, list[str]] = {}
    if not data.title.strip():
        errors["title"] = ["Give the task a title."]
    if data.assignee_id is not None and not _is_member(project, data.assignee_id):
        errors["assignee_id"] = ["Choose a member of this campaign."]
    if errors:
        raise InvalidInput("Please correct the highlighted fields.", errors)


def _apply_milestone(milestone: Milestone, data: MilestoneInput) -> None:
    milestone.title = data.title.strip()
    milestone.description = data.description.strip()
    milestone.due_date = data.due_date
    milestone.target_value = data.target_value
    milestone.owner_id = data.owner_id


def _snapshot(milestone: Milestone) -> dict[str, object]:
    return {
        "title": milestone.title,
        "description": milestone.description,
        "due_date": milestone.due_date,
        "target_value": milestone.target_value,
        "owner": milestone.owner_id,
    }
