"""Cloning a campaign: a new draft with the source's details and roadmap, moved to a new start.

Above projects and milestones (app/campaigns/__init__.py): the new campaign is launched by
projects' ``launch_project``, whose :class:`~app.events.CampaignCreated` names the source, and
milestones' subscriber copies the roadmap in the same transaction, as it does a template's.
Commitments, actuals, expenses, re-plans, history and feedback stay with the source: they are
facts of what happened there, not a plan.
"""

from __future__ import annotations

from datetime import date

from app.accounts.models import User
from app.audit import services as audit
from app.core import values
from app.core.errors import InvalidInput, NotAllowed
from app.projects import services as projects
from app.projects.models import Project, ProjectRole
from app.projects.services import ProjectInput
from workflows.campaigns import shifted
from workflows.milestone import MilestoneState


def clone_input(source: Project, start: date) -> ProjectInput:
    """What a clone of ``source`` starting on ``start`` is given unless the person changes it:
    "Copy of" its title, its end moved by the same span, its goal, budget, regions and people."""
    old_start = source.start_date or start
    end = shifted(source.end_date, old_start, start) if source.end_date else start
    return ProjectInput(
        title=f"Copy of {source.title}"[:160],
        start_date=start,
        end_date=end,
        goal_metric=source.goal_metric,
        goal_target=source.goal_target if source.goal_target is not None else 0.0,
        goal_unit=source.goal_unit,
        goal_baseline=source.goal_baseline,
        goal_statement=source.goal_statement,
        budget=source.budget,
        currency=source.currency,
        region_ids=tuple(r.id for r in source.regions),
        project_manager_id=source.project_manager_id,
        product_manager_ids=tuple(source.member_ids_with(ProjectRole.PRODUCT_MANAGER)),
        member_ids=tuple(source.member_ids_with(ProjectRole.MEMBER)),
    )


def copied_milestones(source: Project) -> int:
    """How many milestones a clone of ``source`` starts with: those not cancelled."""
    return sum(1 for m in source.milestones if m.state != MilestoneState.CANCELLED)


def milestone_problems(source: Project, start: date, end: date) -> list[str]:
    """Why the source's milestones, moved to ``start``, cannot be the clone's, each naming the
    milestone: the rule of a milestone's own form (``values.campaign_day_problem``), and one
    inside the source's span stays inside the new one (a shortened end would otherwise leave the
    copied plan running past its campaign, which its author never planned)."""
    if source.start_date is None:
        return []
    problems = []
    for m in source.milestones:
        if m.state == MilestoneState.CANCELLED:
            continue  # not copied
        day = shifted(m.due_date, source.start_date, start)
        problem = values.campaign_day_problem(day, start, end)
        if problem is None and day > end and source.end_date is not None and m.due_date <= source.end_date:
            problem = f"Pick an end date on or after {day.isoformat()}."
        if problem:
            problems.append(f"Milestone “{m.title}” would fall on {day.isoformat()}: {problem}")
    return problems


def clone_campaign(actor: User, source: Project, data: ProjectInput) -> Project:
    """Launch a new draft from ``source`` (which the caller has shown ``actor`` may see), with its
    milestones and their tasks moved by the difference between the start dates; both campaigns'
    histories say so."""
    if not projects.can_launch(actor):
        raise NotAllowed("Only sales managers, project managers and admins start campaigns.")
    if source.start_date is None:
        raise InvalidInput("This campaign has no start date to move its milestones from.")
    # Refused rather than clamped: a clamped milestone would silently change the plan it copies.
    if problems := milestone_problems(source, data.start_date, data.end_date):
        raise InvalidInput("The copied milestones would not fit the new dates.", {"end_date": problems})
    clone = projects.launch_project(actor, data, None, cloned_from=source)
    audit.record(
        actor, "project.cloned", f"Cloned to “{clone.title}” (#{clone.id})",
        entity="project", entity_id=source.id, project_id=source.id, details={"cloned_to": clone.id},
    )
    return clone
